import Foundation

/// Interned diagnosis and procedure codes: every code a scheme or its dictionaries name gets a small integer id,
/// so that code lists become bit sets and CC/MCC tables become arrays indexed by id.
///
/// Lookup hashes the raw UTF-8 bytes of a code straight from the input line (no `String` is built) and probes an
/// open-addressing table; codes are compared exactly (case-sensitive, no trimming), as FORMAT.md §2 requires.
final class DRGCodeTable {
  /// The bytes of every interned code, back to back.
  private var arena: [UInt8] = []
  /// Where code `id` starts in `arena`.
  private var starts: [Int32] = []
  /// Byte length of code `id`.
  private var lengths: [Int32] = []
  /// Hash slots (a power of two), each holding an id or -1; built by `freeze()`.
  private var slots: UnsafeMutablePointer<Int32>
  /// `slots` count minus one.
  private var mask: Int
  /// The frozen arena, for allocation-free comparisons on the hot path.
  private var frozenArena: UnsafeMutablePointer<UInt8>
  /// The dictionary used while building.
  private var building: [String: Int32] = [:]

  /// Creates an empty table.
  init() {
    slots = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    slots.initialize(to: -1)
    mask = 0
    frozenArena = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
  }

  deinit {
    slots.deallocate()
    frozenArena.deallocate()
  }

  /// Number of interned codes.
  var count: Int { starts.count }

  /// The id of `code`, interning it if new (build time only).
  @discardableResult
  func intern(_ code: String) -> Int32 {
    if let id = building[code] { return id }
    let id = Int32(starts.count)
    starts.append(Int32(arena.count))
    let bytes = Array(code.utf8)
    lengths.append(Int32(bytes.count))
    arena.append(contentsOf: bytes)
    building[code] = id
    return id
  }

  /// The code with id `id`.
  func code(_ id: Int32) -> String {
    let s = Int(starts[Int(id)])
    return String(decoding: arena[s..<(s + Int(lengths[Int(id)]))], as: UTF8.self)
  }

  /// Builds the hash slots; after this, `lookup` works and `intern` must not be called.
  func freeze() {
    var size = 16
    while size < count * 3 { size <<= 1 }
    slots.deallocate()
    slots = UnsafeMutablePointer<Int32>.allocate(capacity: size)
    slots.initialize(repeating: -1, count: size)
    mask = size - 1
    frozenArena.deallocate()
    frozenArena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(arena.count, 1))
    arena.withUnsafeBufferPointer { frozenArena.update(from: $0.baseAddress!, count: arena.count) }
    for id in 0..<count {
      let h = DRGCodeTable.hash(UnsafeRawPointer(frozenArena + Int(starts[id])), Int(lengths[id]))
      var i = h & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(id)
    }
    building = [:]
  }

  /// The id of the code whose UTF-8 bytes are `p[0..<n]`, or -1 when the scheme and dictionaries do not know it.
  @inline(__always)
  func lookup(_ p: UnsafeRawPointer, _ n: Int) -> Int32 {
    var i = DRGCodeTable.hash(p, n) & mask
    while true {
      let id = slots[i]
      if id < 0 { return -1 }
      if Int(lengths[Int(id)]) == n && memcmp(frozenArena + Int(starts[Int(id)]), p, n) == 0 { return id }
      i = (i + 1) & mask
    }
  }

  /// The id of `code`, or -1.
  func lookup(_ code: String) -> Int32 {
    var s = code
    return s.withUTF8 { b in
      guard let base = b.baseAddress else { return lookup(UnsafeRawPointer(bitPattern: 1)!, 0) }
      return lookup(UnsafeRawPointer(base), b.count)
    }
  }

  /// FNV-1a over the bytes, folded for the table index.
  @inline(__always)
  static func hash(_ p: UnsafeRawPointer, _ n: Int) -> Int {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for k in 0..<n {
      h = (h ^ UInt64(p.load(fromByteOffset: k, as: UInt8.self))) &* 0x100_0000_01b3
    }
    return Int(truncatingIfNeeded: h ^ (h >> 29))
  }
}
