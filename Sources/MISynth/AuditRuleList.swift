import Foundation
import MICore
import TOMLKit

/// The rule instances of an audit rule set (TOML, audit-spec "The rule-set file"), as the injector needs them:
/// id, type, whether enabled, and the parameters a planter reads, with the engine's defaults where absent.
///
/// The generator reads the file itself rather than through MIAudit so that MISynth stays below the audit library;
/// it reads only what planting needs and ignores the rest (the engine validates the file).
struct PlantRuleList {
  /// One `[[rule]]`.
  struct Rule {
    var id: String
    var type: String
    var table: TOMLTable

    /// A string parameter, or `def`.
    func string(_ key: String, _ def: String) -> String { table[key]?.string ?? def }
    /// An integer parameter, or `def`.
    func int(_ key: String, _ def: Int) -> Int { table[key]?.int ?? def }
    /// An array of strings, or `def`.
    func strings(_ key: String, _ def: [String]) -> [String] {
      guard let a = table[key]?.array else { return def }
      return a.compactMap { $0.string }
    }
    /// An array of string pairs (`pairs = [["MAIN", "SUB"], …]`).
    func pairs(_ key: String) -> [(String, String)] {
      guard let a = table[key]?.array else { return [] }
      return a.compactMap { e in
        guard let two = e.array, two.count == 2, let m = two[0].string, let s = two[1].string else { return nil }
        return (m, s)
      }
    }
    /// A decimal parameter (TOML number or numeric string) as text, or `def`.
    func decimal(_ key: String, _ def: String) -> String {
      guard let v = table[key] else { return def }
      if let s = v.string { return s }
      if let i = v.int { return String(i) }
      if let d = v.double { return String(d) }
      return def
    }
  }
  /// Enabled rules in file order.
  var rules: [Rule]
  /// Inpatient med_type prefixes (settings).
  var inpatientMedTypes: [String]
  /// The file's directory, for parameters naming files relative to it.
  var baseDir: String

  /// Loads the rule set `spec`: a TOML file, else the name of an audit-rules version in the workspace.
  static func load(_ spec: String, db: String?) throws(MIError) -> PlantRuleList {
    let text: String
    var base = "."
    if FileManager.default.fileExists(atPath: spec) {
      guard let data = FileManager.default.contents(atPath: spec) else {
        throw MIError.io("--rules \(spec): cannot read the file")
      }
      text = String(decoding: data, as: UTF8.self)
      base = (spec as NSString).deletingLastPathComponent
    } else {
      if spec.contains("/") || spec.hasSuffix(".toml") {
        throw MIError.usage("--rules \(spec): no such file (name a rules file or an audit-rules version)")
      }
      let ws = try Workspace.open(db, access: .read)
      let set = try ws.refSet(spec, kind: "audit-rules")
      let names = try ws.blobNames(set)
      guard let name = names.first(where: { $0.hasSuffix(".toml") }) ?? names.first,
        let data = try ws.blob(set, name)
      else { throw MIError.reference("\(ws.path): audit-rules '\(spec)' has no TOML text") }
      text = String(decoding: data, as: UTF8.self)
    }
    let params = try Params(text: text, name: spec)
    var rules: [Rule] = []
    for t in try params.tables("rule") {
      guard let id = t["id"]?.string, let type = t["type"]?.string else {
        throw MIError.usage("--rules \(spec): a [[rule]] without id or type")
      }
      if t["enabled"]?.bool == false { continue }
      rules.append(Rule(id: id, type: type, table: t))
    }
    let inpatient =
      try params.strings("settings.inpatient_med_types") ?? [
        "21", "22", "23", "24", "25", "26", "27", "28", "29", "52",
      ]
    return PlantRuleList(rules: rules, inpatientMedTypes: inpatient, baseDir: base.isEmpty ? "." : base)
  }
}
