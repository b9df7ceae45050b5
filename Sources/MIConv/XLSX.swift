import Foundation
import MICore
import ZIPFoundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The first (or a named) worksheet of an `.xlsx` file, read into rows.
///
/// The workbook is a zip (ZIPFoundation); `xl/workbook.xml` names the sheets, `xl/sharedStrings.xml` holds the
/// text cells and the sheet's `<row>/<c>` elements the cells, read with the toolchain's SAX parser (FoundationXML,
/// over libxml2) rather than a document tree: a sheet of 100,000 rows is a few hundred megabytes of XML, and the
/// tree libraries (XMLCoder, SWXMLHash) hold all of it as objects. Numbers stay the text Excel stored; the
/// `numeric` flag of each cell tells a code typed as a number apart from text.
public final class XLSXSheet {
  /// The name for messages: `FILE` or `FILE[sheet]`.
  public let name: String
  private var rows: [TableRow]
  private var index = 0

  /// Reads sheet `sheet` (a name, or a number from 1) of the workbook at `path`, the first when nil.
  public init(path: String, sheet: String?) throws(MIError) {
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      if !FileManager.default.fileExists(atPath: path) { throw MIError.io("\(path): \(systemMessage(ENOENT))") }
      throw MIError.refused("\(path): not an xlsx workbook (not a zip archive)")
    }
    func member(_ entryPath: String) throws(MIError) -> Data? {
      guard let entry = archive[entryPath] else { return nil }
      var data = Data()
      do {
        _ = try archive.extract(entry) { data.append($0) }
      } catch {
        throw MIError.refused("\(path): damaged workbook member \(entryPath): \(error)")
      }
      return data
    }
    guard let workbook = try member("xl/workbook.xml"), let rels = try member("xl/_rels/workbook.xml.rels") else {
      throw MIError.refused("\(path): not an xlsx workbook (no xl/workbook.xml)")
    }
    let sheets = WorkbookSheets.parse(workbook)
    let targets = WorkbookSheets.relationships(rels)
    let chosen: (name: String, rid: String)?
    if let sheet {
      if let n = Int(sheet), n >= 1, n <= sheets.count {
        chosen = sheets[n - 1]
      } else {
        chosen = sheets.first { $0.name == sheet }
      }
      if chosen == nil {
        let names = sheets.map(\.name).joined(separator: ", ")
        throw MIError.usage("\(path): no sheet '\(sheet)' (the workbook has: \(names))")
      }
    } else {
      chosen = sheets.first
    }
    guard let chosen, var target = targets[chosen.rid] else {
      throw MIError.refused("\(path): the workbook has no worksheet")
    }
    if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
    name = sheets.count > 1 ? "\(path)[\(chosen.name)]" : path
    let shared = try member("xl/sharedStrings.xml").map(SharedStrings.parse) ?? []
    guard let sheetData = try member(target) else {
      throw MIError.refused("\(path): the workbook lacks its sheet \(target)")
    }
    let reader = SheetReader(shared: shared)
    let parser = XMLParser(data: sheetData)
    parser.delegate = reader
    if !parser.parse() {
      throw MIError.data(
        file: name, line: reader.rowNumber, field: nil,
        message: "the sheet's XML is damaged: \(parser.parserError.map { "\($0)" } ?? "parse error")")
    }
    if let problem = reader.problem {
      throw MIError.data(file: name, line: reader.rowNumber, field: nil, message: problem)
    }
    rows = reader.rows
  }

  /// The next row (empty rows of the sheet are skipped; `line` is the sheet's row number), or nil at the end.
  public func next() -> TableRow? {
    guard index < rows.count else { return nil }
    defer { index += 1 }
    return rows[index]
  }
}

/// The sheets listed in `xl/workbook.xml` and the relationship targets of `workbook.xml.rels`.
enum WorkbookSheets {
  /// (name, r:id) of each sheet, in workbook order.
  static func parse(_ data: Data) -> [(name: String, rid: String)] {
    let d = AttributeCollector(element: "sheet")
    let p = XMLParser(data: data)
    p.shouldProcessNamespaces = false
    p.delegate = d
    _ = p.parse()
    return d.found.compactMap { a in
      guard let name = a["name"], let rid = a["r:id"] ?? a.first(where: { $0.key.hasSuffix(":id") })?.value else {
        return nil
      }
      return (name, rid)
    }
  }

  /// Id → target of each relationship.
  static func relationships(_ data: Data) -> [String: String] {
    let d = AttributeCollector(element: "Relationship")
    let p = XMLParser(data: data)
    p.delegate = d
    _ = p.parse()
    var out: [String: String] = [:]
    for a in d.found { if let id = a["Id"], let t = a["Target"] { out[id] = t } }
    return out
  }
}

/// Collects the attributes of every element named `element`.
final class AttributeCollector: NSObject, XMLParserDelegate {
  let element: String
  var found: [[String: String]] = []
  init(element: String) { self.element = element }
  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    if name == element || name.hasSuffix(":" + element) { found.append(attributes) }
  }
}

/// `xl/sharedStrings.xml`: the text of each `<si>`, its runs joined (phonetic `<rPh>` runs left out).
final class SharedStrings: NSObject, XMLParserDelegate {
  private var strings: [String] = []
  private var current = ""
  private var inText = false
  private var phonetic = 0

  static func parse(_ data: Data) -> [String] {
    let d = SharedStrings()
    let p = XMLParser(data: data)
    p.delegate = d
    _ = p.parse()
    return d.strings
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    switch name {
    case "si": current = ""
    case "t": inText = phonetic == 0
    case "rPh": phonetic += 1
    default: break
    }
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    switch name {
    case "si": strings.append(current)
    case "t": inText = false
    case "rPh": phonetic -= 1
    default: break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if inText { current += string }
  }
}

/// The cells of a worksheet, row by row, with gaps (cells Excel leaves out) filled with empty fields.
final class SheetReader: NSObject, XMLParserDelegate {
  let shared: [String]
  var rows: [TableRow] = []
  var rowNumber = 0
  var problem: String? = nil
  private var row = TableRow()
  private var column = 0
  private var cellType = ""
  private var cellColumn = 0
  private var text = ""
  private var collecting = false
  private var hasValue = false

  init(shared: [String]) { self.shared = shared }

  /// The column index of a cell reference (`C12` → 2).
  static func columnIndex(_ ref: String) -> Int? {
    var n = 0
    var letters = 0
    for u in ref.utf8 {
      guard u >= 65 && u <= 90 else { break }
      n = n * 26 + Int(u - 64)
      letters += 1
    }
    return letters > 0 ? n - 1 : nil
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    switch name {
    case "row":
      row = TableRow()
      column = 0
      rowNumber = attributes["r"].flatMap { Int($0) } ?? rowNumber + 1
      row.line = rowNumber
    case "c":
      cellType = attributes["t"] ?? "n"
      cellColumn = attributes["r"].flatMap(SheetReader.columnIndex) ?? column
      text = ""
      hasValue = false
    case "v", "t":
      collecting = true
      hasValue = true
    default: break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if collecting { text += string }
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    switch name {
    case "v", "t": collecting = false
    case "c":
      while column < cellColumn {
        row.append(EmptyCollection<UInt8>(), numeric: false)
        column += 1
      }
      var value = text
      var numeric = false
      switch cellType {
      case "s":
        guard let i = Int(text), i >= 0, i < shared.count else {
          problem = "cell \(column + 1) refers to shared string \(text), which the workbook lacks"
          parser.abortParsing()
          return
        }
        value = shared[i]
      case "b": value = text == "1" ? "1" : "0"
      case "e": value = ""
      case "n": numeric = hasValue && !text.isEmpty
      default: break  // str, inlineStr, d: the text as written
      }
      row.append(value.utf8, numeric: numeric)
      column += 1
    case "row":
      if !row.bytes.isEmpty { rows.append(row) }
    default: break
    }
  }
}
