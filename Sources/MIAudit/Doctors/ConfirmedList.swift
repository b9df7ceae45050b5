import MICore

/// The findings a reviewer confirmed (`mi-audit doctors --confirmed FILE`): points attach only after a penalty or
/// 协议处理 with a responsibility finding (AUDIT.md §4), so only these findings count.
///
/// Each line is either an NDJSON object with `rule_id` and `key` (a finding's primary key: `feedetl_sn`, else
/// `setl_id`, `psn_no`, `fixmedins_code`; or its `setl_id`), a finding record itself (so a findings file filtered
/// with jq is such a list), or a text line `RULE_ID KEY` (space or tab between); blank lines and lines starting
/// with `#` are skipped.
public struct ConfirmedList: Sendable {
  /// One confirmed finding.
  public struct Entry: Hashable, Sendable {
    /// The rule.
    public var ruleID: String
    /// The finding's key.
    public var key: String

    /// Creates an entry.
    public init(ruleID: String, key: String) {
      self.ruleID = ruleID
      self.key = key
    }
  }

  /// The entries, without duplicates.
  public private(set) var entries: Set<Entry> = []
  /// The entries matched by a finding so far.
  private var matched: Set<Entry> = []

  /// Creates a list (tests).
  public init(_ entries: [Entry]) { self.entries = Set(entries) }

  /// Reads the list at `path` (`-` is standard input); a bad line stops with file and line. Every line's bytes go
  /// into `digest` when one is given (a posted run's input SHA-256).
  public static func read(_ path: String, digest: inout SHA256?) throws(MIError) -> ConfirmedList {
    var list = ConfirmedList([])
    let reader = try LineReader(path: path)
    let scanner = RecordScanner()
    while let line = try reader.nextLine() {
      if digest != nil {
        digest!.update(line)
        digest!.update(byte: 0x0A)
      }
      let text = ConfirmedList.trimmed(String(decoding: line, as: UTF8.self))
      if text.isEmpty || text.hasPrefix("#") { continue }
      do throws(FieldError) {
        if text.hasPrefix("{") {
          try scanner.parse(line)
          if try scanner.string("kind") == "finding" {
            let f = try FindingRecord.read(scanner)
            list.entries.insert(Entry(ruleID: f.ruleID, key: f.key))
            continue
          }
          guard let rule = try scanner.code("rule_id") else { throw FieldError("rule_id", "missing") }
          guard let key = try scanner.code("key") else { throw FieldError("key", "missing") }
          list.entries.insert(Entry(ruleID: rule, key: key))
        } else {
          let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
          guard parts.count == 2 else {
            throw FieldError(
              nil, "expected 'RULE_ID KEY' or a JSON object with rule_id and key, found \(parts.count) words")
          }
          list.entries.insert(Entry(ruleID: String(parts[0]), key: String(parts[1])))
        }
      } catch {
        throw error.at(reader.name, reader.lineNumber)
      }
    }
    return list
  }

  /// Whether `finding` is confirmed: an entry names its rule and its key, or its rule and its `setl_id` (a
  /// settlement confirmed as a whole confirms that rule's findings on it; a finding record carries its first
  /// detail line as `feedetl_sn`, so a case-level finding is best named by its settlement). Remembers the match,
  /// so `unmatched` can count entries no finding had.
  public mutating func confirms(_ finding: FindingRecord) -> Bool {
    var hit = false
    for key in [finding.key, finding.setlID].compactMap({ $0 }) {
      let e = Entry(ruleID: finding.ruleID, key: key)
      if entries.contains(e) {
        matched.insert(e)
        hit = true
      }
    }
    return hit
  }

  /// The confirmed entries that no finding read so far matched (a key mistyped, or findings of another run).
  public var unmatched: Int { entries.count - matched.count }

  /// A text line without leading and trailing spaces and tabs.
  static func trimmed(_ line: String) -> String {
    var s = Substring(line)
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}
