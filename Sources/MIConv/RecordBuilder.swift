import Foundation
import MICore

/// How an extract's columns become canonical fields.
public struct MappingOptions: Sendable {
  /// A bureau's own column names → canonical names (`--map FILE`), matched before the built-in aliases.
  public var map: [String: String] = [:]
  /// Drop columns that are neither canonical nor mapped (`--strict`) instead of keeping them lower-cased.
  public var strict = false
  /// The table is fee lines (`overlmt_selfpay` is then `overlmt_amt`); nil: detected from the columns.
  public var fee: Bool? = nil

  /// Creates the defaults.
  public init(map: [String: String] = [:], strict: Bool = false, fee: Bool? = nil) {
    self.map = map
    self.strict = strict
    self.fee = fee
  }

  /// Reads a `--map` file: two columns (the bureau's name, the canonical name), tab- or comma-separated.
  public static func readMap(_ path: String) throws(MIError) -> [String: String] {
    let table = try TableReader(path: path)
    var map: [String: String] = [:]
    while let row = try table.nextRow() {
      let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
      if cells.first?.hasPrefix("#") == true { continue }
      guard cells.count == 2, !cells[0].isEmpty, !cells[1].isEmpty else {
        throw table.error(nil, "a map line is two columns: the extract's name, the canonical name")
      }
      if table.lineNumber == 1 && cells[0].lowercased() == "column" { continue }
      map[cells[0]] = cells[1]
    }
    return map
  }
}

/// Builds one canonical NDJSON record from each row of an extract whose columns are known.
public final class RecordBuilder {
  /// Where one column goes.
  struct Target {
    /// `"name":`, encoded.
    var key: [UInt8]
    /// The canonical (or kept) name.
    var name: String
    /// How the text becomes JSON.
    var kind: FieldKind
  }

  /// The columns as the extract names them.
  public let columns: [String]
  /// The field each column becomes (nil: dropped by `--strict`).
  public let fieldNames: [String?]
  private let targets: [Target?]
  /// Whether the table was taken for fee lines.
  public let isFee: Bool
  /// Text cells that held spreadsheet numbers (a code typed as a number may have lost a leading zero).
  public private(set) var numericTextCells = 0
  /// Where the first of them was: the row's line and the field.
  public private(set) var firstNumericText: (line: Int, field: String)? = nil
  private var scratch: [UInt8] = []

  /// Plans the columns; two columns mapping to one field is an error naming both.
  public init(columns: [String], options: MappingOptions, file: String, line: Int) throws(MIError) {
    self.columns = columns
    let lower = Set(columns.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    let fee = options.fee ?? (lower.contains("bkkp_sn") || lower.contains("feedetl_sn"))
    isFee = fee
    var seen: [String: Int] = [:]
    var targets: [Target?] = []
    var names: [String?] = []
    for (i, column) in columns.enumerated() {
      let name = Schema.canonical(column, fee: fee, map: options.map)
      let info = Schema.fields[name]
      if options.strict && info == nil {
        targets.append(nil)
        names.append(nil)
        continue
      }
      if name.isEmpty {
        throw MIError.data(file: file, line: line, field: nil, message: "column \(i + 1) has no name")
      }
      if let j = seen[name] {
        throw MIError.data(
          file: file, line: line, field: name,
          message: "columns \(j + 1) (\(columns[j])) and \(i + 1) (\(column)) both map to it; drop one or --map it")
      }
      seen[name] = i
      targets.append(Target(key: JSONText.quoted(name) + [UInt8(ascii: ":")], name: name, kind: info?.kind ?? .text))
      names.append(name)
    }
    self.targets = targets
    fieldNames = names
  }

  /// Appends the record of `row` (with its newline) to `out`; false, appending nothing, when every cell is absent.
  ///
  /// A cell that is not what its field needs is a `FieldError` naming the canonical field and the text.
  public func build(_ row: TableRow, into out: inout [UInt8]) throws(FieldError) -> Bool {
    guard row.count == targets.count else {
      throw FieldError(nil, "the row has \(row.count) fields, the header \(targets.count)")
    }
    let mark = out.count
    out.append(UInt8(ascii: "{"))
    var first = true
    var failure: FieldError? = nil
    row.bytes.withUnsafeBytes { all in
      for i in 0..<targets.count {
        guard let t = targets[i] else { continue }
        let cell = UnsafeRawBufferPointer(rebasing: all[row.start(i)..<row.ends[i]])
        if Values.isAbsent(cell) { continue }
        let numeric = i < row.numeric.count && row.numeric[i]
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(contentsOf: t.key)
        if let error = value(cell, t, numeric: numeric, line: row.line, into: &out) {
          failure = error
          return
        }
      }
    }
    if let failure {
      out.removeSubrange(mark...)
      throw failure
    }
    if first {
      out.removeSubrange(mark...)
      return false
    }
    out.append(UInt8(ascii: "}"))
    out.append(0x0A)
    return true
  }

  /// Appends the JSON value of one cell, or returns the error.
  private func value(
    _ cell: UnsafeRawBufferPointer, _ t: Target, numeric: Bool, line: Int, into out: inout [UInt8]
  ) -> FieldError? {
    let text = { String(decoding: cell, as: UTF8.self) }
    switch t.kind {
    case .text:
      if numeric {
        numericTextCells += 1
        if firstNumericText == nil { firstNumericText = (line, t.name) }
        let plain = Values.plainNumber(cell)
        plain.withUnsafeBytes { Values.appendString($0, to: &out) }
      } else {
        Values.appendString(cell, to: &out)
      }
    case .money:
      guard let fen = Values.money(cell, numeric: numeric) else {
        return FieldError(t.name, "\"\(text())\" is not money in yuan with at most two decimals")
      }
      Money.append(fen, to: &out)
    case .integer:
      guard let v = Values.integer(cell) else { return FieldError(t.name, "\"\(text())\" is not a whole number") }
      JSONWriter.appendInt(v, to: &out)
    case .decimal:
      let plain = numeric ? Values.plainNumber(cell) : Array(cell)
      guard plain.withUnsafeBytes({ Values.isDecimal($0) }) else {
        return FieldError(t.name, "\"\(text())\" is not a decimal number")
      }
      out.append(contentsOf: plain)
    case .time, .date:
      out.append(UInt8(ascii: "\""))
      guard Values.time(cell, dateOnly: t.kind == .date, into: &out) else {
        let shape = t.kind == .date ? "a date" : "a time"
        return FieldError(
          t.name,
          "\"\(text())\" is not \(shape) (yyyy-MM-dd HH:mm:ss, 2024/5/28 12:00, 20240528120000, an Excel serial)")
      }
      out.append(UInt8(ascii: "\""))
    case .codes:
      out.append(UInt8(ascii: "["))
      var firstCode = true
      for part in cell.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
        if !firstCode { out.append(UInt8(ascii: ",")) }
        firstCode = false
        Values.appendString(UnsafeRawBufferPointer(rebasing: part), to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object:
      let data = Data(cell)
      guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
        return FieldError(t.name, "\"\(text())\" is not a JSON object")
      }
      out.append(contentsOf: cell)
    }
    return nil
  }

  /// The row as a JSON object of its raw cells under the extract's own column names, for `--rejects`.
  public func rawRecord(_ row: TableRow) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "{")]
    row.bytes.withUnsafeBytes { all in
      for i in 0..<row.count {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        let name = i < columns.count ? columns[i] : "column \(i + 1)"
        out.append(contentsOf: JSONText.quoted(name))
        out.append(UInt8(ascii: ":"))
        Values.appendString(UnsafeRawBufferPointer(rebasing: all[row.start(i)..<row.ends[i]]), to: &out)
      }
    }
    out.append(UInt8(ascii: "}"))
    return out
  }
}
