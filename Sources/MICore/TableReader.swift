import Foundation

/// The text encoding of a table file: given by `--encoding`, or `auto` (a byte-order mark says which, else UTF-8).
public enum TableEncoding: String, Sendable, CaseIterable {
  /// A UTF-8 or GB18030 byte-order mark decides; without one the file is read as UTF-8.
  case auto
  /// UTF-8 (a leading BOM is skipped).
  case utf8 = "utf-8"
  /// GB18030 (GBK and GB2312 are subsets), as Excel and WPS save "CSV" on Chinese Windows.
  case gb18030
}

/// How a table file is read when its name does not say: the delimiter and the encoding (`--delimiter`,
/// `--encoding` of `mi-catalog import` and `mi-conv`).
public struct TableFormat: Sendable, Equatable {
  /// The field delimiter; nil: by the file name (a comma for `.csv`, a tab otherwise).
  public var delimiter: UInt8?
  /// The text encoding.
  public var encoding: TableEncoding

  /// Creates a format (by default: the delimiter by name, the encoding by byte-order mark, else UTF-8).
  public init(delimiter: UInt8? = nil, encoding: TableEncoding = .auto) {
    self.delimiter = delimiter
    self.encoding = encoding
  }
}

/// One row of a table: its fields as UTF-8 bytes, one buffer for the row, reused from row to row.
public struct TableRow {
  /// The bytes of all fields, one after the other.
  public var bytes: [UInt8] = []
  /// The end offset in `bytes` of each field.
  public var ends: [Int] = []
  /// For each field, whether the cell was a number (xlsx only; empty for text tables).
  public var numeric: [Bool] = []
  /// The line of the file where the row starts (text tables), or the sheet's row number (xlsx).
  public var line = 0

  /// Creates an empty row.
  public init() {}

  /// The number of fields.
  @inlinable public var count: Int { ends.count }

  /// The start offset in `bytes` of field `i`.
  @inlinable public func start(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

  /// Calls `body` with the bytes of field `i`.
  @inlinable public func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    let s = start(i)
    let e = ends[i]
    return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[s..<e])) }
  }

  /// Field `i` as text (the bytes are valid UTF-8: the reader checked them).
  public func string(_ i: Int) -> String {
    String(decoding: bytes[start(i)..<ends[i]], as: UTF8.self)
  }

  /// All fields as text.
  public var strings: [String] { (0..<count).map(string) }

  /// Empties the row, keeping its storage.
  public mutating func removeAll() {
    bytes.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    numeric.removeAll(keepingCapacity: true)
  }

  /// Appends a field.
  public mutating func append<S: Sequence>(_ field: S, numeric isNumber: Bool? = nil) where S.Element == UInt8 {
    bytes.append(contentsOf: field)
    ends.append(bytes.count)
    if let isNumber { numeric.append(isNumber) }
  }

  /// Whether every byte of the row is a space or a tab (a blank line).
  public var isBlank: Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}

/// Reads delimited text tables: CSV with RFC 4180 quoting (a quoted field may hold delimiters, doubled quotes and
/// line breaks), TSV, or another `delimiter`; UTF-8 or GB18030; plain, gzip (by its magic bytes) or bytes in memory
/// (a zip member). Each row carries the line it starts on.
///
/// The delimiter is a comma for names ending in `.csv` (or `.csv.gz`) and a tab otherwise. Tab-separated text is
/// read without quoting (IANA `text/tab-separated-values`, and the platform's own exchange files, carry none), so a
/// `"` in a TSV field is data; every other delimiter quotes as CSV does.
///
/// Encodings are checked, never repaired: a byte that is not UTF-8 (or not GB18030 with `.gb18030`) is an error
/// naming the line, the row and the column. GB18030 is scanned two bytes at a time from each byte ≥ 0x81, so a
/// trail byte equal to the delimiter (`|` is 0x7C) never splits a field, and fields are converted by the system's
/// iconv, field by field so that an error names its column.
public final class TableReader {
  /// The file name for messages.
  public let name: String
  /// The field delimiter.
  public let delimiter: UInt8
  /// Whether quoting applies (every delimiter but tab).
  public let quoting: Bool
  /// The encoding the file is read in (`auto` resolved once the first bytes are seen).
  public private(set) var encoding: TableEncoding
  /// The row last read.
  public private(set) var row = TableRow()
  /// The number of rows read so far (blank lines included).
  public private(set) var rowNumber = 0
  /// Column names for messages (a header, or the columns given); a column without a name is called by number.
  public var columnNames: [String] = []

  private let source: ByteSource?
  private var memory: [UInt8]
  private var memoryOffset = 0
  private var buffer: UnsafeMutableRawPointer
  private var capacity: Int
  private var start = 0
  private var end = 0
  private var eof = false
  private var begun = false
  /// The line number of the byte at `start`.
  private var line = 1
  /// The row's raw (undecoded) bytes and field ends, for GB18030 conversion.
  private var raw = TableRow()
  private var converter: GB18030Converter?
  private static let blockSize = 64 * 1024

  /// Opens a table file (`-` is standard input; gzip is recognised by its magic bytes).
  public init(
    path: String, delimiter: UInt8? = nil, encoding: TableEncoding = .auto, displayName: String? = nil
  ) throws(MIError) {
    name = displayName ?? path
    source = try ByteSource(path: path, name: name)
    memory = []
    let lower = path.lowercased()
    self.delimiter = delimiter ?? (lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") ? UInt8(ascii: ",") : 0x09)
    quoting = self.delimiter != 0x09
    self.encoding = encoding
    capacity = TableReader.blockSize * 2
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
  }

  /// Opens a table file read as `format` says.
  public convenience init(path: String, format: TableFormat) throws(MIError) {
    try self.init(path: path, delimiter: format.delimiter, encoding: format.encoding)
  }

  /// Reads a table held in memory (a zip member), named `name` in messages; `delimiter` as for a file called `name`.
  public init(bytes: [UInt8], name: String, delimiter: UInt8? = nil, encoding: TableEncoding = .auto) {
    self.name = name
    source = nil
    memory = bytes
    let lower = name.lowercased()
    self.delimiter = delimiter ?? (lower.hasSuffix(".csv") ? UInt8(ascii: ",") : 0x09)
    quoting = self.delimiter != 0x09
    self.encoding = encoding
    capacity = TableReader.blockSize * 2
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
  }

  deinit { buffer.deallocate() }

  /// The line the current row starts on.
  public var lineNumber: Int { row.line }

  /// The next non-blank row's fields, or nil at end of input.
  public func nextRow() throws(MIError) -> [String]? {
    while try next() {
      if row.isBlank { continue }
      return row.strings
    }
    return nil
  }

  /// An error at the current row, naming the column.
  public func error(_ field: String?, _ message: String) -> MIError {
    .data(file: name, line: row.line, field: field, message: message)
  }

  /// The name of column `i` for messages, when the columns have names.
  public func columnName(_ i: Int) -> String? {
    i < columnNames.count && !columnNames[i].isEmpty ? columnNames[i] : nil
  }

  /// Reads the next row into `row` (a blank line is a row of one empty field); false at end of input.
  public func next() throws(MIError) -> Bool {
    if !begun { try begin() }
    while true {
      if start >= end && eof { return false }
      let parsed = converter == nil ? try parse(into: &row) : try parse(into: &raw)
      if let consumed = parsed {
        row.line = line
        line += consumed.lines
        start = consumed.next
        rowNumber += 1
        try decode()
        return true
      }
      if eof { return false }
      try fill()
    }
  }

  /// Reads the first block and resolves the encoding from a byte-order mark.
  private func begin() throws(MIError) {
    begun = true
    while end - start < 4 && !eof { try fill() }
    let b = UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
      if encoding == .gb18030 {
        throw MIError.data(
          file: name, line: 1, field: nil,
          message: "the file starts with a UTF-8 byte-order mark; drop --encoding gb18030")
      }
      encoding = .utf8
      start += 3
    } else if b.count >= 4 && b[0] == 0x84 && b[1] == 0x31 && b[2] == 0x95 && b[3] == 0x33 {
      encoding = .gb18030
      start += 4
    } else if b.count >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) {
      throw MIError.data(
        file: name, line: 1, field: nil,
        message:
          "the file is UTF-16 (Excel \"Unicode text\"); save it as CSV UTF-8, or convert: iconv -f UTF-16 -t UTF-8")
    }
    if encoding == .auto { encoding = .utf8 }
    if encoding == .gb18030 { converter = try GB18030Converter(name: name) }
  }

  /// Compacts the buffer, grows it when one row fills it, and reads another block.
  private func fill() throws(MIError) {
    if start > 0 {
      if end > start { memmove(buffer, buffer + start, end - start) }
      end -= start
      start = 0
    }
    if capacity - end < TableReader.blockSize {
      let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
      grown.copyMemory(from: buffer, byteCount: end)
      buffer.deallocate()
      buffer = grown
      capacity *= 2
    }
    var n = 0
    if let source {
      n = try source.read(into: buffer + end, count: capacity - end, name: name)
    } else {
      n = min(capacity - end, memory.count - memoryOffset)
      let offset = memoryOffset
      memory.withUnsafeBytes { (buffer + end).copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
      memoryOffset += n
    }
    if n == 0 { eof = true } else { end += n }
  }

  /// Splits one row from `start` into `raw` (or `row` when no conversion follows): the offset after it and the
  /// line breaks it spans, or nil when the buffer ends first and more input may complete it.
  ///
  /// A state machine over the bytes, longer than house size because splitting quoted and unquoted fields with the
  /// GB18030 pair rule in one pass is what keeps the reader at memchr-like speed on plain rows.
  private func parse(into out: inout TableRow) throws(MIError) -> (next: Int, lines: Int)? {
    let gb = converter != nil
    out.removeAll()
    let p = buffer.assumingMemoryBound(to: UInt8.self)
    let quote = UInt8(ascii: "\"")
    let delim = delimiter
    var i = start
    var lines = 0
    while true {
      // At the start of a field.
      if quoting && i < end && p[i] == quote {
        i += 1
        var segment = i
        while true {
          if i >= end {
            if !eof { return nil }
            throw MIError.data(
              file: name, line: line, field: nil, message: "unterminated quoted field (the quote opens on this line)")
          }
          let c = p[i]
          if c == quote {
            if i + 1 >= end && !eof { return nil }
            out.bytes.append(contentsOf: UnsafeBufferPointer(start: p + segment, count: i - segment))
            if i + 1 < end && p[i + 1] == quote {
              out.bytes.append(quote)
              i += 2
              segment = i
              continue
            }
            i += 1
            break
          }
          if c == 0x0A { lines += 1 }
          i += gb && c >= 0x81 ? 2 : 1
        }
      }
      // The unquoted part: all of an unquoted field; text after a closing quote is kept, as Excel keeps it.
      let segment = i
      while i < end {
        let c = p[i]
        if c == delim || c == 0x0A { break }
        if c == 0x0D {
          if i + 1 >= end {
            if !eof { return nil }
            break
          }
          if p[i + 1] == 0x0A { break }
        }
        i += gb && c >= 0x81 ? 2 : 1
      }
      if i >= end {
        if !eof { return nil }
        // The last row has no line end (a GB18030 lead byte cut off by the end is left for iconv to refuse).
        out.bytes.append(contentsOf: UnsafeBufferPointer(start: p + segment, count: end - segment))
        out.ends.append(out.bytes.count)
        return (end, lines)
      }
      out.bytes.append(contentsOf: UnsafeBufferPointer(start: p + segment, count: i - segment))
      out.ends.append(out.bytes.count)
      let c = p[i]
      if c == delim {
        i += 1
        continue
      }
      if c == 0x0D { return (min(i + 2, end), lines + 1) }
      return (i + 1, lines + 1)
    }
  }

  /// Checks the row's encoding, converting GB18030 to UTF-8.
  private func decode() throws(MIError) {
    if let converter {
      row.removeAll()
      for i in 0..<raw.count {
        let s = raw.start(i)
        let e = raw.ends[i]
        let failed: Int? = raw.bytes.withUnsafeBytes {
          converter.convert(UnsafeRawBufferPointer(rebasing: $0[s..<e]), into: &row.bytes)
        }
        if let bad = failed {
          throw MIError.data(
            file: name, line: row.line, field: columnName(i),
            message: "invalid GB18030 at byte \(bad + 1) (row \(rowNumber), column \(i + 1))")
        }
        row.ends.append(row.bytes.count)
      }
      return
    }
    let bad: Int? = row.bytes.withUnsafeBytes { UTF8Check.firstInvalid($0) }
    guard let bad else { return }
    var column = 0
    while column < row.count - 1 && row.ends[column] <= bad { column += 1 }
    throw MIError.data(
      file: name, line: row.line, field: columnName(column),
      message:
        "invalid UTF-8 at byte \(bad - row.start(column) + 1) (row \(rowNumber), column \(column + 1)); "
        + "if the file was saved by Excel or WPS, it is GB18030: use --encoding gb18030")
  }
}

/// Text between GB18030 and UTF-8 (either way) through the C library's iconv, one field or row at a time; ASCII
/// is copied as it is, being the same in both.
public final class GB18030Converter {
  private let cd: iconv_t

  /// Opens the conversion GB18030 → UTF-8, or UTF-8 → GB18030 when `toGB18030`; `name` is for the message.
  public init(name: String, toGB18030: Bool = false) throws(MIError) {
    let opened = toGB18030 ? iconv_open("GB18030", "UTF-8") : iconv_open("UTF-8", "GB18030")
    if opened == iconv_t(bitPattern: -1) {
      throw MIError.io("\(name): iconv cannot convert GB18030 here: \(systemMessage())")
    }
    cd = opened!
  }

  deinit { iconv_close(cd) }

  /// Appends the converted form of `input` to `out`; the offset of the first byte that does not convert, or nil.
  public func convert(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Int? {
    if !input.contains(where: { $0 >= 0x80 }) {
      out.append(contentsOf: input)
      return nil
    }
    _ = iconv(cd, nil, nil, nil, nil)
    let base = out.count
    // A GB18030 character becomes at most 4 UTF-8 bytes for every 2 read.
    let room = input.count * 2 + 4
    out.append(contentsOf: repeatElement(0, count: room))
    var inPtr = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: CChar.self))
    var inLeft = input.count
    var outLeft = room
    let result: Int = out.withUnsafeMutableBytes { buffer in
      var outPtr: UnsafeMutablePointer<CChar>? = (buffer.baseAddress! + base).assumingMemoryBound(to: CChar.self)
      var inOpt: UnsafeMutablePointer<CChar>? = inPtr
      let r = iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft)
      inPtr = inOpt!
      return r
    }
    out.removeLast(outLeft)
    if result == -1 || inLeft > 0 { return input.count - inLeft }
    return nil
  }
}
