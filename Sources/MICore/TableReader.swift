/// Reads delimited text tables (TSV, or CSV with RFC 4180 quoting) line by line, with file and line numbers.
///
/// The delimiter is a comma for names ending in `.csv` (or `.csv.gz`) and a tab otherwise. A quoted CSV field may
/// hold commas and doubled quotes; it may not span lines (a bureau extract that does must be converted to one record per line first).
public final class TableReader {
  private let reader: LineReader
  /// The field delimiter.
  public let delimiter: UInt8

  /// Opens a table file (`-` is standard input).
  public init(path: String, delimiter: UInt8? = nil) throws(MIError) {
    reader = try LineReader(path: path)
    let lower = path.lowercased()
    self.delimiter = delimiter ?? (lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") ? UInt8(ascii: ",") : 0x09)
  }

  /// The file name for messages.
  public var name: String { reader.name }
  /// The number of the row last returned.
  public var lineNumber: Int { reader.lineNumber }

  /// The next non-blank row's fields, or nil at end of input.
  public func nextRow() throws(MIError) -> [String]? {
    while let line = try reader.nextLine() {
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      return try split(line)
    }
    return nil
  }

  /// An error at the current row, naming the column.
  public func error(_ field: String?, _ message: String) -> MIError {
    .data(file: reader.name, line: reader.lineNumber, field: field, message: message)
  }

  private func split(_ line: UnsafeRawBufferPointer) throws(MIError) -> [String] {
    var fields: [String] = []
    if delimiter == 0x09 {
      var start = 0
      for (i, c) in line.enumerated() where c == 0x09 {
        fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<i]), as: UTF8.self))
        start = i + 1
      }
      fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[start...]), as: UTF8.self))
      return fields
    }
    var cur: [UInt8] = []
    var i = 0
    let n = line.count
    var quoted = false
    var wasQuoted = false
    while i < n {
      let c = line[i]
      if quoted {
        if c == UInt8(ascii: "\"") {
          if i + 1 < n && line[i + 1] == UInt8(ascii: "\"") {
            cur.append(c)
            i += 2
            continue
          }
          quoted = false
        } else {
          cur.append(c)
        }
      } else if c == UInt8(ascii: "\"") && cur.isEmpty && !wasQuoted {
        quoted = true
        wasQuoted = true
      } else if c == delimiter {
        fields.append(String(decoding: cur, as: UTF8.self))
        cur.removeAll()
        wasQuoted = false
      } else {
        cur.append(c)
      }
      i += 1
    }
    if quoted {
      throw MIError.data(file: reader.name, line: reader.lineNumber, field: nil, message: "unterminated quoted field")
    }
    fields.append(String(decoding: cur, as: UTF8.self))
    return fields
  }
}
