import Foundation
import MICore
import ZIPFoundation

/// How input tables are read (`mi-conv from`, `cases`).
public struct InputOptions: Sendable {
  /// The field delimiter; nil: a comma for `.csv`, a tab otherwise.
  public var delimiter: UInt8? = nil
  /// The text encoding.
  public var encoding: TableEncoding = .auto
  /// The xlsx sheet (a name or a number from 1); nil: the first.
  public var sheet: String? = nil
  /// The columns of a table without a header; nil: the first row is the header.
  public var columns: [String]? = nil
  /// The name standard input goes by in messages.
  public var assumeFilename: String? = nil

  /// Creates the defaults.
  public init() {}
}

/// One input table, text or xlsx, giving its rows one at a time.
public final class TableInput {
  /// The name for messages.
  public let name: String
  private let text: TableReader?
  private let sheet: XLSXSheet?
  private var sheetRow = TableRow()
  /// The number of columns (the header's): shorter xlsx rows are padded to it.
  public var width = 0

  init(text: TableReader) {
    self.text = text
    sheet = nil
    name = text.name
  }

  init(sheet: XLSXSheet) {
    self.sheet = sheet
    text = nil
    name = sheet.name
  }

  /// The row last read.
  public var row: TableRow { text?.row ?? sheetRow }

  /// Column names for the reader's messages.
  public func name(columns: [String]) { text?.columnNames = columns }

  /// Reads the next non-blank row; false at the end.
  public func next() throws(MIError) -> Bool {
    if let text {
      while try text.next() {
        if text.row.count == 1 && text.row.ends[0] == 0 { continue }
        return true
      }
      return false
    }
    guard let r = sheet?.next() else { return false }
    sheetRow = r
    while sheetRow.count < width { sheetRow.append(EmptyCollection<UInt8>(), numeric: false) }
    return true
  }

  /// Opens `path`: `.xlsx` as a workbook, `.zip` as each of its members (in archive order; `.xlsx` members
  /// included), anything else (`-` is standard input, gzip by its magic bytes) as delimited text.
  public static func open(_ path: String, _ options: InputOptions) throws(MIError) -> [TableInput] {
    let lower = path.lowercased()
    if lower.hasSuffix(".xlsx") { return [TableInput(sheet: try XLSXSheet(path: path, sheet: options.sheet))] }
    if lower.hasSuffix(".zip") { return try zipMembers(path, options) }
    let display = path == "-" ? (options.assumeFilename ?? "-") : path
    let reader = try TableReader(
      path: path, delimiter: options.delimiter, encoding: options.encoding, displayName: display)
    return [TableInput(text: reader)]
  }

  /// The members of a zip archive as tables (directories and macOS `__MACOSX` resource forks left out). Each member
  /// is held in memory while read.
  static func zipMembers(_ path: String, _ options: InputOptions) throws(MIError) -> [TableInput] {
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      if !FileManager.default.fileExists(atPath: path) { throw MIError.io("\(path): \(systemMessage(ENOENT))") }
      throw MIError.refused("\(path): not a zip archive")
    }
    var out: [TableInput] = []
    for entry in archive where entry.type == .file && !entry.path.hasPrefix("__MACOSX/") {
      let member = "\(path):\(entry.path)"
      var data = Data()
      do {
        _ = try archive.extract(entry) { data.append($0) }
      } catch {
        throw MIError.refused("\(member): damaged zip member: \(error)")
      }
      if entry.path.lowercased().hasSuffix(".xlsx") {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("mi-conv-\(getpid()).xlsx")
        do { try data.write(to: temp) } catch { throw MIError.io("\(temp.path): \(error.localizedDescription)") }
        defer { try? FileManager.default.removeItem(at: temp) }
        let sheet = try XLSXSheet(path: temp.path, sheet: options.sheet)
        out.append(TableInput(sheet: sheet))
        continue
      }
      let reader = TableReader(
        bytes: [UInt8](data), name: member, delimiter: options.delimiter, encoding: options.encoding)
      out.append(TableInput(text: reader))
    }
    if out.isEmpty { throw MIError.refused("\(path): the zip archive holds no file") }
    return out
  }

  /// Reads the header row (or takes `columns`), naming the columns in the reader's messages; nil for an empty table.
  public func header(_ columns: [String]?) throws(MIError) -> (columns: [String], line: Int)? {
    if let columns {
      width = columns.count
      name(columns: columns)
      return (columns, 0)
    }
    guard try next() else { return nil }
    let names = row.strings
    width = names.count
    name(columns: names)
    return (names, row.line)
  }
}

/// The column lists of the platform's extraction tables (`setl_d.columns` …), read from a directory at run time.
public enum PlatformLayouts {
  /// The directory: `dir`, else `$MI_LAYOUTS`, else `../shared/reference/platform` from the working directory.
  public static func directory(_ dir: String?) -> String {
    dir ?? ProcessInfo.processInfo.environment["MI_LAYOUTS"] ?? "../shared/reference/platform"
  }

  /// The columns `spec` names: `a,b,c`; a file of names one a line; or a table name (`setl_d`) in the layouts
  /// directory.
  public static func columns(_ spec: String, dir: String?) throws(MIError) -> [String] {
    if spec.contains(",") {
      return spec.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    let fm = FileManager.default
    var path = spec
    if !fm.fileExists(atPath: path) {
      path = (directory(dir) as NSString).appendingPathComponent(spec + ".columns")
      guard fm.fileExists(atPath: path) else {
        throw MIError.usage(
          "--columns \(spec): not a column list (a,b,c), a file, or a layout in \(directory(dir)) "
            + "(give --layouts DIR or $MI_LAYOUTS: the directory of setl_d.columns …)")
      }
    }
    let table = try TableReader(path: path)
    var out: [String] = []
    while let row = try table.nextRow() {
      let name = row[0].trimmingCharacters(in: .whitespaces)
      if !name.isEmpty && !name.hasPrefix("#") { out.append(name) }
    }
    return out
  }
}
