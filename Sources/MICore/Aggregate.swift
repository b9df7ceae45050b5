/// What an aggregating tool keeps while it reads (mi-clear's per-hospital totals, mi-capita's sums and persons,
/// mi-score derive's group costs): records go in one at a time, and the state is exact, so it can be written out
/// as partial records (`--partial`) and merged back from them (`--merge`) to the result one run over every record
/// gives, byte for byte (DESIGN.md §6; the shape of xsv's `Commute::merge`).
///
/// The partial records are NDJSON of one `kind` per tool (`clearing-partial`, `capitation-partial`,
/// `derive-partial`), each file starting with the one header record of `PartialHeader` (written by `writePartials`,
/// checked in `merge` by a `PartialHeaderReader`); mi-clear(1), section PARTIAL FILES, documents them.
public protocol Aggregate {
  /// What `finish` gives.
  associatedtype Result

  /// Adds the record the scanner holds; a bad field throws `FieldError` (the record is rejected and leaves no
  /// trace in the aggregate).
  mutating func add(record: RecordScanner) throws

  /// Merges one partial record (written by `writePartials` of a `--partial` run) held by the scanner, read at
  /// `line` of `file` (a partial with a header starts again at a new file or a line number that goes back).
  mutating func merge(partial record: RecordScanner, file: String, line: Int) throws

  /// Passes the partial records of everything added or merged so far to `emit` (whole lines, one or more at a
  /// time); returns how many records.
  @discardableResult
  mutating func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int

  /// The aggregate's result.
  mutating func finish() throws -> Result
}

extension RecordStream {
  /// Reads every record of the inputs into `aggregate`: partial records when `merge` (`--merge`), else records
  /// (`add(record:)`). When `digest` is given, every record's bytes and a newline go into it (the input SHA-256 of a
  /// `--post`ed run).
  @inlinable
  public func aggregate<A: Aggregate>(into aggregate: inout A, merge: Bool, digest: inout SHA256?) throws {
    // Local copies: the non-escaping closure's captured values are checked for exclusivity at compile time.
    var d = digest
    var a = aggregate
    defer {
      aggregate = a
      digest = d
    }
    try run { s in
      if d != nil {
        d!.update(s.line)
        d!.update(byte: 0x0A)
      }
      if merge { try a.merge(partial: s, file: position.file, line: position.line) } else { try a.add(record: s) }
      return .consumed
    }
  }

  /// Writes the partial records of `aggregate` to the output (`--partial`), counted; returns how many.
  @discardableResult
  public func emitPartials<A: Aggregate>(of aggregate: inout A) throws -> Int {
    let out = self.out
    let n = try aggregate.writePartials { lines in
      out.buffer.append(contentsOf: lines)
      try out.flushIfNeeded()
    }
    countWritten(n)
    return n
  }
}
