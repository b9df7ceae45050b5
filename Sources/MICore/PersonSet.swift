/// A set of persons for counting N (就医人数, mi-capita) without keeping records or even the ids themselves: a set
/// of 64-bit hashes, the byte work of an aggregate's distinct count.
///
/// Each `psn_no` is hashed to 64 bits (FNV-1a over its bytes, then the MurmurHash3 `fmix64` finaliser to spread
/// the bits) and the hashes are kept in an open-addressing table of `UInt64` (linear probing, load ≤ 1/2, grown by
/// doubling). Memory is 16–32 bytes per distinct person and pool. `CapitationAggregator` keeps every pool in one
/// table: its keys are the hash's upper 60 bits with the pool number in the top 4, so within a pool two ids
/// collide with probability 2⁻⁶⁰ per pair — about n² / 2⁶¹, 1.1 × 10⁻⁵ for 5,000,000 persons in one pool.
///
/// Collisions: two different ids with the same 64-bit hash count as one person. For n ids the chance of any
/// collision is about n² / 2⁶⁵ — 6.8 × 10⁻⁷ for 5,000,000 persons — and its effect is N one too small, which moves
/// the reported 点值 by 1/N and leaves every institution's payout unchanged (N cancels, DOMAIN.md §4). The value 0
/// marks an empty slot, so a hash of 0 is stored as 1 (one more collision case of the same order).
public struct PersonSet: Sendable {
  @usableFromInline var slots: [UInt64]
  @usableFromInline var mask: Int
  /// The number of distinct hashes held.
  public var count: Int { held }
  @usableFromInline var held = 0

  /// Creates an empty set.
  public init(capacity: Int = 1024) {
    var c = 16
    while c < capacity * 2 { c <<= 1 }
    slots = [UInt64](repeating: 0, count: c)
    mask = c - 1
  }

  /// The 64-bit hash of an id's bytes.
  @inlinable @inline(__always)
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    h ^= h >> 33
    h = h &* 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    h = h &* 0xc4ce_b9fe_1a85_ec53
    h ^= h >> 33
    return h == 0 ? 1 : h
  }

  /// The hash of an id given as text.
  public static func hash(_ id: String) -> UInt64 {
    var s = id
    return s.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
  }

  /// Adds a hash; returns whether it was new.
  @inlinable @discardableResult
  public mutating func insert(hash h: UInt64) -> Bool {
    if (count + 1) * 2 > slots.count { grow() }
    let m = mask
    let added = slots.withUnsafeMutableBufferPointer { b -> Bool in
      var i = Int(truncatingIfNeeded: h) & m
      while true {
        let s = b[i]
        if s == 0 {
          b[i] = h
          return true
        }
        if s == h { return false }
        i = (i + 1) & m
      }
    }
    if added { held += 1 }
    return added
  }

  /// Whether the set holds a hash.
  public func contains(hash h: UInt64) -> Bool {
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = slots[i]
      if s == 0 { return false }
      if s == h { return true }
      i = (i + 1) & mask
    }
  }

  /// Calls `body` with every hash held (in table order).
  public func forEach(_ body: (UInt64) -> Void) {
    for s in slots where s != 0 { body(s) }
  }

  /// Adds every hash of another set (for merging pools into the all-pools count).
  public mutating func formUnion(_ other: PersonSet) {
    for s in other.slots where s != 0 { insert(hash: s) }
  }

  @usableFromInline mutating func grow() {
    let old = slots
    slots = [UInt64](repeating: 0, count: old.count * 2)
    mask = slots.count - 1
    held = 0
    for s in old where s != 0 { insert(hash: s) }
  }
}
