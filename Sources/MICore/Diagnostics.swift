import Foundation

/// Messages on standard error: `TOOL: FILE:LINE: field "x": message`, warnings, and the closing summary.
///
/// Standard error is written line by line, unbuffered, so messages interleave correctly with a progress line.
public enum Diagnostics {
  nonisolated(unsafe) private static var toolName = "mi"
  nonisolated(unsafe) private static var progressShown = false
  nonisolated(unsafe) private static var pendingSummary: (() -> String)?

  /// The tool name every message starts with.
  public static var tool: String {
    get { toolName }
    set { toolName = newValue }
  }

  /// Writes one line to standard error, clearing a progress line first.
  public static func line(_ text: String) {
    var bytes = Array((progressShown ? "\r\u{1B}[K" : "").utf8)
    progressShown = false
    bytes.append(contentsOf: text.utf8)
    bytes.append(0x0A)
    bytes.withUnsafeBytes { p in
      var off = 0
      while off < p.count {
        let n = write(STDERR_FILENO, p.baseAddress! + off, p.count - off)
        if n <= 0 { if errno == EINTR { continue } else { return } }
        off += n
      }
    }
  }

  /// Writes a progress line in place (terminal only).
  static func progress(_ text: String) {
    let bytes = Array(("\r\u{1B}[K" + text).utf8)
    bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress!, $0.count) }
    progressShown = true
  }

  /// Reports an error: `TOOL: message`, followed by the summary line of a run it stopped (see `summaryOnError`).
  public static func error(_ error: MIError) {
    if case .closedPipe = error { return }
    line("\(tool): \(error.message)")
    if let summary = pendingSummary {
      pendingSummary = nil
      line(summary())
    }
  }

  /// Sets the summary line that `error` prints after the message when a run stops on an error (a `RecordStream`
  /// sets it when it opens and clears it when it finishes), so that a stopped run still says what it read and wrote.
  public static func summaryOnError(_ summary: (() -> String)?) {
    pendingSummary = summary
  }

  /// The fields whose values are personal data (SCHEMA.md): a message never quotes them in clear.
  public static let personalFields: Set<String> = ["psn_no", "certno", "psn_name", "tel", "addr"]

  /// A personal value as messages quote it. An identifier (`psn_no`, `certno`) of 12 characters or more keeps its
  /// first 4 and last 4 characters, the rest each replaced by `*` (`3301**********1234`), so that the record can
  /// still be found; any other personal value, and a shorter identifier, is `***`. A value of another field is
  /// returned as it is.
  public static func mask(_ value: String, field: String) -> String {
    guard personalFields.contains(field) else { return value }
    let chars = Array(value)
    guard field == "psn_no" || field == "certno", chars.count >= 12 else { return "***" }
    return String(chars.prefix(4)) + String(repeating: "*", count: chars.count - 8) + String(chars.suffix(4))
  }

  /// Reports a warning: `TOOL: warning: message`.
  public static func warning(_ message: String) {
    line("\(tool): warning: \(message)")
  }

  /// Reports a usage error followed by the hint to read `--help`.
  public static func usage(_ message: String) {
    line("\(tool): \(message)")
    line("Try '\(tool) --help' for more information.")
  }
}

/// Counts of records through a run, for the closing summary line `read N, written M, rejected K`.
public struct Counts: Sendable, Equatable {
  /// Records read (non-empty lines).
  public var read = 0
  /// Records written.
  public var written = 0
  /// Records rejected (written to `--rejects`).
  public var rejected = 0

  /// Creates zero counts.
  public init() {}

  /// The summary line without the tool name; `extra` parts follow after a semicolon.
  public func summary(_ extra: [String] = []) -> String {
    var s = "read \(read), written \(written), rejected \(rejected)"
    if !extra.isEmpty { s += "; " + extra.joined(separator: ", ") }
    return s
  }
}

/// The `--rejects FILE` sink: each bad line, with a `reject_reason` field naming file, line and field.
///
/// A line that is a JSON object is written with its members and the reason appended; a line that is not (or is
/// not UTF-8) is wrapped as `{"reject_line": "…", "reject_reason": "…"}` (invalid bytes as `reject_line_base64`)
/// so that nothing is lost.
public final class RejectSink {
  private let out: OutputFile
  private let scanner = RecordScanner()
  private static let owned = FieldSet(["reject_reason"])

  /// Opens the rejects file (written under a temporary name, renamed by `finish()`).
  public init(path: String) throws(MIError) {
    out = try OutputFile(path: path)
  }

  /// Writes one rejected line with its reason.
  public func reject(_ line: UnsafeRawBufferPointer, reason: String) throws(MIError) {
    var w = JSONWriter()
    if UTF8Check.firstInvalid(line) == nil, (try? scanner.parse(line)) != nil {
      w.beginCopy(of: scanner, except: RejectSink.owned, into: &out.buffer)
    } else {
      w.begin(&out.buffer)
      if UTF8Check.firstInvalid(line) == nil {
        w.string("reject_line", String(decoding: line, as: UTF8.self), &out.buffer)
      } else {
        w.string("reject_line_base64", Data(line).base64EncodedString(), &out.buffer)
      }
    }
    w.string("reject_reason", reason, &out.buffer)
    w.end(&out.buffer)
    try out.flushIfNeeded()
  }

  /// Flushes and renames the rejects file into place.
  public func finish() throws(MIError) { try out.finish() }
}

/// Progress on standard error: records, rate and percent of the input, at most ten updates a second.
///
/// Shown only when standard error is a terminal, or when forced with `--progress`; never otherwise, so that cron
/// logs stay clean.
public final class Progress {
  private let enabled: Bool
  private let started = Date()
  private var last = Date.distantPast

  /// Creates a progress reporter; `force` is the `--progress` flag.
  public init(force: Bool) {
    enabled = force || isatty(STDERR_FILENO) != 0
  }

  /// Whether updates are shown.
  public var isEnabled: Bool { enabled }

  /// Updates the line (cheap to call often: it checks the clock only every 8,192 records).
  @inline(__always)
  public func update(records: Int, consumed: () -> Int64, total: Int64?) {
    guard enabled, records & 8191 == 0 else { return }
    let now = Date()
    guard now.timeIntervalSince(last) >= 0.1 else { return }
    last = now
    let seconds = max(now.timeIntervalSince(started), 0.001)
    var text = "\(records) records, \(Int(Double(records) / seconds)) records/s"
    if let total, total > 0 {
      let pct = min(100, Int(Double(consumed()) * 100 / Double(total)))
      text += ", \(pct)%"
    }
    Diagnostics.progress(text)
  }
}

extension Diagnostics {
  /// A JSON parse error of Foundation's `JSONSerialization` on `data` read from `file`, as the message
  /// `FILE:LINE:COLUMN: not valid JSON: what is wrong` (line and column from 1, the column in characters).
  /// Foundation reports a byte offset ("… around character 25.") or the end of the data; an error without either
  /// is `FILE: not valid JSON: …`.
  public static func jsonError(_ error: Error, in data: Data, file: String) -> String {
    let ns = error as NSError
    var text = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    var offset: Int? = nil
    if let r = text.range(of: " around character ") {
      offset = Int(text[r.upperBound...].prefix { $0.isNumber })
      text = String(text[..<r.lowerBound])
    } else if text.lowercased().contains("end of file") {
      offset = data.count
    }
    while text.hasSuffix(".") { text.removeLast() }
    if let first = text.first { text = first.lowercased() + text.dropFirst() }
    guard let offset, offset >= 0, offset <= data.count else { return "\(file): not valid JSON: \(text)" }
    let before = data.prefix(offset)
    let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? before.startIndex
    let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
    return "\(file):\(line):\(column): not valid JSON: \(text)"
  }
}
