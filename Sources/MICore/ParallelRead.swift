import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An aggregate that workers can fill separately and then combine (sums add, sets unite): what `ParallelRead`
/// needs. `merge` throws only when a sum leaves 64 bits.
public protocol Mergeable: SendableMetatype {
  /// Adds the record the scanner holds; a bad record throws `FieldError` naming its field.
  mutating func add(record: RecordScanner) throws
  /// Adds everything `other` holds.
  mutating func merge(_ other: Self) throws
}

/// Reads large plain files in byte ranges on several cores, one aggregate per range, then merges them.
///
/// A year of a city (mi-capita) is tens of millions of records in one file; the record path is CPU-bound, so the file is
/// cut into `threads` ranges at line boundaries (a range holds the lines that start inside it) and each range is
/// read with `pread` by its own worker. Sums are integers and persons are set unions, so the merged result equals
/// a sequential read byte for byte. Lines are handled as `RecordStream` handles them: a UTF-8 BOM at the start of a
/// file is skipped, `\r` before `\n` is dropped, blank lines are skipped, invalid UTF-8 and malformed JSON are errors.
/// The first bad record (in file order) stops the run with its file and line — the line number is the count of the
/// lines of the earlier ranges, all read in full, plus the line within its range. Used only when no record may be
/// rejected (`--rejects`), no input digest is needed (`--post`), and every input is a plain regular file.
public enum ParallelRead {
  /// Files at least this large are worth splitting.
  public static let minimumBytes: Int64 = 64 << 20

  /// Whether `inputs` can be read in ranges: regular files, not compressed, not standard input, large enough.
  public static func eligible(_ inputs: [String]) -> Bool {
    var total: Int64 = 0
    for path in inputs {
      if path == "-" || path.hasSuffix(".gz") || isGzipFile(path) { return false }
      var st = stat()
      guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
      total += Int64(st.st_size)
    }
    return !inputs.isEmpty && total >= minimumBytes
  }

  /// One range of one file.
  @usableFromInline struct Chunk: Sendable {
    @usableFromInline var file: Int
    @usableFromInline var path: String
    @usableFromInline var start: Int64
    @usableFromInline var end: Int64

    @usableFromInline init(file: Int, path: String, start: Int64, end: Int64) {
      (self.file, self.path, self.start, self.end) = (file, path, start, end)
    }
  }

  /// What a worker found in its range.
  @usableFromInline final class Outcome<A: Mergeable>: @unchecked Sendable {
    @usableFromInline var aggregator: A
    @usableFromInline var lines = 0
    @usableFromInline var records = 0
    @usableFromInline var error: (line: Int, error: FieldError)?
    @usableFromInline var ioError: MIError?

    @usableFromInline init(_ a: A) { aggregator = a }
  }

  /// Reads every input with `threads` workers, each range into an aggregate from `make`; returns the merged
  /// aggregate and the number of records read. A file is cut into at most `threads` ranges of at least
  /// `minimumChunk` bytes.
  @inlinable
  public static func run<A: Mergeable>(
    inputs: [String], threads: Int, minimumChunk: Int64 = 16 << 20, make: () -> A
  ) throws(MIError) -> (A, records: Int) {
    var chunks: [Chunk] = []
    for (f, path) in inputs.enumerated() {
      var st = stat()
      guard stat(path, &st) == 0 else { throw MIError.io("\(path): \(systemMessage())") }
      let size = Int64(st.st_size)
      let parts = max(1, min(threads, Int(size / max(1, minimumChunk)) + 1))
      for k in 0..<parts {
        chunks.append(
          Chunk(file: f, path: path, start: size * Int64(k) / Int64(parts), end: size * Int64(k + 1) / Int64(parts)))
      }
    }
    let outcomes = chunks.map { _ in Outcome(make()) }
    let work = chunks
    // concurrentPerform runs as many iterations at once as there are cores.
    DispatchQueue.concurrentPerform(iterations: work.count) { k in
      do throws(MIError) {
        try read(work[k], into: outcomes[k])
      } catch {
        outcomes[k].ioError = error
      }
    }
    // The first error in file order wins; the ranges before it were read in full, so its line number is exact.
    var linesBefore = 0
    var file = -1
    for (k, o) in outcomes.enumerated() {
      if work[k].file != file {
        file = work[k].file
        linesBefore = 0
      }
      if let e = o.ioError { throw e }
      if let e = o.error { throw e.error.at(work[k].path, linesBefore + e.line) }
      linesBefore += o.lines
    }
    var merged = outcomes[0].aggregator
    var records = outcomes[0].records
    for o in outcomes.dropFirst() {
      do {
        try merged.merge(o.aggregator)
      } catch {
        // Only sums beyond 64 bits fail here; no one line is to blame.
        throw MIError.data(file: inputs[0], line: 0, field: nil, message: "the inputs' sums no longer fit in 64 bits")
      }
      records += o.records
    }
    return (merged, records)
  }

  /// Reads the lines that start in `chunk` (the last may run past its end).
  @inlinable
  static func read<A: Mergeable>(_ chunk: Chunk, into o: Outcome<A>) throws(MIError) {
    let fd = open(chunk.path, O_RDONLY)
    guard fd >= 0 else { throw MIError.io("\(chunk.path): \(systemMessage())") }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 4 << 20)
    var have = 0  // bytes in buf
    var base = max(0, chunk.start - 1)  // file offset of buf[0]
    var eof = false
    // Refill: drops buf[..<from], moves the rest to the front and reads after it (growing buf for a long line).
    func fill(from: Int) throws(MIError) {
      if from > 0 {
        buf.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + from, have - from) }
        have -= from
        base += Int64(from)
      }
      if have == buf.count { buf.append(contentsOf: repeatElement(0, count: buf.count)) }
      let at = base + Int64(have)
      let n = buf.withUnsafeMutableBytes { b in pread(fd, b.baseAddress! + have, b.count - have, off_t(at)) }
      guard n >= 0 else { throw MIError.io("\(chunk.path): \(systemMessage())") }
      if n == 0 { eof = true }
      have += n
    }
    /// The index of the next newline at or after `from` in buf, or nil.
    func newline(from: Int) -> Int? {
      buf.withUnsafeBytes { b in
        memchr(b.baseAddress! + from, 0x0A, have - from).map { UnsafeRawPointer($0) - b.baseAddress! }
      }
    }
    var cursor = 0
    // A range that does not start the file begins after the first newline at or after start − 1.
    if chunk.start > 0 {
      while true {
        if let nl = newline(from: cursor) {
          cursor = nl + 1
          break
        }
        if eof { return }
        try fill(from: have)
        cursor = 0
      }
    }
    let scanner = RecordScanner()
    var agg = o.aggregator
    var lines = 0
    var records = 0
    defer {
      o.aggregator = agg
      o.lines = lines
      o.records = records
    }
    var first = chunk.start == 0
    while base + Int64(cursor) < chunk.end {
      // The end of the line at `cursor`, reading more as needed.
      var end: Int
      var searched = cursor
      while true {
        if let nl = newline(from: searched) {
          end = nl
          break
        }
        if eof {
          if cursor == have { return }
          end = have  // a last line without a newline
          break
        }
        searched = have - cursor
        try fill(from: cursor)
        cursor = 0
      }
      lines += 1
      var failed: FieldError? = nil
      let from = cursor
      buf.withUnsafeBytes { b in
        var s = from
        var t = end
        if first {
          first = false
          if t - s >= 3 && b[s] == 0xEF && b[s + 1] == 0xBB && b[s + 2] == 0xBF { s += 3 }
        }
        if t > s && b[t - 1] == 0x0D { t -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: b[s..<t])
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        records += 1
        do {
          if let bad = UTF8Check.firstInvalid(line) { throw FieldError(nil, UTF8Check.message(at: bad)) }
          try scanner.parse(line)
          try agg.add(record: scanner)
        } catch let e as FieldError {
          failed = e
        } catch {
          failed = FieldError(nil, "\(error)")
        }
      }
      if let failed {
        o.error = (lines, failed)
        return
      }
      cursor = min(end + 1, have)
      if end == have { return }
    }
  }
}
