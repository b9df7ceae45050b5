/// What an aggregating tool keeps while it reads (mi-clear's per-hospital totals, mi-capita's sums and persons,
/// mi-score derive's group costs): records go in one at a time, and the state is exact, so it can be written out
/// as partial records (`--partial`) and merged back from them (`--merge`) to the result one run over every record
/// gives, byte for byte (DESIGN.md §6; the shape of xsv's `Commute::merge`).
///
/// The partial records are NDJSON of one `kind` per tool (`clearing-partial`, `capitation-partial`,
/// `derive-partial`), each file starting with the one header record of the aggregate's `partialHeader`: the
/// mechanism, not the conformance, writes it (`emitPartials`) and checks it (`RecordStream.aggregate` with a
/// `PartialHeaderReader`), so a new aggregate cannot forget either; mi-clear(1), section PARTIAL FILES, documents
/// them.
public protocol Aggregate {
  /// What `finish` gives.
  associatedtype Result

  /// The header of this run's partials: written first by `emitPartials`, and on `--merge` every partial file must
  /// start with one that agrees (`PartialHeader.check`) before `merge(partial:)` sees its records.
  var partialHeader: PartialHeader { get }

  /// Adds the record the scanner holds; a bad field throws `FieldError` (the record is rejected and leaves no
  /// trace in the aggregate).
  mutating func add(record: RecordScanner) throws

  /// Merges one partial record (written by `writePartials` of a `--partial` run) held by the scanner: a data
  /// record of the aggregate's `kind`, after its file's header (both checked by `RecordStream.aggregate`).
  mutating func merge(partial record: RecordScanner) throws

  /// Passes the partial records of everything added or merged so far to `emit` (whole lines, one or more at a
  /// time), not the header (`emitPartials` writes it first); returns how many records.
  @discardableResult
  mutating func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int

  /// The aggregate's result.
  mutating func finish() throws -> Result
}

/// An aggregate that workers can fill separately and then combine (sums add, sets unite), so that records can be
/// read on several cores (`RecordStream.aggregate(into:merge:threads:digest:make:)`). `merge` throws only when a sum
/// leaves 64 bits.
public protocol Mergeable: SendableMetatype {
  /// Adds the record the scanner holds; a bad record throws `FieldError` naming its field.
  mutating func add(record: RecordScanner) throws
  /// Adds everything `other` holds.
  mutating func merge(_ other: Self) throws
}

/// One worker's aggregate in `RecordStream.aggregate(into:merge:threads:digest:make:)`, used by its thread alone.
@usableFromInline final class WorkerAggregate<A>: @unchecked Sendable {
  @usableFromInline var value: A
  @usableFromInline init(_ value: A) { self.value = value }
}

extension RecordStream {
  /// Reads every record of the inputs into `aggregate`: records (`add(record:)`), or when `merge` (`--merge`)
  /// partial records, every file of which must start with a header agreeing with the aggregate's `partialHeader`
  /// (a new file, or a line number that goes back: concatenated partials; `PartialHeaderReader`). When `digest` is
  /// given, every record's bytes and a newline go into it (the input SHA-256 of a `--post`ed run). Returns how many
  /// partial headers were read (0 without `merge`), for the summary line's "partials N".
  @inlinable
  @discardableResult
  public func aggregate<A: Aggregate>(into aggregate: inout A, merge: Bool, digest: inout SHA256?) throws -> Int {
    // Local copies: the non-escaping closure's captured values are checked for exclusivity at compile time.
    var d = digest
    var a = aggregate
    var headers = PartialHeaderReader(a.partialHeader)
    defer {
      aggregate = a
      digest = d
    }
    try run { s in
      if d != nil {
        d!.update(s.line)
        d!.update(byte: 0x0A)
      }
      if !merge {
        try a.add(record: s)
      } else if try !headers.read(s, file: position.file, line: position.line) {
        try a.merge(partial: s)
      }
      return .consumed
    }
    return headers.partials
  }

  /// Writes the header and the partial records of `aggregate` to the output (`--partial`), counted; returns how
  /// many, the header included.
  @discardableResult
  public func emitPartials<A: Aggregate>(of aggregate: inout A) throws -> Int {
    let out = self.out
    out.buffer.append(contentsOf: aggregate.partialHeader.line())
    let n = try aggregate.writePartials { lines in
      out.buffer.append(contentsOf: lines)
      try out.flushIfNeeded()
    }
    countWritten(n + 1)
    return n + 1
  }

  /// Reads every record of the inputs into `aggregate` with `threads` workers, the one parallel reader of the
  /// tools (`run(threads:digest:makeHandler:)`, one meaning of `--threads`): each worker adds the records of the
  /// batches it handles to its own aggregate from `make()`, and the workers' aggregates are then merged into
  /// `aggregate`. Sums add and sets unite (`Mergeable`), so the result is the one loop's whichever worker read which
  /// batch; the counts, the rejects, the digest and the first error are `run`'s. With `merge` (partials, whose
  /// headers are read in file order) or `threads` ≤ 1 it is `aggregate(into:merge:digest:)`; returns what that
  /// returns (partial headers read), 0 otherwise.
  @inlinable
  @discardableResult
  public func aggregate<A: Aggregate & Mergeable>(
    into aggregate: inout A, merge: Bool, threads: Int, digest: inout SHA256?, make: () -> A
  ) throws -> Int {
    if merge || threads <= 1 { return try self.aggregate(into: &aggregate, merge: merge, digest: &digest) }
    let parts = (0..<threads).map { _ in WorkerAggregate(make()) }
    try run(threads: threads, digest: &digest) { k in
      let part = parts[k]
      return { s, _ in
        try part.value.add(record: s)
        return .consumed
      }
    }
    for part in parts {
      do {
        try aggregate.merge(part.value)
      } catch {
        // Only sums beyond 64 bits fail here; no one line is to blame.
        throw MIError.data(
          file: position.file, line: 0, field: nil, message: "the inputs' sums no longer fit in 64 bits")
      }
    }
    return 0
  }
}
