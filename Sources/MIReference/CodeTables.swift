import Foundation
import MICore

/// Reference-data tables as mi-catalog imports them: code dictionaries, platform dictionaries, hospital
/// registries; each row checked, an error naming file, line and field.
public enum CodeTable {
  /// Reads a two-column code table (code, name), with or without a `code` header row.
  public static func read(_ path: String, headerFirst: String = "code", format: TableFormat = TableFormat())
    throws(MIError) -> [CodeEntry]
  {
    try readTable(path, headerFirst: headerFirst, format: format).entries
  }

  /// Reads a two-column code table as `read` does, and the header row's two names as the file spells them
  /// (`CODE`, `诊断名称`), nil without a header row or when it has more than two columns: `mi-catalog export`
  /// writes them back (issue 16 item 4).
  public static func readTable(_ path: String, headerFirst: String = "code", format: TableFormat = TableFormat())
    throws(MIError) -> (entries: [CodeEntry], columns: [String]?)
  {
    let table = try TableReader(path: path, format: format)
    var out: [CodeEntry] = []
    var columns: [String]?
    var seen: [String: Int] = [:]
    while let row = try table.nextRow() {
      if out.isEmpty && table.lineNumber == 1 && row.first?.lowercased() == headerFirst {
        if row.count == 2 { columns = row.map { $0.trimmingCharacters(in: .whitespaces) } }
        continue
      }
      guard row.count >= 2 else { throw table.error("name", "expected two columns (code, name), found \(row.count)") }
      let code = row[0].trimmingCharacters(in: .whitespaces)
      guard !code.isEmpty else { throw table.error("code", "empty code") }
      if let first = seen[code] { throw table.error("code", "duplicate code '\(code)' (first on line \(first))") }
      seen[code] = table.lineNumber
      let name = row[1...].joined(separator: table.delimiter == 0x09 ? "\t" : ",")
      // A quoted CSV name may hold a line break; a dictionary exports as TSV, one entry a line, so it may not.
      if name.contains(where: \.isNewline) { throw table.error("name", "the name holds a line break") }
      out.append(CodeEntry(code: code, name: name))
    }
    return (out, columns)
  }

  /// Reads a platform dictionary in its three-column shape (dic_type_code, val_code, val_name), with or without a
  /// header row; codes are TYPE:CODE.
  public static func readDict(_ path: String, format: TableFormat = TableFormat()) throws(MIError) -> [CodeEntry] {
    let table = try TableReader(path: path, format: format)
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
    return entries
  }
}

/// Parsing and checking of hospital registry rows.
public enum HospitalRegistry {
  /// The registry's columns.
  public static let columns = ["fixmedins_code", "fixmedins_name", "hosp_lv", "admdvs", "payment", "start_date"]

  /// Reads the registry into code entries whose attrs hold level, admdvs, payment and start date.
  public static func read(_ path: String, format: TableFormat = TableFormat()) throws(MIError) -> [CodeEntry] {
    try readTable(path, format: format).entries
  }

  /// Reads the registry as `read` does, and the header's names of `columns`, in that order, as the file spells
  /// them (`FIXMEDINS_CODE`, `name`): `mi-catalog export` writes them back (issue 16 item 4).
  public static func readTable(_ path: String, format: TableFormat = TableFormat()) throws(MIError) -> (
    entries: [CodeEntry], columns: [String]
  ) {
    let table = try TableReader(path: path, format: format)
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
    let spelled = columns.map { header[index[$0]!].trimmingCharacters(in: .whitespaces) }
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
    return (out, spelled)
  }

  /// Whether `s` is a date yyyy-MM-dd (month 1–12, day 1–31).
  public static func isDate(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
    let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { b[$0] >= 48 && b[$0] <= 57 }
    guard digits, let m = Int(s.dropFirst(5).prefix(2)), let d = Int(s.suffix(2)) else { return false }
    return (1...12).contains(m) && (1...31).contains(d)
  }
}
