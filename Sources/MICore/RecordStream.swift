import Foundation

/// The options every record-reading tool shares (the flags of `MICommandLine.CommonOptions`).
public struct StreamOptions: Sendable {
  /// `-o FILE`: output file, written atomically; nil or `-` for standard output.
  public var output: String?
  /// `--rejects FILE`: where bad lines go instead of stopping the run.
  public var rejects: String?
  /// `--progress`: show progress even when standard error is not a terminal.
  public var progress: Bool
  /// `--assume-filename NAME`: the name of standard input in messages.
  public var assumeFilename: String?

  /// Creates options.
  public init(output: String? = nil, rejects: String? = nil, progress: Bool = false, assumeFilename: String? = nil) {
    self.output = output
    self.rejects = rejects
    self.progress = progress
    self.assumeFilename = assumeFilename
  }
}

/// The record loop every tool runs: read the inputs line by line, scan each record, let the tool handle it,
/// send bad records to `--rejects` or stop on the first, show progress, and close with the summary line.
///
/// The tool's handler writes its output into `out.buffer` (with a `JSONWriter`); if it throws a `FieldError`
/// anything it wrote for that record is taken back, so a rejected record never leaves half a line.
public final class RecordStream {
  /// The scanner holding the current record.
  public let scanner = RecordScanner()
  /// The output the handler writes into.
  public let out: OutputFile
  /// Records read, written and rejected so far.
  public private(set) var counts = Counts()
  /// The name of the input being read and the current line number (for the handler's own messages).
  public private(set) var position: (file: String, line: Int) = ("-", 0)

  private let inputs: [String]
  private let options: StreamOptions
  private let rejects: RejectSink?
  private let progress: Progress

  /// Opens the output and the rejects file. `inputs` empty means standard input.
  public init(inputs: [String], options: StreamOptions) throws(MIError) {
    self.inputs = inputs.isEmpty ? ["-"] : inputs
    self.options = options
    out = try OutputFile(path: options.output)
    rejects = try options.rejects.map { (p: String) throws(MIError) in try RejectSink(path: p) }
    progress = Progress(force: options.progress)
  }

  /// What the handler did with a record.
  public enum Disposition {
    /// It wrote one output record.
    case written
    /// It consumed the record without writing one (an aggregating tool).
    case consumed
  }

  /// Runs `handler` on every record of every input, in order.
  ///
  /// A `FieldError` from the handler (or a malformed line) rejects the record: with `--rejects` the line goes
  /// there with its reason, otherwise the run stops with `MIError.data` naming file, line and field.
  public func run(_ handler: (RecordScanner) throws -> Disposition) throws {
    for path in inputs {
      let display = path == "-" ? (options.assumeFilename ?? "-") : path
      let reader = try LineReader(path: path, displayName: display, validateUTF8: false)
      while let line = try reader.nextLine() {
        if isBlank(line) { continue }
        counts.read += 1
        position = (display, reader.lineNumber)
        let mark = out.buffer.count
        do {
          do {
            try scanner.parse(line)  // checks the strings' UTF-8 as it goes
          } catch {
            // A line that is not UTF-8 is named as such, wherever its first bad byte lies.
            if let bad = UTF8Check.firstInvalid(line) { throw FieldError(nil, UTF8Check.message(at: bad)) }
            throw error
          }
          switch try handler(scanner) {
          case .written: counts.written += 1
          case .consumed: break
          }
        } catch let e as FieldError {
          out.buffer.removeSubrange(mark...)
          guard let rejects else { throw e.at(display, reader.lineNumber) }
          try rejects.reject(line, reason: e.at(display, reader.lineNumber).message)
          counts.rejected += 1
        }
        try out.flushIfNeeded()
        progress.update(records: counts.read, consumed: { reader.consumedBytes() }, total: reader.size)
      }
    }
  }

  /// Counts a record written outside the handler (aggregate records written at the end).
  public func countWritten(_ n: Int = 1) { counts.written += n }

  /// Flushes and closes the output and the rejects file, then prints the summary line with `extra` parts.
  public func finish(extra: [String] = []) throws(MIError) {
    try out.finish()
    try rejects?.finish()
    Diagnostics.line("\(Diagnostics.tool): \(counts.summary(extra))")
  }

  private func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
    for c in line where c != 0x20 && c != 0x09 { return false }
    return true
  }
}
