import MICore

/// An aggregating command's run around its library's `Aggregate` (`mi-clear` and `mi-capita` prepay|settle): the
/// workspace, the inputs' stream, the input digest that `--post` records, reading records (on `--threads` workers
/// when the aggregate is `Mergeable`) or with `--merge` partials, writing partials (`--partial`), the ledger posting
/// with its guard (`LedgerPosting`), and the summary line. The tool adds its params, adjustments and results.
public struct AggregateRun<A: Aggregate> {
  /// The workspace, when the run needs one (params by name, the ledger, `--post`).
  public let ws: Workspace?
  /// The inputs and the output.
  public let stream: RecordStream
  /// What has been read.
  public var state: A
  /// SHA-256 of what the run read (adjustments, then records), kept only with `--post`.
  public var digest: SHA256?
  /// The shared flags.
  public let options: AggregateOptions
  /// Partial files read (`--merge`).
  public var partials = 0

  /// Opens the stream of `inputs` (standard input when empty) for a run whose aggregate starts as `state`; the
  /// input digest starts with `--post` (`digest`: what the run has already hashed, or nil for a fresh one).
  public init(
    _ options: AggregateOptions, common: CommonOptions, inputs: [String], ws: Workspace?, state: A,
    digest: SHA256? = nil
  ) throws {
    (self.options, self.ws, self.state) = (options, ws, state)
    self.digest = options.post ? (digest ?? SHA256()) : nil
    stream = try RecordStream(inputs: inputs, options: common.stream)
  }

  /// Reads every record (with `--merge` every partial record) into the aggregate, in one loop. Inlinable, as
  /// the record loops are, so the tool's aggregate is called directly, not through the generic witness.
  @inlinable
  public mutating func read() throws {
    partials = try stream.aggregate(into: &state, merge: options.merge, digest: &digest)
  }

  /// With `--partial`: writes the partial records and the summary line with `extra`; returns true when it did.
  public mutating func finishPartial(extra: [String]) throws -> Bool {
    guard options.partial else { return false }
    try stream.emitPartials(of: &state)
    try stream.finish(extra: extra)
    return true
  }

  /// With `--post`, refuses before anything is written a run that would supersede the effective run of the
  /// period with no records or fewer than half of its records (`LedgerGuard`), unless `--force`.
  public func checkPost(_ posting: LedgerPosting) throws { try posting.check(options, ws) }

  /// Closes the output and prints the summary line with `extra` and, with `--post`, the part naming the run
  /// posted with `lines`.
  public func finish(_ posting: LedgerPosting, lines: [LedgerLine], extra: [String]) throws {
    var extra = extra
    if let posted = try posting.post(options, ws, digest: digest, lines: lines) { extra.append(posted) }
    try stream.finish(extra: extra)
  }
}

extension AggregateRun where A: Mergeable {
  /// Reads every record into the aggregate on `threads` workers, each filling its own from `make()`
  /// (`RecordStream.aggregate(into:merge:threads:digest:make:)`); with `--merge`, the partials in one loop.
  @inlinable
  public mutating func read(threads: Int, make: () -> A) throws {
    partials = try stream.aggregate(into: &state, merge: options.merge, threads: threads, digest: &digest, make: make)
  }
}
