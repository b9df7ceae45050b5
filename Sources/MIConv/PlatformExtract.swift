import Foundation
import MICore

/// Case records written back as the platform's extraction tables, as a bureau would hand them over: the
/// settlements in setl_d's columns (upper case), and the settlement list's long tables setl_list_diag_d and
/// setl_list_oprn_d (one row per code), as CSV, TSV or xlsx, UTF-8 or GB18030.
///
/// Canonical fields that setl_d lacks (`act_ipt_days`, `dscg_way`, … live in mdtrt_d; project fields such as
/// `hv_mcs_amt`) follow setl_d's columns under their own upper-case names, so that the extracts carry every field
/// of the records and `mi-conv cases` gives them back. List rows are written in reverse sequence, as extracts come
/// in no particular order: the join must order them by `setl_list_sn`.
public enum PlatformExtract {
  /// The table file format.
  public enum Format: String, Sendable, CaseIterable {
    /// Comma-separated, RFC 4180 quoting, a header row, empty cells for absent values.
    case csv
    /// Tab-separated, a header row, `null` for absent values and Java timestamps, as the platform's exchange files.
    case tsv
    /// One xlsx workbook per table.
    case xlsx
  }

  /// Writes the case records of the NDJSON file `input` as `PREFIX.setl_d.EXT`, `PREFIX.setl_list_diag_d.EXT` and
  /// `PREFIX.setl_list_oprn_d.EXT`, and returns their paths. `layouts` is the directory of the column lists.
  ///
  /// Longer than house size: two passes (the extra columns, then the rows) over one input, writing three tables
  /// row by row in step; the per-table row building is a few lines each and reads best beside the others.
  public static func writeCases(
    input: String, prefix: String, format: Format, gb18030: Bool, layouts: String?
  ) throws -> [String] {
    let setlColumns = try PlatformLayouts.columns("setl_d", dir: layouts)
    let diagColumns = try PlatformLayouts.columns("setl_list_diag_d", dir: layouts)
    let oprnColumns = try PlatformLayouts.columns("setl_list_oprn_d", dir: layouts)
    let covered = Set(setlColumns.map { Schema.canonical($0, fee: false) })
    // First pass: the fields of the records that setl_d has no column for, in order of first appearance.
    var extra: [String] = []
    var extraSet: Set<String> = []
    let scanner = RecordScanner()
    let reader = try LineReader(path: input)
    while let line = try reader.nextLine() {
      if line.isEmpty { continue }
      try scanner.parse(line)
      for i in 0..<scanner.members.count {
        let k = scanner.key(i)
        if k == "diag_codes" || k == "oprn_codes" || covered.contains(k) || extraSet.contains(k) { continue }
        extra.append(k)
        extraSet.insert(k)
      }
    }
    let ext = format.rawValue
    let paths = ["setl_d", "setl_list_diag_d", "setl_list_oprn_d"].map { "\(prefix).\($0).\(ext)" }
    let setl = try TableWriter(path: paths[0], format: format, gb18030: gb18030)
    let diag = try TableWriter(path: paths[1], format: format, gb18030: gb18030)
    let oprn = try TableWriter(path: paths[2], format: format, gb18030: gb18030)
    let setlNames = setlColumns.map { Schema.canonical($0, fee: false) } + extra
    try setl.header(setlColumns.map { $0.uppercased() } + extra.map { $0.uppercased() })
    try diag.header(diagColumns.map { $0.uppercased() })
    try oprn.header(oprnColumns.map { $0.uppercased() })
    let again = try LineReader(path: input)
    while let line = try again.nextLine() {
      if line.isEmpty { continue }
      try scanner.parse(line)
      var cells: [SheetBuilder.Cell?] = []
      for name in setlNames {
        guard let i = scanner.index(name), let c = try Cells.text(scanner, i, field: name) else {
          cells.append(nil)
          continue
        }
        let kind = Schema.fields[name]?.kind
        cells.append(
          SheetBuilder.Cell(
            text: kind == .time && format == .tsv ? c.text + ".0" : c.text, number: c.number, money: kind == .money))
      }
      try setl.row(cells)
      let keys: [String: String] = [
        "setl_id": try scanner.string("setl_id") ?? "", "mdtrt_id": try scanner.string("mdtrt_id") ?? "",
        "psn_no": try scanner.string("psn_no") ?? "",
      ]
      for (codesField, writer, columns, codeColumn, flagColumn, idColumn) in [
        ("diag_codes", diag, diagColumns, "diag_code", "maindiag_flag", "setl_list_diag_id"),
        ("oprn_codes", oprn, oprnColumns, "oprn_oprt_code", "main_oprn_flag", "setl_list_oprn_id"),
      ] {
        let list = try scanner.strings(codesField) ?? []
        for k in list.indices.reversed() {
          var row: [SheetBuilder.Cell?] = []
          for column in columns {
            let value: String?
            switch column {
            case codeColumn: value = list[k]
            case flagColumn: value = k == 0 ? "1" : "0"
            case "setl_list_sn": value = String(k + 1)
            case idColumn: value = "\(keys["setl_id"]!)-\(k + 1)"
            case "diag_type": value = "1"
            case "vali_flag": value = "1"
            default: value = keys[column].flatMap { $0.isEmpty ? nil : $0 }
            }
            row.append(value.map { SheetBuilder.Cell(text: $0) })
          }
          try writer.row(row)
        }
      }
    }
    try setl.finish()
    try diag.finish()
    try oprn.finish()
    return paths
  }
}

/// One output table: CSV or TSV through a checked `OutputFile` (GB18030 on request), or an xlsx sheet.
final class TableWriter {
  private let format: PlatformExtract.Format
  private let out: OutputFile
  private let sheet: SheetBuilder?
  private let converter: GB18030Converter?
  private var line: [UInt8] = []

  init(path: String, format: PlatformExtract.Format, gb18030: Bool) throws(MIError) {
    self.format = format
    out = try OutputFile(path: path)
    sheet = format == .xlsx ? SheetBuilder() : nil
    converter = gb18030 && format != .xlsx ? try GB18030Converter(name: path, toGB18030: true) : nil
  }

  func header(_ names: [String]) throws(MIError) { try row(names.map { SheetBuilder.Cell(text: $0) }) }

  /// Writes a row; a nil cell is empty (CSV, xlsx) or `null` (TSV).
  func row(_ cells: [SheetBuilder.Cell?]) throws(MIError) {
    if let sheet {
      sheet.row(cells)
      return
    }
    line.removeAll(keepingCapacity: true)
    let delimiter: UInt8 = format == .tsv ? 0x09 : UInt8(ascii: ",")
    for (n, cell) in cells.enumerated() {
      if n > 0 { line.append(delimiter) }
      guard let cell else {
        if format == .tsv { line.append(contentsOf: Array("null".utf8)) }
        continue
      }
      if format == .tsv {
        line.append(contentsOf: Array(cell.text.utf8))
      } else {
        ToCSV.appendCSV(cell.text, delimiter: delimiter, to: &line)
      }
    }
    line.append(0x0A)
    if let converter {
      _ = line.withUnsafeBytes { converter.convert($0, into: &out.buffer) }
    } else {
      out.buffer.append(contentsOf: line)
    }
    try out.flushIfNeeded()
  }

  func finish() throws(MIError) {
    if let sheet { out.buffer.append(contentsOf: try sheet.workbook()) }
    try out.finish()
  }
}
