import Foundation

/// Finds a fixed set of members in one pass over a record's keys, for a tool that reads many fields of every
/// record (instead of one search of the members per field): make one locator per set of names (a `static let`),
/// then `locate` each record and read the members by their place in the names.
///
/// A domain library names its fields; the byte work (key lengths, comparisons, escaped keys) is here.
public final class FieldLocator: @unchecked Sendable {
  /// The names, in the order `Located` answers.
  public let names: [String]
  /// Candidates by key length: those of length `n < lengths` are `starts[n]..<starts[n + 1]`. Raw memory,
  /// allocated once: no reference counting or bounds checks on the record path.
  @usableFromInline let starts: UnsafeMutablePointer<Int>
  @usableFromInline let lengths: Int
  /// Per candidate: the byte offset of its name in `bytes`, and its place in `names`.
  @usableFromInline let offsets: UnsafeMutablePointer<Int>
  @usableFromInline let places: UnsafeMutablePointer<Int>
  /// The names' bytes back to back.
  @usableFromInline let bytes: UnsafeMutableRawPointer

  /// Creates a locator of at most `Located.capacity` names.
  public init(_ names: [StaticString]) {
    precondition(names.count <= Located.capacity, "a FieldLocator finds at most \(Located.capacity) names")
    self.names = names.map(\.description)
    let longest = names.map(\.utf8CodeUnitCount).max() ?? 0
    let order = names.indices.sorted { (names[$0].utf8CodeUnitCount, $0) < (names[$1].utf8CodeUnitCount, $1) }
    var starts = [Int](repeating: 0, count: longest + 2)
    for n in names { starts[n.utf8CodeUnitCount + 1] += 1 }
    for n in 1..<starts.count { starts[n] += starts[n - 1] }
    let total = names.reduce(0) { $0 + $1.utf8CodeUnitCount }
    bytes = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 1)
    var offsets: [Int] = []
    var at = 0
    for k in order {
      bytes.advanced(by: at).copyMemory(from: names[k].utf8Start, byteCount: names[k].utf8CodeUnitCount)
      offsets.append(at)
      at += names[k].utf8CodeUnitCount
    }
    lengths = longest + 1
    self.starts = .allocate(capacity: starts.count)
    self.starts.initialize(from: starts, count: starts.count)
    self.offsets = .allocate(capacity: max(offsets.count, 1))
    self.offsets.initialize(from: offsets, count: offsets.count)
    places = .allocate(capacity: max(order.count, 1))
    places.initialize(from: order, count: order.count)
  }

  deinit {
    bytes.deallocate()
    starts.deallocate()
    offsets.deallocate()
    places.deallocate()
  }

  /// The members of one record: `located[k]` is the index of `names[k]`, -1 when absent. A later duplicate key
  /// wins, as with `RecordScanner.index`.
  public struct Located {
    /// The most names a locator finds.
    public static let capacity = 16
    @usableFromInline var slots: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (
      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
    )

    @inlinable init() {}

    /// The member index of name `k`, or -1.
    @inlinable public subscript(k: Int) -> Int {
      get { withUnsafeBytes(of: slots) { $0.load(fromByteOffset: k * MemoryLayout<Int>.stride, as: Int.self) } }
      set {
        withUnsafeMutableBytes(of: &slots) {
          $0.storeBytes(of: newValue, toByteOffset: k * MemoryLayout<Int>.stride, as: Int.self)
        }
      }
    }
  }

  /// Locates the names among the members of the record `s` holds.
  @inlinable
  public func locate(_ s: RecordScanner) -> Located {
    var found = Located()
    let line = s.line
    for (i, m) in s.members.enumerated() {
      if m.keyEscaped {
        var k = s.key(i)
        k.withUTF8 { match(UnsafeRawBufferPointer($0), i, &found) }
      } else {
        match(UnsafeRawBufferPointer(rebasing: line[m.keyStart..<m.keyEnd]), i, &found)
      }
    }
    return found
  }

  @inlinable @inline(__always)
  func match(_ k: UnsafeRawBufferPointer, _ i: Int, _ found: inout Located) {
    let n = k.count
    guard n < lengths, let key = k.baseAddress else { return }
    var c = starts[n]
    let end = starts[n + 1]
    while c < end {
      if memcmp(bytes + offsets[c], key, n) == 0 {
        found[places[c]] = i
        return
      }
      c += 1
    }
  }
}
