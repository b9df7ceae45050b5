/// The header record that starts every partial file of an aggregating command (`--partial`; mi-clear(1), section
/// PARTIAL FILES): written by `line()`, checked on `--merge` by `PartialHeaderReader`, the same for every tool.
///
/// `{"kind":K,"part":"header","tool":T,"tool_version":V,"params":P,"params_sha256":H,"year":Y,"month":M}`: the
/// tool's partial kind, the tool, `MIVersion.current`, the params name given and the SHA-256 of the values that
/// shape the partial, the period's year (a string, null for a run without a period) and month (null for a year).
public struct PartialHeader: Sendable, Equatable {
  /// The `kind` of every record of the tool's partials (`clearing-partial`, `capitation-partial`, `derive-partial`).
  public var kind: String
  /// The tool that writes them (`mi-clear`, `mi-capita`, `mi-score`).
  public var tool: String
  /// How messages name the writing command (`mi-clear --partial`).
  public var command: String
  /// The params name given (`--params`, or derive's method).
  public var params: String
  /// SHA-256 (hex) of the values that shape the partial: partials agree on params when this agrees.
  public var paramsSHA256: String
  /// What the digest covers, for messages (`[clearing] values`).
  public var covers: String
  /// The period's year, or nil; its month, or nil for the whole year.
  public var year: String?, month: Int?
  /// The mi-tools version (`MIVersion.current`).
  public var toolVersion: String

  /// Creates the header of a run.
  public init(
    kind: String, tool: String, command: String, params: String, paramsSHA256: String, covers: String,
    year: String?, month: Int?, toolVersion: String = MIVersion.current
  ) {
    (self.kind, self.tool, self.command, self.params) = (kind, tool, command, params)
    (self.paramsSHA256, self.covers, self.year, self.month) = (paramsSHA256, covers, year, month)
    self.toolVersion = toolVersion
  }

  /// The SHA-256 (hex) of `text`: a tool's canonical text of the values its partials depend on.
  public static func digest(_ text: String) -> String {
    var h = SHA256()
    h.update(Array(text.utf8))
    return h.hexDigest()
  }

  /// The header record, one line.
  public func line() -> [UInt8] {
    var b: [UInt8] = []
    var w = JSONWriter()
    w.begin(&b)
    w.string("kind", kind, &b)
    w.string("part", "header", &b)
    w.string("tool", tool, &b)
    w.string("tool_version", toolVersion, &b)
    w.string("params", params, &b)
    w.string("params_sha256", paramsSHA256, &b)
    w.string("year", year, &b)
    w.int("month", month.map(Int64.init), &b)
    w.end(&b)
    return b
  }

  /// Checks a header record (its `kind` already checked) against this run's: tool, version, params digest and
  /// period; the first that differs throws naming its field.
  public func check(_ s: RecordScanner) throws(FieldError) {
    guard let t = try s.string("tool") else { throw FieldError("tool", "missing") }
    guard t == tool else { throw FieldError("tool", "a partial of \(t); this run is of \(tool)") }
    guard let v = try s.string("tool_version") else { throw FieldError("tool_version", "missing") }
    guard v == toolVersion else {
      throw FieldError("tool_version", "a partial written by mi-tools \(v); this run is mi-tools \(toolVersion)")
    }
    let name = try s.string("params") ?? "?"
    guard let sha = try s.string("params_sha256") else { throw FieldError("params_sha256", "missing") }
    guard sha == paramsSHA256 else {
      throw FieldError("params_sha256", "a partial made under params \(name) with other \(covers) than \(params)")
    }
    let y = try s.code("year")
    if let year {
      guard let y else { throw FieldError("year", "missing") }
      guard y == year else { throw FieldError("year", "a partial of \(y); this run is of \(year)") }
    } else if let y {
      throw FieldError("year", "a partial of \(y); this run has no period")
    }
    let m = try s.int("month")
    guard m == month.map(Int64.init) else {
      let theirs = m.map { "month \($0)" } ?? "the whole year"
      let ours = month.map { "month \($0)" } ?? "the whole year"
      throw FieldError("month", "a partial of \(theirs); this run is of \(ours)")
    }
  }
}

/// Reads the headers of partial files on `--merge`: every record must be of the run's `kind`, and every file (a
/// new file, or a line number that goes back: concatenated partials) must start with a header that agrees with
/// the run's (`PartialHeader.check`).
public struct PartialHeaderReader: Sendable {
  /// This run's header.
  public let expected: PartialHeader
  /// Header records read.
  public private(set) var partials = 0
  private var position: (file: String, line: Int)? = nil
  private var headerSeen = false

  /// Creates a reader for a run whose header is `expected`.
  public init(_ expected: PartialHeader) { self.expected = expected }

  /// Reads the record `s` holds at `line` of `file`: true when it was a header (checked, nothing more to read),
  /// false for a data record after its file's header.
  public mutating func read(_ s: RecordScanner, file: String, line: Int) throws(FieldError) -> Bool {
    if !(position.map { $0.file == file && $0.line < line } ?? false) { headerSeen = false }
    position = (file, line)
    guard try s.string("kind") == expected.kind else {
      throw FieldError("kind", "expected \"\(expected.kind)\" (a record of \(expected.command))")
    }
    let part = try s.string("part")
    if part == "header" {
      try expected.check(s)
      headerSeen = true
      partials += 1
      return true
    }
    guard headerSeen else {
      let found = part.map { "\"\($0)\"" } ?? "a record without one"
      throw FieldError("part", "a partial starts with its header record (part \"header\"), found \(found)")
    }
    return false
  }
}

/// One record of a partial file after its header: `{"kind":KIND,"part":PART, …members…}` as one line (no newline),
/// the shape every aggregate's partial records share.
public enum PartialRecord {
  /// Builds the line; `members` writes the part's own members.
  public static func line(
    kind: String, part: StaticString, _ members: (inout JSONWriter, inout [UInt8]) -> Void
  ) -> [UInt8] {
    var b: [UInt8] = []
    var w = JSONWriter()
    w.begin(&b)
    w.string("kind", kind, &b)
    w.key("part", &b)
    JSONWriter.appendString(part.description, to: &b)
    members(&w, &b)
    w.end(&b)
    return b
  }
}
