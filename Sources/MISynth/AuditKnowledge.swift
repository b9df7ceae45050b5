import Foundation
import MICore

/// The knowledge-point rows the injector plants violations of, read from the nine TSV tables of a kp version
/// (`../shared/reference/audit/README.md` gives every column).
///
/// Only rows whose codes sit in exactly one table (and once in it) are kept: a planted line must fire its own
/// rule and no other, and the README warns that a code can sit in several tables (儿童听力障碍语言训练 is in
/// kp-age, kp-course and kp-frequency), which would make one planted line two findings.
struct PlantKnowledge {
  /// One kept row: its code (or codes) and the columns a planter needs, by header name.
  struct Row {
    var kpID: String
    var code: String
    var columns: [String: String]
    subscript(_ name: String) -> String { columns[name] ?? "" }
  }
  /// Rows per table name (`kp-sex` …), in file order, single-table codes only.
  var tables: [String: [Row]] = [:]
  /// Every code of every table (a local rule's code found here would fire a knowledge rule too).
  var allCodes: Set<String> = []
  /// Codes restricted by patient, insurance, setting or hospital (a planted line of one could fire A01–A05).
  var eligibilityCodes: Set<String> = []
  /// Codes with a per-day or per-period count (a second line of one on a day could fire C01 or C02).
  var frequencyCodes: Set<String> = []
  /// Every kp-duplicate pair as `main|sub`.
  var duplicatePairs: Set<String> = []

  /// The nine tables of the reference set.
  static let tableNames = [
    "kp-sex", "kp-age", "kp-insutype", "kp-mdtrt", "kp-level", "kp-course", "kp-discount", "kp-duplicate",
    "kp-frequency",
  ]

  /// Reads the tables from `spec`: a directory holding `kp-*.tsv` (the reference set or `examples/audit/kp-mini`),
  /// else the name of a kp version in the workspace, whose blobs are the same TSV texts.
  static func load(_ spec: String, db: String?) throws(MIError) -> PlantKnowledge {
    var texts: [String: String] = [:]
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: spec, isDirectory: &isDir), isDir.boolValue {
      for name in tableNames {
        let path = (spec as NSString).appendingPathComponent("\(name).tsv")
        guard let data = FileManager.default.contents(atPath: path) else {
          throw MIError.reference("--kp \(spec): no \(name).tsv in the directory")
        }
        texts[name] = String(decoding: data, as: UTF8.self)
      }
    } else {
      if spec.contains("/") {
        throw MIError.reference("--kp \(spec): no such directory (name a kp directory or a kp version)")
      }
      let ws = try Workspace.open(db, access: .read)
      let set = try ws.refSet(spec, kind: "kp")
      for name in tableNames {
        var found = try ws.blob(set, "\(name).tsv")
        if found == nil { found = try ws.blob(set, name) }
        guard let data = found else {
          throw MIError.reference("\(ws.path): kp '\(spec)' has no table \(name)")
        }
        texts[name] = String(decoding: data, as: UTF8.self)
      }
    }
    return PlantKnowledge(texts: texts)
  }

  /// Parses the tables and keeps the rows of codes found in one table only.
  init(texts: [String: String]) {
    var parsed: [String: [[String: String]]] = [:]
    var tablesOf: [String: Set<String>] = [:]
    var rowsOf: [String: Int] = [:]
    for name in PlantKnowledge.tableNames {
      let lines = (texts[name] ?? "").split(separator: "\n", omittingEmptySubsequences: true)
      guard let head = lines.first else { continue }
      let header = head.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      var rows: [[String: String]] = []
      for line in lines.dropFirst() {
        let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var row: [String: String] = [:]
        for (i, h) in header.enumerated() where i < cells.count { row[h] = cells[i] }
        rows.append(row)
        if name == "kp-duplicate" { duplicatePairs.insert((row["main_code"] ?? "") + "|" + (row["sub_code"] ?? "")) }
        if ["kp-sex", "kp-age", "kp-insutype", "kp-mdtrt", "kp-level"].contains(name), let c = row["code"] {
          eligibilityCodes.insert(c)
        }
        if name == "kp-frequency", let c = row["code"] { frequencyCodes.insert(c) }
        for key in ["code", "main_code", "sub_code"] {
          if let c = row[key], !c.isEmpty {
            tablesOf[c, default: []].insert(name)
            rowsOf[c, default: 0] += 1
          }
        }
      }
      parsed[name] = rows
    }
    allCodes = Set(tablesOf.keys)
    for name in PlantKnowledge.tableNames {
      var kept: [Row] = []
      for row in parsed[name] ?? [] {
        let codes = name == "kp-duplicate" ? [row["main_code"] ?? "", row["sub_code"] ?? ""] : [row["code"] ?? ""]
        // A duplicate pair's codes may each sit in several pairs of the table (the pair planted is the only one
        // of its case); every other table's code must have this one row.
        let single = codes.allSatisfy { c in
          !c.isEmpty && tablesOf[c] == [name] && (name == "kp-duplicate" || rowsOf[c] == 1)
        }
        if single { kept.append(Row(kpID: row["kp_id"] ?? "", code: codes[0], columns: row)) }
      }
      tables[name] = kept
    }
  }

  /// The kept rows of `table` that satisfy `filter`.
  func rows(_ table: String, where filter: (Row) -> Bool = { _ in true }) -> [Row] {
    (tables[table] ?? []).filter(filter)
  }
}
