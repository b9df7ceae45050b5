import Foundation
import MICore

/// The costs of a derivation, per bucket (a DIP fine key, a DRG, an auxiliary key) and year, kept in a temporary
/// file instead of memory (issue 3): memory is a few words per bucket-year and a bounded buffer, nothing per case.
///
/// Adding puts a 16-byte record (bucket-year, cost) in an in-memory chunk of `chunkRecords`; a full chunk is
/// sorted and written as one run of a temporary file. `seal` merges the runs (k-way, at most `fanIn` at a time,
/// in several passes if needed) into a second temporary file holding only the costs (8 bytes each): each
/// bucket-year's costs contiguous and ascending. Queries stream the ascending union of several bucket-years: a k-way
/// merge of their ranges, read in blocks with `pread`. The files are made with `mkstemp` (mode 0600) in `$TMPDIR`
/// (else `/tmp`) and unlinked at once, so nothing is left behind; disk use peaks at about 24 bytes per case.
/// Bucket-years of at most `inlineMax` costs keep them in memory once sealed (a bounded few words per bucket-year):
/// a derivation reads each small key many times, and one `pread` per key and query would dominate.
final class CostStore {
  /// A bucket: one set of costs (per year) that queries can combine with others.
  typealias Bucket = Int32

  /// One bucket-year: its year, the next slot of its bucket, its cost count, and (once sealed) its first cost's
  /// index in the sealed file, or in `inline` when the count is at most `inlineMax`.
  struct Slot {
    var year: Int32
    var next: Int32
    var count: Int64
    var offset: Int64
  }

  /// A cost and its bucket-year, as written to the runs.
  struct Record: Comparable, BitwiseCopyable {
    var slot: Int32
    var fen: Int64

    @inline(__always) static func < (a: Record, b: Record) -> Bool {
      a.slot != b.slot ? a.slot < b.slot : a.fen < b.fen
    }
  }

  /// Records per in-memory chunk (one sorted run each).
  let chunkRecords: Int
  /// Runs merged at once.
  let fanIn: Int
  /// The directory of the temporary files.
  let directory: String
  /// Bucket-years with at most this many costs keep them in memory once sealed.
  let inlineMax: Int

  private(set) var slots: [Slot] = []
  /// The first slot of each bucket (−1 none); a bucket's slots form a list through `Slot.next`.
  private var heads: [Int32] = []
  private var chunk: [Record] = []
  private var runsFile: TempFile?
  private var runs: [(start: Int64, count: Int64)] = []
  private var values: TempFile?
  /// The costs of the small bucket-years, each slot's ascending.
  private var inline: [Int64] = []
  /// Whether `seal` has run: no more adding, queries allowed.
  private(set) var sealed = false

  /// Creates an empty store; `chunkRecords` and `fanIn` are small in tests to force many runs and passes.
  init(chunkRecords: Int = 1 << 18, fanIn: Int = 64, inlineMax: Int = 8, directory: String? = nil) {
    precondition(chunkRecords >= 1 && fanIn >= 2)
    self.chunkRecords = chunkRecords
    self.fanIn = fanIn
    self.inlineMax = inlineMax
    if let directory {
      self.directory = directory
    } else if let t = ProcessInfo.processInfo.environment["TMPDIR"], !t.isEmpty {
      self.directory = t
    } else {
      self.directory = "/tmp"
    }
  }

  /// A new, empty bucket.
  func newBucket() -> Bucket {
    heads.append(-1)
    return Bucket(heads.count - 1)
  }

  /// The number of buckets.
  var bucketCount: Int { heads.count }

  /// The slot of bucket `b` in `year`, if it has costs that year.
  @inline(__always) func slot(_ b: Bucket, year: Int) -> Int32? {
    var s = heads[Int(b)]
    while s >= 0 {
      if slots[Int(s)].year == Int32(truncatingIfNeeded: year) { return s }
      s = slots[Int(s)].next
    }
    return nil
  }

  /// The number of costs of bucket `b` in `year`.
  func count(_ b: Bucket, year: Int) -> Int64 {
    slot(b, year: year).map { slots[Int($0)].count } ?? 0
  }

  /// The years in which bucket `b` has costs, ascending.
  func years(_ b: Bucket) -> [Int] {
    var out: [Int] = []
    var s = heads[Int(b)]
    while s >= 0 {
      out.append(Int(slots[Int(s)].year))
      s = slots[Int(s)].next
    }
    return out.sorted()
  }

  /// Adds one cost of bucket `b` in `year`.
  func add(_ b: Bucket, year: Int, fen: Int64) throws(MIError) {
    precondition(!sealed, "CostStore.add after seal")
    let s: Int32
    if let x = slot(b, year: year) {
      s = x
    } else {
      s = Int32(slots.count)
      slots.append(Slot(year: Int32(truncatingIfNeeded: year), next: heads[Int(b)], count: 0, offset: 0))
      heads[Int(b)] = s
    }
    slots[Int(s)].count += 1
    chunk.append(Record(slot: s, fen: fen))
    if chunk.count >= chunkRecords { try spill() }
  }

  /// Sorts the chunk and writes it as a run.
  private func spill() throws(MIError) {
    chunk.sort()
    if runsFile == nil { runsFile = try TempFile(directory: directory) }
    let file = runsFile!
    let start = file.size / Int64(MemoryLayout<Record>.stride)
    let err = chunk.withUnsafeBytes { file.append($0) }
    if err != 0 { throw file.error(err) }
    runs.append((start, Int64(chunk.count)))
    chunk.removeAll(keepingCapacity: true)
  }

  /// Merges the runs into the sorted file of costs and computes each slot's offset. Idempotent.
  func seal() throws(MIError) {
    if sealed { return }
    sealed = true
    var total: Int64 = 0
    var small = 0
    for i in slots.indices {
      if slots[i].count <= Int64(inlineMax) {
        slots[i].offset = Int64(small)
        small += Int(slots[i].count)
      } else {
        slots[i].offset = total
        total += slots[i].count
      }
    }
    inline.reserveCapacity(small)
    let out: TempFile? = total > 0 ? try TempFile(directory: directory) : nil
    var w = out.map { BlockWriter<Int64>(file: $0, capacity: 1 << 15) }
    let inlineMax = Int64(self.inlineMax)
    func emit(_ r: Record) throws(MIError) {
      if slots[Int(r.slot)].count <= inlineMax { inline.append(r.fen) } else { try w!.append(r.fen) }
    }
    if runs.isEmpty {
      chunk.sort()
      for r in chunk { try emit(r) }
      chunk = []
    } else {
      if !chunk.isEmpty { try spill() }
      chunk = []
      let (file, rs) = try mergePasses(runsFile!, runs)
      let stride = Int64(MemoryLayout<Record>.stride)
      let m = try Merger<Record>(
        file: file, ranges: rs.map { .init(offset: $0.start * stride, count: $0.count, inlineAt: -1) },
        budget: 1 << 17)
      while let r = try m.next() { try emit(r) }
    }
    try w?.flush()
    guard (w?.written ?? 0) == total, inline.count == small else {
      throw MIError.io("temporary file in \(directory): lost costs while sorting")
    }
    runsFile = nil
    runs = []
    values = out
  }

  /// Merges `runs` of `file` in passes of at most `fanIn` runs each, until one pass can merge them all; returns the
  /// file and runs of that last pass.
  private func mergePasses(_ file: TempFile, _ runs: [(start: Int64, count: Int64)]) throws(MIError) -> (
    TempFile, [(start: Int64, count: Int64)]
  ) {
    var file = file
    var rs = runs
    let stride = Int64(MemoryLayout<Record>.stride)
    while rs.count > fanIn {
      let next = try TempFile(directory: directory)
      var w2 = BlockWriter<Record>(file: next, capacity: 1 << 14)
      var merged: [(start: Int64, count: Int64)] = []
      for g in Swift.stride(from: 0, to: rs.count, by: fanIn) {
        let group = rs[g..<min(g + fanIn, rs.count)]
        let m = try Merger<Record>(
          file: file, ranges: group.map { .init(offset: $0.start * stride, count: $0.count, inlineAt: -1) },
          budget: 1 << 17)
        let start = w2.written
        while let r = try m.next() { try w2.append(r) }
        merged.append((start, w2.written - start))
      }
      try w2.flush()
      file = next
      rs = merged
    }
    return (file, rs)
  }

  /// Calls `body` with the costs of `slotIDs` together, in ascending order, until it returns false.
  func forEachAscending(_ slotIDs: [Int32], _ body: (Int64) -> Bool) throws(MIError) {
    precondition(sealed, "CostStore query before seal")
    var ranges: [Merger<Int64>.Range] = []
    ranges.reserveCapacity(slotIDs.count)
    for s in slotIDs where slots[Int(s)].count > 0 {
      let sl = slots[Int(s)]
      ranges.append(
        sl.count <= Int64(inlineMax)
          ? .init(offset: 0, count: sl.count, inlineAt: Int(sl.offset))
          : .init(offset: sl.offset * 8, count: sl.count, inlineAt: -1))
    }
    guard !ranges.isEmpty else { return }
    let m = try Merger<Int64>(file: values, ranges: ranges, budget: 1 << 17, inline: inline)
    while let v = try m.next() {
      if !body(v) { return }
    }
  }
}

/// An unlinked temporary file (mode 0600), appended to and read with `pread`; closed when released.
final class TempFile {
  let fd: Int32
  let directory: String
  /// Bytes appended.
  private(set) var size: Int64 = 0

  init(directory: String) throws(MIError) {
    var template = Array((directory + "/mi-derive.XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { p -> Int32 in
      let fd = mkstemp(p.baseAddress!)
      if fd >= 0 { unlink(p.baseAddress!) }
      return fd
    }
    guard fd >= 0 else {
      throw MIError.io("cannot create a temporary file in \(directory): \(systemMessage()) (set TMPDIR)")
    }
    _ = fchmod(fd, 0o600)
    self.fd = fd
    self.directory = directory
  }

  /// Wraps a descriptor already open (tests write to `/dev/full`).
  init(fd: Int32, directory: String) {
    self.fd = fd
    self.directory = directory
  }

  deinit { close(fd) }

  /// Appends the bytes; returns 0 or the `errno`.
  func append(_ bytes: UnsafeRawBufferPointer) -> Int32 {
    var done = 0
    while done < bytes.count {
      let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(size + Int64(done)))
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      if n == 0 { return ENOSPC }
      done += n
    }
    size += Int64(done)
    return 0
  }

  /// Fills `into` from byte `offset`; returns 0 or the `errno` (EIO when the file is shorter).
  func read(into p: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int32 {
    var done = 0
    while done < p.count {
      let n = pread(fd, p.baseAddress! + done, p.count - done, off_t(offset + Int64(done)))
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      if n == 0 { return EIO }
      done += n
    }
    return 0
  }

  /// The error for `errno` `code`.
  func error(_ code: Int32) -> MIError {
    let hint =
      code == ENOSPC
      ? " (derivation keeps about 24 bytes per case in temporary files; set TMPDIR to a larger file system)" : ""
    return MIError.io("temporary file in \(directory): \(systemMessage(code))\(hint)")
  }
}

/// A buffered appender of fixed-size values to a temporary file.
struct BlockWriter<T: BitwiseCopyable> {
  let file: TempFile
  private var buf: [T] = []
  private let capacity: Int
  /// Values appended (flushed or not).
  private(set) var written: Int64 = 0

  init(file: TempFile, capacity: Int) {
    self.file = file
    self.capacity = capacity
    buf.reserveCapacity(capacity)
  }

  @inline(__always) mutating func append(_ v: T) throws(MIError) {
    buf.append(v)
    written += 1
    if buf.count >= capacity { try flush() }
  }

  mutating func flush() throws(MIError) {
    guard !buf.isEmpty else { return }
    let f = file
    let err = buf.withUnsafeBytes { f.append($0) }
    if err != 0 { throw f.error(err) }
    buf.removeAll(keepingCapacity: true)
  }
}

/// A k-way merge of ascending ranges of a file (byte offset, element count) or of an in-memory array, read in
/// blocks; a binary heap of the ranges by their current element.
final class Merger<T: BitwiseCopyable & Comparable> {
  /// A range: `count` elements at byte `offset` of the file, or at index `inlineAt` of the in-memory array.
  struct Range {
    var offset: Int64
    var count: Int64
    var inlineAt: Int
  }

  private struct Cursor {
    var offset: Int64  // byte offset of the next element not yet in the buffer
    var remaining: Int64  // elements not yet in the buffer
    var base: Int  // the buffer's start in storage
    var capacity: Int
    var pos: Int
    var end: Int
  }

  private let file: TempFile?
  private var cursors: [Cursor] = []
  private var heap: [Int32] = []
  private let storage: UnsafeMutablePointer<T>

  /// Merges `ranges`; `budget` bounds the elements buffered in all (each file range buffers 16 to 8,192; an
  /// in-memory range is copied whole).
  init(file: TempFile?, ranges: [Range], budget: Int, inline: [T] = []) throws(MIError) {
    self.file = file
    let per = min(8192, max(16, budget / max(1, ranges.count)))
    var total = 0
    cursors.reserveCapacity(ranges.count)
    for r in ranges where r.count > 0 {
      let cap = r.inlineAt >= 0 ? Int(r.count) : Int(min(Int64(per), r.count))
      cursors.append(Cursor(offset: r.offset, remaining: r.count, base: total, capacity: cap, pos: 0, end: 0))
      total += cap
    }
    storage = UnsafeMutablePointer<T>.allocate(capacity: max(1, total))
    heap.reserveCapacity(cursors.count)
    var i = 0
    for r in ranges where r.count > 0 {
      if r.inlineAt >= 0 {
        for j in 0..<Int(r.count) { (storage + cursors[i].base + j).initialize(to: inline[r.inlineAt + j]) }
        cursors[i].remaining = 0
        cursors[i].end = Int(r.count)
      } else {
        try refill(i)
      }
      heap.append(Int32(i))
      siftUp(heap.count - 1)
      i += 1
    }
  }

  deinit { storage.deallocate() }

  private func refill(_ i: Int) throws(MIError) {
    let c = cursors[i]
    let n = Int(min(Int64(c.capacity), c.remaining))
    let size = MemoryLayout<T>.stride
    let err = file!.read(
      into: UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(storage + c.base), count: n * size),
      at: c.offset)
    if err != 0 { throw file!.error(err) }
    cursors[i].offset += Int64(n * size)
    cursors[i].remaining -= Int64(n)
    cursors[i].pos = 0
    cursors[i].end = n
  }

  @inline(__always) private func head(_ i: Int32) -> T {
    let c = cursors[Int(i)]
    return storage[c.base + c.pos]
  }

  private func siftUp(_ at: Int) {
    var k = at
    while k > 0 {
      let p = (k - 1) / 2
      guard head(heap[k]) < head(heap[p]) else { return }
      heap.swapAt(k, p)
      k = p
    }
  }

  private func siftDown(_ at: Int) {
    var k = at
    let n = heap.count
    while true {
      let l = 2 * k + 1
      if l >= n { return }
      var m = l
      if l + 1 < n && head(heap[l + 1]) < head(heap[l]) { m = l + 1 }
      guard head(heap[m]) < head(heap[k]) else { return }
      heap.swapAt(k, m)
      k = m
    }
  }

  /// The next element in ascending order, or nil at the end.
  @inline(__always) func next() throws(MIError) -> T? {
    guard let top = heap.first else { return nil }
    let i = Int(top)
    let v = storage[cursors[i].base + cursors[i].pos]
    cursors[i].pos += 1
    if cursors[i].pos == cursors[i].end {
      if cursors[i].remaining > 0 {
        try refill(i)
      } else {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
      }
    }
    if heap.count > 1 { siftDown(0) }
    return v
  }
}
