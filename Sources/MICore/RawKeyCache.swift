/// Finds a slot by the raw JSON bytes of two member values (a pool and a hospital) without building Strings for
/// every record: the hot path of an aggregating tool. The raw spelling is compared in full, so a hash collision
/// never mixes two keys; a new spelling of a known key (a number for a string, an escape) misses, and the caller
/// finds its slot through the decoded values and `remember`s it.
public struct RawKeyCache {
  @usableFromInline var entries: [UInt64: (raw: [UInt8], slot: Int)] = [:]

  /// An empty cache.
  public init() {}

  /// FNV-1a over both values with a separator.
  @inlinable @inline(__always)
  static func hash(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in a { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
    h = (h ^ 0xFF) &* 0x100_0000_01b3
    for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
    return h
  }

  /// The slot remembered for exactly these raw values, or nil.
  @inlinable
  public func slot(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int? {
    guard let hit = entries[Self.hash(a, b)], hit.raw.count == a.count + 1 + b.count,
      hit.raw.prefix(a.count).elementsEqual(a), hit.raw.suffix(b.count).elementsEqual(b)
    else { return nil }
    return hit.slot
  }

  /// Remembers `slot` for these raw values (the first spelling with a hash keeps it).
  public mutating func remember(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, slot: Int) {
    let h = Self.hash(a, b)
    if entries[h] == nil { entries[h] = (Array(a) + [0xFF] + Array(b), slot) }
  }
}
