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
  /// Hash slots (a power of two); built by `freeze()`.
  private var slotsMemory: UnsafeMutablePointer<DRGCodeSlot>
  /// `slots` count minus one.
  private var mask: Int
  /// The frozen arena, for allocation-free comparisons on the hot path.
  private var frozenArena: UnsafeMutablePointer<UInt8>
  /// `starts` and `lengths` interleaved in plain memory (start, length per id), built by `freeze()`.
  private var spans: UnsafeMutablePointer<Int32>
  /// The dictionary used while building.
  private var building: [String: Int32] = [:]

  /// Creates an empty table.
  init() {
    slotsMemory = UnsafeMutablePointer<DRGCodeSlot>.allocate(capacity: 1)
    slotsMemory.initialize(to: DRGCodeSlot(k0: 0, k1: 0, id: -1, length: 0, attributes: 0))
    mask = 0
    frozenArena = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    spans = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
  }

  deinit {
    slotsMemory.deallocate()
    frozenArena.deallocate()
    spans.deallocate()
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

  /// Per-code attributes stored in the hash slot itself (dictionary flags, sex), set before `freeze()`.
  var attributes: [UInt16] = []

  /// Builds the hash slots; after this, `lookup` works and `intern` must not be called.
  ///
  /// Each slot holds the first 16 bytes of its code inline with the id and the code's attributes, so a look-up
  /// touches one slot (one cache line) instead of a slot, a span and the arena: with ~50,000 codes the table
  /// outgrows the caches and each extra pointer chase was a cache miss per code (measured in `perf annotate`).
  func freeze() {
    var size = 16
    // Load factor up to 0.75: a smaller table misses the cache less than probing costs.
    while size * 3 < count * 4 { size <<= 1 }
    slotsMemory.deallocate()
    slotsMemory = UnsafeMutablePointer<DRGCodeSlot>.allocate(capacity: size)
    slotsMemory.initialize(repeating: DRGCodeSlot(k0: 0, k1: 0, id: -1, length: 0, attributes: 0), count: size)
    mask = size - 1
    frozenArena.deallocate()
    frozenArena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(arena.count, 1))
    arena.withUnsafeBufferPointer { frozenArena.update(from: $0.baseAddress!, count: arena.count) }
    spans.deallocate()
    spans = UnsafeMutablePointer<Int32>.allocate(capacity: max(2 * count, 2))
    for id in 0..<count {
      spans[2 * id] = starts[id]
      spans[2 * id + 1] = lengths[id]
    }
    for id in 0..<count {
      let p = UnsafeRawPointer(frozenArena + Int(starts[id]))
      let n = Int(lengths[id])
      let (k0, k1) = DRGCodeTable.key(p, n)
      var i = DRGCodeTable.hash(k0, k1, n) & mask
      while slotsMemory[i].id >= 0 { i = (i + 1) & mask }
      slotsMemory[i] = DRGCodeSlot(
        k0: k0, k1: k1, id: Int32(id), length: Int32(n), attributes: id < attributes.count ? attributes[id] : 0)
    }
    building = [:]
  }

  /// The first 16 bytes of a code, zero-padded, as two words.
  @inline(__always)
  static func key(_ p: UnsafeRawPointer, _ n: Int) -> (UInt64, UInt64) {
    var k0: UInt64 = 0
    var k1: UInt64 = 0
    if n >= 16 {
      k0 = p.loadUnaligned(as: UInt64.self)
      k1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    } else if n >= 8 {
      k0 = p.loadUnaligned(as: UInt64.self)
      withUnsafeMutableBytes(of: &k1) { $0.baseAddress!.copyMemory(from: p + 8, byteCount: n - 8) }
    } else if n > 0 {
      withUnsafeMutableBytes(of: &k0) { $0.baseAddress!.copyMemory(from: p, byteCount: n) }
    }
    return (k0, k1)
  }

  /// Mixes the key words and length into a slot index.
  @inline(__always)
  static func hash(_ k0: UInt64, _ k1: UInt64, _ n: Int) -> Int {
    var h = (k0 &* 0x9E37_79B9_7F4A_7C15) ^ (k1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(truncatingIfNeeded: n)
    h ^= h >> 31
    h = h &* 0x94D0_49BB_1331_11EB
    h ^= h >> 29
    return Int(truncatingIfNeeded: h)
  }

  /// The id of the code whose UTF-8 bytes are `p[0..<n]`, or -1 when the scheme and dictionaries do not know it.
  func lookup(_ p: UnsafeRawPointer, _ n: Int) -> Int32 { view.lookup(p, n).id }

  /// A read-only view for the record path (valid while the table lives; the table never changes after `freeze`).
  var view: DRGCodeLookup { DRGCodeLookup(slots: slotsMemory, mask: mask, arena: frozenArena, spans: spans) }

  /// The id of `code`, or -1.
  func lookup(_ code: String) -> Int32 {
    var s = code
    return s.withUTF8 { b in
      guard let base = b.baseAddress else { return lookup(UnsafeRawPointer(bitPattern: 1)!, 0) }
      return lookup(UnsafeRawPointer(base), b.count)
    }
  }
}

/// One hash slot: the first 16 bytes of a code inline, its id, length and attributes.
struct DRGCodeSlot {
  /// Bytes 0–7 and 8–15 of the code, zero-padded.
  var k0: UInt64, k1: UInt64
  /// The code's id, -1 for an empty slot.
  var id: Int32
  /// The code's byte length.
  var length: Int32
  /// Attributes the owner stored (`DRGEngine`: dictionary flags and sex).
  var attributes: UInt16
}

/// The frozen hash table of a `DRGCodeTable` as plain pointers, held in `let`s by a grouper.
struct DRGCodeLookup {
  /// Hash slots.
  let slots: UnsafeMutablePointer<DRGCodeSlot>
  /// Slot count minus one.
  let mask: Int
  /// Code bytes (for codes longer than 16 bytes).
  let arena: UnsafeMutablePointer<UInt8>
  /// Start and length per id.
  let spans: UnsafeMutablePointer<Int32>

  /// The id and attributes of the code whose bytes are `p[0..<n]`; id -1 when unknown.
  @inline(__always)
  func lookup(_ p: UnsafeRawPointer, _ n: Int) -> (id: Int32, attributes: UInt16) {
    let (k0, k1) = DRGCodeTable.key(p, n)
    var i = DRGCodeTable.hash(k0, k1, n) & mask
    while true {
      let slot = slots + i
      let id = slot.pointee.id
      if id < 0 { return (-1, 0) }
      if slot.pointee.k0 == k0 && slot.pointee.k1 == k1 && Int(slot.pointee.length) == n {
        if n <= 16 || memcmp(arena + Int(spans[2 * Int(id)]) + 16, p + 16, n - 16) == 0 {
          return (id, slot.pointee.attributes)
        }
      }
      i = (i + 1) & mask
    }
  }
}
