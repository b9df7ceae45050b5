import Foundation

/// Messages on standard error: `TOOL: FILE:LINE: field "x": message`, warnings, and the closing summary.
///
/// Standard error is written line by line, unbuffered, so messages interleave correctly with a progress line.
public enum Diagnostics {
  nonisolated(unsafe) private static var toolName = "mi"
  nonisolated(unsafe) private static var progressShown = false

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

  /// Reports an error: `TOOL: message`.
  public static func error(_ error: MIError) {
    if case .closedPipe = error { return }
    line("\(tool): \(error.message)")
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
