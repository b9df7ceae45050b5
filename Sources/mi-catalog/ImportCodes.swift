import ArgumentParser
import Foundation
import MICommandLine
import MICore

/// Reads a two-column code table (code, name), with or without a `code` header row.
func readCodeTable(_ path: String, headerFirst: String = "code") throws(MIError) -> [CodeEntry] {
  let table = try TableReader(path: path)
  var out: [CodeEntry] = []
  var seen: [String: Int] = [:]
  while let row = try table.nextRow() {
    if out.isEmpty && table.lineNumber == 1 && row.first?.lowercased() == headerFirst { continue }
    guard row.count >= 2 else { throw table.error("name", "expected two columns (code, name), found \(row.count)") }
    let code = row[0].trimmingCharacters(in: .whitespaces)
    guard !code.isEmpty else { throw table.error("code", "empty code") }
    if let first = seen[code] { throw table.error("code", "duplicate code '\(code)' (first on line \(first))") }
    seen[code] = table.lineNumber
    out.append(CodeEntry(code: code, name: row[1...].joined(separator: table.delimiter == 0x09 ? "\t" : ",")))
  }
  return out
}

/// Imports code entries as a new version of `kind` and reports it.
func importCodes(
  _ entries: [CodeEntry], kind: String, file: String, options: ImportOptions, common: CommonOptions,
  meta: String = "{}",
  detail: String = ""
) throws {
  guard !entries.isEmpty else {
    throw MIError.reference("\(file): no entries; an empty \(kind) version is refused")
  }
  let sha = try SHA256.hex(file: file)
  let ws = try common.workspace(.create)
  let set = try ws.importSet(
    name: options.name, kind: kind, source: file, sha256: sha, meta: meta, replace: options.replace
  ) { db, id in
    try Workspace.insertCodes(db, set: id, entries)
    return entries.count
  }
  Diagnostics.line(
    "mi-catalog: imported \(set.entries) \(kind) entries as '\(set.name)' (sha256 \(sha.prefix(12)))\(detail)")
}

/// An import of a two-column code dictionary: the commands differ only in their kind and help.
protocol CodeDictionaryImport: ParsableCommand {
  /// The kind of the version (`dx`, `proc`).
  static var kind: String { get }
  /// The dictionary file.
  var file: String { get }
  /// Name and replace.
  var options: ImportOptions { get }
  /// Common flags.
  var common: CommonOptions { get }
}

extension CodeDictionaryImport {
  func run() throws {
    try importCodes(try readCodeTable(file), kind: Self.kind, file: file, options: options, common: common)
  }
}

/// `mi-catalog import dx`: the 医保版 ICD-10 diagnosis dictionary.
struct ImportDx: CodeDictionaryImport {
  static let kind = "dx"
  static let configuration = CommandConfiguration(
    commandName: "dx",
    abstract: "Import a diagnosis dictionary (code, name; TSV or CSV).",
    discussion: """
      The file has two columns, code and name, tab-separated (or comma-separated for .csv), with or without a \
      header row whose first column is 'code'.

      Example:
        mi-catalog import dx ../shared/reference/icd/dx-yb2.tsv --name dx-yb2
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions
}

/// `mi-catalog import proc`: the 医保版 ICD-9-CM-3 procedure dictionary.
struct ImportProc: CodeDictionaryImport {
  static let kind = "proc"
  static let configuration = CommandConfiguration(
    commandName: "proc",
    abstract: "Import a procedure dictionary (code, name; TSV or CSV).",
    discussion: """
      Same shape as 'import dx'.

      Example:
        mi-catalog import proc ../shared/reference/icd/proc-yb2.tsv --name proc-yb2
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions
}

/// `mi-catalog import dict`: a platform dictionary in its three-column shape.
struct ImportDict: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dict",
    abstract: "Import a platform code dictionary (dic_type_code, val_code, val_name).",
    discussion: """
      The platform's three-column shape: dictionary type, value code, value name (tab-separated without header, \
      as the platform exchanges it, or with a header row starting 'dic_type_code'; CSV for .csv). Codes are \
      stored as TYPE:CODE, so one version holds many types (med_type:21, insutype:310 …).

      Example:
        mi-catalog import dict examples/dict.tsv --name dict-2024
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    let table = try TableReader(path: file)
    var entries: [CodeEntry] = []
    var seen: [String: Int] = [:]
    while let row = try table.nextRow() {
      if table.lineNumber == 1 && row.first?.lowercased() == "dic_type_code" { continue }
      guard row.count == 3 else {
        throw table.error(nil, "expected three columns (dic_type_code, val_code, val_name), found \(row.count)")
      }
      let type = row[0].trimmingCharacters(in: .whitespaces)
      let code = row[1].trimmingCharacters(in: .whitespaces)
      guard !type.isEmpty else { throw table.error("dic_type_code", "empty dictionary type") }
      guard !code.isEmpty, code != "null" else { throw table.error("val_code", "empty code") }
      let key = "\(type):\(code)"
      if let first = seen[key] { throw table.error("val_code", "duplicate code '\(key)' (first on line \(first))") }
      seen[key] = table.lineNumber
      entries.append(CodeEntry(code: key, name: row[2]))
    }
    try importCodes(entries, kind: "dict", file: file, options: options, common: common)
  }
}

/// `mi-catalog import hospitals`: the registry of 定点医疗机构.
struct ImportHospitals: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hospitals",
    abstract: "Import a hospital registry (fixmedins_code, name, hosp_lv, admdvs, payment, start date).",
    discussion: """
      A header row names the columns (any order): fixmedins_code, fixmedins_name (or name), hosp_lv (1, 2, 3; \
      0 for unrated primary institutions), admdvs (医保区划, 6 digits), payment (DRG, DIP or 按项目; FFS is \
      accepted for 按项目), start_date (yyyy-MM-dd, when the payment method took effect).

      Example:
        mi-catalog import hospitals examples/hospitals.csv --name hospitals-2024
      """)

  @Argument(help: ArgumentHelp("The registry file, CSV or TSV with a header row.", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    let entries = try HospitalRegistry.read(file)
    try importCodes(entries, kind: "hospitals", file: file, options: options, common: common)
  }
}

/// Parsing and checking of hospital registry rows.
enum HospitalRegistry {
  static let columns = ["fixmedins_code", "fixmedins_name", "hosp_lv", "admdvs", "payment", "start_date"]

  /// Reads the registry into code entries whose attrs hold level, admdvs, payment and start date.
  static func read(_ path: String) throws(MIError) -> [CodeEntry] {
    let table = try TableReader(path: path)
    guard let header = try table.nextRow() else {
      throw MIError.data(file: path, line: 1, field: nil, message: "empty file")
    }
    var index: [String: Int] = [:]
    for (i, h) in header.enumerated() {
      let name = h.trimmingCharacters(in: .whitespaces).lowercased()
      index[name == "name" ? "fixmedins_name" : name] = i
    }
    for c in columns where index[c] == nil {
      throw table.error(c, "missing column (the header must name \(columns.joined(separator: ", ")))")
    }
    var out: [CodeEntry] = []
    var seen: [String: Int] = [:]
    while let row = try table.nextRow() {
      func field(_ c: String) -> String {
        let i = index[c]!
        return i < row.count ? row[i].trimmingCharacters(in: .whitespaces) : ""
      }
      let code = field("fixmedins_code")
      guard !code.isEmpty else { throw table.error("fixmedins_code", "empty code") }
      if let first = seen[code] {
        throw table.error("fixmedins_code", "duplicate code '\(code)' (first on line \(first))")
      }
      seen[code] = table.lineNumber
      let level = field("hosp_lv")
      guard ["0", "1", "2", "3"].contains(level) else {
        throw table.error("hosp_lv", "expected 0, 1, 2 or 3, found '\(level)'")
      }
      let admdvs = field("admdvs")
      guard admdvs.count == 6, admdvs.allSatisfy(\.isASCII), admdvs.allSatisfy(\.isNumber) else {
        throw table.error("admdvs", "expected a 6-digit 医保区划 code, found '\(admdvs)'")
      }
      var payment = field("payment")
      if payment.uppercased() == "FFS" { payment = "按项目" }
      payment = payment == "按项目" ? payment : payment.uppercased()
      guard ["DRG", "DIP", "按项目"].contains(payment) else {
        throw table.error("payment", "expected DRG, DIP or 按项目, found '\(field("payment"))'")
      }
      let date = field("start_date")
      guard isDate(date) else { throw table.error("start_date", "expected yyyy-MM-dd, found '\(date)'") }
      var attrs: [UInt8] = []
      var w = JSONWriter()
      w.begin(&attrs)
      w.string("hosp_lv", level, &attrs)
      w.string("admdvs", admdvs, &attrs)
      w.string("payment", payment, &attrs)
      w.string("start_date", date, &attrs)
      attrs.append(UInt8(ascii: "}"))
      out.append(CodeEntry(code: code, name: field("fixmedins_name"), attrs: String(decoding: attrs, as: UTF8.self)))
    }
    return out
  }

  static func isDate(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
    let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { b[$0] >= 48 && b[$0] <= 57 }
    guard digits, let m = Int(s.dropFirst(5).prefix(2)), let d = Int(s.suffix(2)) else { return false }
    return (1...12).contains(m) && (1...31).contains(d)
  }
}
