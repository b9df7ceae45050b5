import Foundation

// The key cache of `RecordScanner`: key tags, the shape of the last record's keys (recognised again by whole
// words) and the per-record key index.

extension RecordScanner {
  /// The tag of a key's raw bytes: its length and up to its first and last eight bytes, mixed.
  @inline(__always)
  static func tag(_ p: UnsafeRawPointer, _ count: Int, readable: Int = 0) -> UInt64 {
    var t = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
    if count >= 8 {
      t ^= p.loadUnaligned(as: UInt64.self)
      t ^= p.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) &* 0xBF58_476D_1CE4_E5B9
    } else if readable >= 8 {
      // Eight bytes can be read: one load, the bytes past the key masked off (the same value as the loop below).
      t ^= p.loadUnaligned(as: UInt64.self) & ((1 << (UInt64(truncatingIfNeeded: count) &* 8)) &- 1)
    } else {
      var v: UInt64 = 0
      for k in 0..<count { v |= UInt64(p.load(fromByteOffset: k, as: UInt8.self)) << UInt64(8 * k) }
      t ^= v
    }
    return t
  }
}

/// The members of the record being scanned: growable storage owned by the scanner and reused from line to line.
struct MemberStore {
  var base: UnsafeMutablePointer<RecordScanner.Member>
  var count = 0
  var capacity = 64
  /// The keys of the last record, by place (for `Parser.object`): keys of up to 24 bytes without escapes as
  /// masked words, others as length 0 (never matched).
  var shape: UnsafeMutablePointer<ShapeKey>
  var shapeCount = 0
  var shapeCapacity = 64

  /// One key of the shape.
  struct ShapeKey {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0
    var m0: UInt64 = 0, m1: UInt64 = 0, m2: UInt64 = 0
    var length = 0
    var tag: UInt64 = 0
  }

  init() {
    base = .allocate(capacity: capacity)
    shape = .allocate(capacity: shapeCapacity)
  }

  /// The end (offset of the closing quote) and tag of the key starting at `start` when it is the shape's key `k`.
  @inline(__always)
  func matchShape(_ k: Int, _ line: UnsafeRawPointer, _ start: Int, _ n: Int) -> (end: Int, tag: UInt64)? {
    guard k < shapeCount else { return nil }
    let s = shape + k
    let len = s.pointee.length
    guard len > 0, start + ((len + 7) & ~7) <= n, start + len < n else { return nil }
    let p = line + start
    guard p.loadUnaligned(as: UInt64.self) & s.pointee.m0 == s.pointee.w0 else { return nil }
    if len > 8 {
      guard p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & s.pointee.m1 == s.pointee.w1 else { return nil }
      if len > 16 {
        guard p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) & s.pointee.m2 == s.pointee.w2 else { return nil }
      }
    }
    guard p.load(fromByteOffset: len, as: UInt8.self) == UInt8(ascii: "\"") else { return nil }
    return (start + len, s.pointee.tag)
  }

  /// Records key `k` of the current record (its `count` bytes at `p`) in the shape.
  mutating func learn(_ k: Int, _ p: UnsafeRawPointer, _ count: Int, escaped: Bool, tag: UInt64) {
    if k >= shapeCapacity {
      let bigger = UnsafeMutablePointer<ShapeKey>.allocate(capacity: shapeCapacity * 2)
      bigger.moveInitialize(from: shape, count: shapeCount)
      shape.deallocate()
      shape = bigger
      shapeCapacity *= 2
    }
    var key = ShapeKey()
    if !escaped && count > 0 && count <= 24 {
      key.length = count
      key.tag = tag
      func word(_ j: Int) -> (UInt64, UInt64) {
        let have = min(8, count - 8 * j)
        guard have > 0 else { return (0, 0) }
        var w: UInt64 = 0
        for b in 0..<have { w |= UInt64(p.load(fromByteOffset: 8 * j + b, as: UInt8.self)) << UInt64(8 * b) }
        return (w, have == 8 ? ~0 : (1 << UInt64(8 * have)) - 1)
      }
      (key.w0, key.m0) = word(0)
      (key.w1, key.m1) = word(1)
      (key.w2, key.m2) = word(2)
    }
    (shape + k).initialize(to: key)
    if k >= shapeCount { shapeCount = k + 1 }
  }

  @inline(__always) mutating func append(_ m: RecordScanner.Member) {
    if count == capacity { grow() }
    (base + count).initialize(to: m)
    count += 1
  }

  private mutating func grow() {
    let bigger = UnsafeMutablePointer<RecordScanner.Member>.allocate(capacity: capacity * 2)
    bigger.moveInitialize(from: base, count: count)
    base.deallocate()
    base = bigger
    capacity *= 2
  }
}

/// The key index of the current record: an open-addressing table of `slotCount` entries, each the record's
/// generation (high 32 bits) and a member's index (low 32 bits); an entry of another generation is empty, so
/// nothing is cleared between records. Records with many members or escaped keys are not indexed (the scanner
/// searches them linearly).
///
/// The entries and the generation (one more word after them) live in plain memory behind a constant pointer, so the
/// scanner holds the index as a `let` and reaches it without dynamic exclusivity checks.
struct KeyIndex {
  static let slotCount = 256
  static let maxIndexed = 128
  /// `slotCount` entries, then the generation.
  private let slots: UnsafeMutablePointer<UInt64>

  /// Creates an empty index.
  init() {
    slots = .allocate(capacity: KeyIndex.slotCount + 1)
    slots.initialize(repeating: 0, count: KeyIndex.slotCount + 1)
  }

  /// Releases the memory (the owner's deinit).
  func deallocate() { slots.deallocate() }

  /// Indexes the `count` members at `ms` of the line at `b`: nil when the record is not indexed (too many members, an
  /// escaped key), else whether its keys are unique.
  func build(_ ms: UnsafeMutablePointer<RecordScanner.Member>, count: Int, line b: UnsafeRawPointer) -> Bool? {
    guard count <= KeyIndex.maxIndexed else { return nil }
    var generation = slots[KeyIndex.slotCount] &+ 1
    if generation > UInt64(UInt32.max) {
      slots.update(repeating: 0, count: KeyIndex.slotCount)
      generation = 1
    }
    slots[KeyIndex.slotCount] = generation
    let gen = generation << 32
    var unique = true
    for i in 0..<count {
      let m = ms[i]
      if m.keyEscaped { return nil }
      var s = KeyIndex.slot(m.keyTag)
      while true {
        let e = slots[s]
        if e & 0xFFFF_FFFF_0000_0000 != gen {
          slots[s] = gen | UInt64(i)
          break
        }
        let o = ms[Int(truncatingIfNeeded: e & 0xFFFF_FFFF)]
        if o.keyTag == m.keyTag && o.keyEnd - o.keyStart == m.keyEnd - m.keyStart
          && memcmp(b + o.keyStart, b + m.keyStart, m.keyEnd - m.keyStart) == 0
        {
          slots[s] = gen | UInt64(i)  // a later duplicate wins
          unique = false
          break
        }
        s = (s + 1) & (KeyIndex.slotCount - 1)
      }
    }
    return unique
  }

  /// The index of the last of the members at `ms` (of the line at `b`, indexed by the last `build`) whose name is
  /// `key`, whose tag is `want`.
  @inline(__always)
  func find(
    _ key: UnsafeRawBufferPointer, tag want: UInt64, _ ms: UnsafeMutablePointer<RecordScanner.Member>,
    line b: UnsafeRawPointer
  ) -> Int? {
    let count = key.count
    let gen = slots[KeyIndex.slotCount] << 32
    var s = KeyIndex.slot(want)
    while true {
      let e = slots[s]
      if e & 0xFFFF_FFFF_0000_0000 != gen { return nil }
      let i = Int(truncatingIfNeeded: e & 0xFFFF_FFFF)
      let m = ms[i]
      if m.keyTag == want && m.keyEnd - m.keyStart == count
        && (count == 0 || memcmp(b + m.keyStart, key.baseAddress!, count) == 0)
      {
        return i
      }
      s = (s + 1) & (KeyIndex.slotCount - 1)
    }
  }

  @inline(__always) private static func slot(_ tag: UInt64) -> Int {
    Int(truncatingIfNeeded: (tag &* 0x9E37_79B9_7F4A_7C15) >> 56)
  }
}
