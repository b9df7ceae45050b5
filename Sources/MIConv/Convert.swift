import Foundation
import MICore

/// `mi-conv from`: extracts (CSV, TSV, xlsx, zip members) to canonical NDJSON.
public enum FromTables {
  /// Converts every table of `paths` (standard input when empty) and returns the closing summary line (without
  /// the tool name); warnings go to standard error as they are found.
  public static func run(
    paths: [String], input: InputOptions, mapping: MappingOptions, stream: StreamOptions
  ) throws(MIError) -> String {
    let out = try OutputFile(path: stream.output)
    let rejects = try stream.rejects.map { (p: String) throws(MIError) in try RejectSink(path: p) }
    let counts = CountsBox()
    Diagnostics.summaryOnError { "\(Diagnostics.tool): \(counts.value.summary(["stopped by the error above"]))" }
    do throws(MIError) {
      for path in paths.isEmpty ? ["-"] : paths {
        for table in try TableInput.open(path, input) {
          try convert(table, input: input, mapping: mapping, out: out, rejects: rejects, counts: counts)
        }
      }
    } catch {
      try? out.flush()
      throw error
    }
    Diagnostics.summaryOnError(nil)
    try rejects?.finish()
    try out.finish()
    return counts.value.summary()
  }

  /// Converts one table.
  static func convert(
    _ table: TableInput, input: InputOptions, mapping: MappingOptions, out: OutputFile, rejects: RejectSink?,
    counts: CountsBox
  ) throws(MIError) {
    guard let header = try table.header(input.columns) else { return }
    let builder = try RecordBuilder(
      columns: header.columns, options: mapping, file: table.name, line: max(header.line, 1))
    while try table.next() {
      let row = table.row
      counts.value.read += 1
      do throws(FieldError) {
        if try builder.build(row, into: &out.buffer) { counts.value.written += 1 } else { counts.value.read -= 1 }
      } catch {
        let e = error.at(table.name, row.line)
        guard let rejects else { throw e }
        try reject(builder.rawRecord(row), to: rejects, reason: e.message)
        counts.value.rejected += 1
      }
      try out.flushIfNeeded()
    }
    warnNumericText(builder, file: table.name)
  }

  /// Warns that text fields came from number cells, where a code's leading zero may have been lost.
  static func warnNumericText(_ builder: RecordBuilder, file: String) {
    guard let first = builder.firstNumericText else { return }
    Diagnostics.warning(
      "\(file): \(builder.numericTextCells) text cell(s) held numbers (first: row \(first.line), field "
        + "\"\(first.field)\"), read as text; a code's leading zero may have been lost (format the column as text)")
  }
}

/// Counts shared with the summary printed when an error stops the run.
final class CountsBox: @unchecked Sendable {
  var value = Counts()
}

/// Writes a rejected row (its cells as a JSON object) with its reason.
func reject(_ record: [UInt8], to sink: RejectSink, reason: String) throws(MIError) {
  var failure: MIError? = nil
  record.withUnsafeBytes { p in
    do throws(MIError) { try sink.reject(p, reason: reason) } catch { failure = error }
  }
  if let failure { throw failure }
}
