import Foundation

/// One integer field of the normalised record R: missing, an integer, or present but not an integer.
struct DRGNumber {
  /// 0 missing, 1 integer, 2 not an integer.
  var state: UInt8 = 0
  /// The integer when `state == 1`.
  var value: Int64 = 0
}

/// Evaluation stopped on a value that is not an integer, or on a missing value in a check (FORMAT.md §2, §5.6).
struct DRGBadValue: Error {
  /// Which field of R.
  var field: DRGField
  /// Whether it was missing (only in checks) rather than malformed.
  var missing: Bool
}

/// A growable list of code ids in plain memory (the codes of R), reused case after case.
struct DRGCodeList: Sequence {
  /// The ids.
  private(set) var base: UnsafeMutablePointer<Int32>
  /// Number of ids.
  private(set) var count = 0
  /// Allocated room.
  private var capacity = 64

  /// Creates an empty list.
  init() { base = UnsafeMutablePointer<Int32>.allocate(capacity: 64) }

  /// Releases the memory (the owner's deinit).
  func free() { base.deallocate() }

  /// Whether the list is empty.
  var isEmpty: Bool { count == 0 }

  /// Id `i`.
  @inline(__always) subscript(i: Int) -> Int32 { base[i] }

  /// Appends an id, growing the room when full.
  @inline(__always)
  mutating func append(_ id: Int32) {
    if count == capacity {
      let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: capacity * 2)
      bigger.update(from: base, count: count)
      base.deallocate()
      base = bigger
      capacity *= 2
    }
    base[count] = id
    count += 1
  }

  /// Empties the list, keeping its room.
  mutating func removeAll() { count = 0 }

  /// Iterates the ids.
  func makeIterator() -> UnsafeBufferPointer<Int32>.Iterator {
    UnsafeBufferPointer(start: base, count: count).makeIterator()
  }
}

/// The normalised record R (FORMAT.md §2) of the case being grouped, and the CC/MCC results cached for it.
struct DRGRecord {
  /// `R.gender`: -1 missing, -2 a value the scheme never names, else a gender id.
  var gender: Int32 = -1
  /// `R.age`.
  var age = DRGNumber()
  /// `R.age_days`.
  var ageDays = DRGNumber()
  /// `R.weight`.
  var weight = DRGNumber()
  /// `R.dx` as code ids (-1 unknown).
  var dx = DRGCodeList()
  /// `R.px` as code ids.
  var px = DRGCodeList()
  /// Cached `counts(R, mcc)`: -1 not computed yet, 0 false, 1 true.
  var mccCache: Int8 = -1
  /// Some diagnosis belongs to one sex only (worth checking for a conflict).
  var sexSpecific = false
  /// Cached `counts(R, cc)`.
  var ccCache: Int8 = -1
}
