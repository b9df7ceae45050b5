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
}
