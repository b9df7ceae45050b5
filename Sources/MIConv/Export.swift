import Foundation
import MICore
import ZIPFoundation

/// How `mi-conv to-csv` and `to-xlsx` lay records out.
public struct ExportOptions: Sendable {
  /// The fields, in order; nil: the fields of the first record.
  public var fields: [String]? = nil
  /// Column labels in Chinese (SCHEMA.md's terms) instead of field names.
  public var chineseLabels = false
  /// Write a UTF-8 byte-order mark (so that Excel opens the CSV as UTF-8).
  public var bom = true
  /// Write GB18030 instead of UTF-8 (no byte-order mark then).
  public var gb18030 = false
  /// The CSV delimiter.
  public var delimiter = UInt8(ascii: ",")

  /// Creates the defaults.
  public init() {}
}

/// One record's cells as table text.
enum Cells {
  /// The text of member `i`: a string unescaped, a number or boolean as written, `null` empty, an array of
  /// strings `;`-joined (as `mi-conv from` splits it), any other array or object as its JSON.
  static func text(_ s: RecordScanner, _ i: Int, field: String) throws(FieldError) -> (text: String, number: Bool)? {
    let raw = s.rawValue(i)
    guard let first = raw.first else { return nil }
    switch first {
    case UInt8(ascii: "\""): return (try s.string(at: i, field: field) ?? "", false)
    case UInt8(ascii: "n"): return nil
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return (String(decoding: raw, as: UTF8.self), false)
    case UInt8(ascii: "["):
      if let codes = try? s.strings(field) { return (codes.joined(separator: ";"), false) }
      return (String(decoding: raw, as: UTF8.self), false)
    case UInt8(ascii: "{"): return (String(decoding: raw, as: UTF8.self), false)
    default: return (String(decoding: raw, as: UTF8.self), true)
    }
  }

  /// The header labels of `fields`.
  static func labels(_ fields: [String], chinese: Bool) -> [String] {
    fields.map { chinese ? (Schema.fields[$0]?.label ?? $0) : $0 }
  }
}

/// `mi-conv to-csv`: NDJSON records to a CSV (or other delimited) table.
public enum ToCSV {
  /// Writes the table, then the summary line on standard error.
  public static func run(paths: [String], options: ExportOptions, stream: StreamOptions) throws {
    let records = try RecordStream(inputs: paths, options: stream)
    var fields = options.fields
    let converter = options.gb18030 ? try GB18030Converter(name: "output", toGB18030: true) : nil
    var line: [UInt8] = []
    func emit(_ cells: [String]) {
      line.removeAll(keepingCapacity: true)
      for (n, c) in cells.enumerated() {
        if n > 0 { line.append(options.delimiter) }
        appendCSV(c, delimiter: options.delimiter, to: &line)
      }
      line.append(contentsOf: [0x0D, 0x0A])
      if let converter {
        _ = line.withUnsafeBytes { converter.convert($0, into: &records.out.buffer) }
      } else {
        records.out.buffer.append(contentsOf: line)
      }
    }
    if options.bom && !options.gb18030 { records.out.buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    if let f = fields { emit(Cells.labels(f, chinese: options.chineseLabels)) }
    try records.run { s in
      if fields == nil {
        let names = (0..<s.members.count).map { s.key($0) }
        fields = names
        emit(Cells.labels(names, chinese: options.chineseLabels))
      }
      var cells: [String] = []
      for f in fields! {
        if let i = s.index(f), let cell = try Cells.text(s, i, field: f) {
          cells.append(cell.text)
        } else {
          cells.append("")
        }
      }
      emit(cells)
      return .written
    }
    try records.finish()
  }

  /// Appends a field, quoted (RFC 4180) when it holds the delimiter, a quote, a line break or edge spaces.
  static func appendCSV(_ s: String, delimiter: UInt8, to out: inout [UInt8]) {
    let u = Array(s.utf8)
    let needs =
      u.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D } || u.first == 0x20 || u.last == 0x20
    if !needs {
      out.append(contentsOf: u)
      return
    }
    out.append(0x22)
    for c in u {
      if c == 0x22 { out.append(0x22) }
      out.append(c)
    }
    out.append(0x22)
  }
}

/// `mi-conv to-xlsx`: NDJSON records to one worksheet, written as Office Open XML through ZIPFoundation.
///
/// Money fields (SCHEMA.md's, and any `_amt` number) are numbers in the built-in format `0.00`; other numbers are
/// numbers; everything else is text in the text format `@`, so that Excel and WPS keep a code's leading zeros.
/// Strings are inline (`inlineStr`): no shared-string table to build, which Excel and WPS both read. Entries carry
/// a fixed time stamp (1980-01-01), so the same records give the same bytes.
public enum ToXLSX {
  /// Writes the workbook to `stream.output` (standard output when nil), then the summary line on standard error.
  ///
  /// The sheet is built in memory (an xlsx is one zip written at the end), so memory grows with the records.
  public static func run(paths: [String], options: ExportOptions, stream: StreamOptions) throws {
    var sheetStream = stream
    sheetStream.output = "/dev/null"
    let records = try RecordStream(inputs: paths, options: sheetStream)
    var fields = options.fields
    let sheet = SheetBuilder()
    func emit(_ cells: [SheetBuilder.Cell?]) { sheet.row(cells) }
    func header(_ f: [String]) {
      emit(Cells.labels(f, chinese: options.chineseLabels).map { SheetBuilder.Cell(text: $0) })
    }
    if let f = fields { header(f) }
    try records.run { s in
      if fields == nil {
        fields = (0..<s.members.count).map { s.key($0) }
        header(fields!)
      }
      guard sheet.rows < SheetBuilder.maxRows else {
        throw FieldError(nil, "an xlsx sheet holds at most 1,048,576 rows; split the records or use to-csv")
      }
      var cells: [SheetBuilder.Cell?] = []
      for f in fields! {
        guard let i = s.index(f), let cell = try Cells.text(s, i, field: f) else {
          cells.append(nil)
          continue
        }
        let money = cell.number && (Schema.fields[f]?.kind == .money || f.hasSuffix("_amt"))
        cells.append(SheetBuilder.Cell(text: cell.text, number: cell.number, money: money))
      }
      emit(cells)
      return .written
    }
    let data = try sheet.workbook()
    let out = try OutputFile(path: stream.output)
    out.buffer.append(contentsOf: data)
    try out.finish()
    try records.finish()
  }
}

/// One worksheet built row by row in memory, then wrapped into a workbook.
public final class SheetBuilder {
  /// One cell: text, or a number (money in the format 0.00).
  public struct Cell {
    /// The text, or the number as written.
    public var text: String
    /// Whether it is a number.
    public var number = false
    /// Whether it is money.
    public var money = false

    /// Creates a cell.
    public init(text: String, number: Bool = false, money: Bool = false) {
      self.text = text
      self.number = number
      self.money = money
    }
  }

  /// The most rows a sheet holds.
  public static let maxRows = 1_048_576
  /// The rows so far.
  public private(set) var rows = 0
  private var sheet = Array(
    """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
    """.utf8)

  /// Starts an empty sheet.
  public init() {}

  /// Appends a row; a nil cell is left out.
  public func row(_ cells: [Cell?]) {
    rows += 1
    sheet.append(contentsOf: Array("<row r=\"\(rows)\">".utf8))
    for (n, cell) in cells.enumerated() {
      guard let cell else { continue }
      let ref = SheetBuilder.columnName(n) + String(rows)
      if cell.number {
        let style = cell.money ? " s=\"2\"" : ""
        sheet.append(contentsOf: Array("<c r=\"\(ref)\"\(style)><v>\(cell.text)</v></c>".utf8))
      } else {
        sheet.append(contentsOf: Array("<c r=\"\(ref)\" t=\"inlineStr\" s=\"1\"><is><t xml:space=\"preserve\">".utf8))
        SheetBuilder.appendXML(cell.text, to: &sheet)
        sheet.append(contentsOf: Array("</t></is></c>".utf8))
      }
    }
    sheet.append(contentsOf: Array("</row>".utf8))
  }

  /// The workbook (zip bytes) holding the sheet.
  public func workbook() throws(MIError) -> Data {
    try SheetBuilder.workbook(sheet: sheet + Array("</sheetData></worksheet>".utf8))
  }

  /// The spreadsheet column name of index `n` (0 → A, 26 → AA).
  static func columnName(_ n: Int) -> String {
    var n = n + 1
    var s = ""
    while n > 0 {
      let r = (n - 1) % 26
      s = String(UnicodeScalar(UInt8(65 + r))) + s
      n = (n - 1) / 26
    }
    return s
  }

  /// Appends text escaped for XML; control characters XML 1.0 cannot hold are written as OOXML's `_xHHHH_`.
  static func appendXML(_ s: String, to out: inout [UInt8]) {
    for c in s.utf8 {
      switch c {
      case UInt8(ascii: "&"): out.append(contentsOf: Array("&amp;".utf8))
      case UInt8(ascii: "<"): out.append(contentsOf: Array("&lt;".utf8))
      case UInt8(ascii: ">"): out.append(contentsOf: Array("&gt;".utf8))
      case 0x09, 0x0A, 0x0D: out.append(c)
      case 0..<0x20: out.append(contentsOf: Array(String(format: "_x%04X_", c).utf8))
      default: out.append(c)
      }
    }
  }

  /// The workbook around one sheet, as zip bytes.
  ///
  /// Longer than house size only by the fixed XML parts of an Office Open XML package, written out as they are.
  static func workbook(sheet: [UInt8]) throws(MIError) -> Data {
    let ns = "http://schemas.openxmlformats.org"
    let parts: [(String, [UInt8])] = [
      (
        "[Content_Types].xml",
        Array(
          """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <Types xmlns="\(ns)/package/2006/content-types">\
          <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
          <Default Extension="xml" ContentType="application/xml"/>\
          <Override PartName="/xl/workbook.xml" \
          ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
          <Override PartName="/xl/worksheets/sheet1.xml" \
          ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
          <Override PartName="/xl/styles.xml" \
          ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
          """.utf8)
      ),
      (
        "_rels/.rels",
        Array(
          """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <Relationships xmlns="\(ns)/package/2006/relationships">\
          <Relationship Id="rId1" Type="\(ns)/officeDocument/2006/relationships/officeDocument" \
          Target="xl/workbook.xml"/></Relationships>
          """.utf8)
      ),
      (
        "xl/workbook.xml",
        Array(
          """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <workbook xmlns="\(ns)/spreadsheetml/2006/main" xmlns:r="\(ns)/officeDocument/2006/relationships">\
          <sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>
          """.utf8)
      ),
      (
        "xl/_rels/workbook.xml.rels",
        Array(
          """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <Relationships xmlns="\(ns)/package/2006/relationships">\
          <Relationship Id="rId1" Type="\(ns)/officeDocument/2006/relationships/worksheet" \
          Target="worksheets/sheet1.xml"/>\
          <Relationship Id="rId2" Type="\(ns)/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
          </Relationships>
          """.utf8)
      ),
      (
        "xl/styles.xml",
        Array(
          """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <styleSheet xmlns="\(ns)/spreadsheetml/2006/main">\
          <fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
          <fills count="2"><fill><patternFill patternType="none"/></fill>\
          <fill><patternFill patternType="gray125"/></fill></fills>\
          <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
          <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
          <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
          <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
          <xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
          <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
          """.utf8)
      ),
      ("xl/worksheets/sheet1.xml", sheet),
    ]
    do {
      let archive = try Archive(data: Data(), accessMode: .create)
      let stamp = Date(timeIntervalSince1970: 315_532_800)
      for (path, bytes) in parts {
        let data = Data(bytes)
        try archive.addEntry(
          with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: stamp,
          compressionMethod: .deflate
        ) { position, size in
          data.subdata(in: Int(position)..<Int(position) + size)
        }
      }
      guard let data = archive.data else { throw MIError.io("xlsx: the zip archive was not written") }
      return data
    } catch let e as MIError {
      throw e
    } catch {
      throw MIError.io("xlsx: \(error)")
    }
  }
}
