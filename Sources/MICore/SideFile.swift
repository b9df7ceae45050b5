/// The reader of side files: the NDJSON files a run reads whole before its records (adjustments, approved lists,
/// auxiliary definitions, DIP catalogs and DRG weights given as NDJSON).
public enum SideFile {
  /// Where a record was read.
  public struct Position: Sendable {
    /// The file's name in messages.
    public var file: String
    /// The line number (from 1).
    public var line: Int
  }

  /// Calls `body` with each record of the NDJSON file at `path` and where it was read (blank lines are skipped); a malformed record or a
  /// `FieldError` from `body` stops the read with `MIError.data` naming the file, line and field. When `digest` is
  /// given, every record's bytes and a newline go into it (a run's input SHA-256).
  public static func forEachRecord(
    _ path: String, digest: inout SHA256?, _ body: (RecordScanner, SideFile.Position) throws(FieldError) -> Void
  ) throws(MIError) {
    let reader = try LineReader(path: path)
    let scanner = RecordScanner()
    while let line = try reader.nextLine() {
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      if digest != nil {
        digest!.update(line)
        digest!.update(byte: 0x0A)
      }
      do {
        try scanner.parse(line)
        try body(scanner, Position(file: reader.name, line: reader.lineNumber))
      } catch {
        throw error.at(reader.name, reader.lineNumber)
      }
    }
  }

  /// Calls `body` with each record of the NDJSON file at `path`, as `forEachRecord(_:digest:_:)` does.
  public static func forEachRecord(
    _ path: String, _ body: (RecordScanner, SideFile.Position) throws(FieldError) -> Void
  )
    throws(MIError)
  {
    var none: SHA256? = nil
    try forEachRecord(path, digest: &none, body)
  }
}
