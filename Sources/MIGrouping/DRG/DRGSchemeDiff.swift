import Foundation
import MICore

/// What changed between two DRG schemes (动态调整): MDCs, ADRG rules and DRGs added, removed, renamed, moved or
/// with changed conditions; codes added to and removed from code lists, label tables and the CC/MCC tables.
///
/// One line per change, tab-separated, `SIGN<TAB>WHAT<TAB>KEY<TAB>DETAIL…`, where SIGN is `+` (only in the new
/// scheme), `-` (only in the old) or `~` (in both, changed). Lines are sorted by WHAT, KEY, then the rest, so the
/// output is the same byte for byte for the same two schemes.
public enum DRGSchemeDiff {
  /// The difference between two `drg-scheme` sets of the workspace.
  public static func diff(_ ws: Workspace, _ a: RefSet, _ b: RefSet) throws -> [String] {
    let old = try DRGSchemeStore.files(ws, a).scheme
    let new = try DRGSchemeStore.files(ws, b).scheme
    return try lines(old: old, new: new)
  }

  /// The difference between two `scheme.json` texts.
  public static func lines(old: Data, new: Data) throws -> [String] {
    let a = try Flat(old)
    let b = try Flat(new)
    var out: [(String, String, String, String)] = []
    func compare(_ what: String, _ x: [String: String], _ y: [String: String]) {
      for (k, v) in x where y[k] == nil { out.append((what, k, "-", v)) }
      for (k, v) in y where x[k] == nil { out.append((what, k, "+", v)) }
      for (k, v) in x { if let w = y[k], w != v { out.append((what, k, "~", "\(v)\t\(w)")) } }
    }
    compare("mdc", a.mdcs, b.mdcs)
    compare("adrg-rule", a.rules, b.rules)
    compare("drg", a.drgs, b.drgs)
    compare("check", a.checks, b.checks)
    compare("setting", a.settings, b.settings)
    for table in ["mcc", "cc", "cc_exclusion"] {
      compare(table, a.comorbidity[table] ?? [:], b.comorbidity[table] ?? [:])
    }
    let ids = Set(a.lists.keys).union(b.lists.keys)
    for id in ids {
      switch (a.lists[id], b.lists[id]) {
      case (let x?, nil): out.append(("code-list", id, "-", "\(x.count) codes"))
      case (nil, let y?): out.append(("code-list", id, "+", "\(y.count) codes"))
      case (let x?, let y?):
        for c in x.subtracting(y) { out.append(("code-list", id, "-", c)) }
        for c in y.subtracting(x) { out.append(("code-list", id, "+", c)) }
      default: break
      }
    }
    let tables = Set(a.labels.keys).union(b.labels.keys)
    for id in tables { compare("label-table \(id)", a.labels[id] ?? [:], b.labels[id] ?? [:]) }
    out.sort { ($0.0, $0.1, $0.2, $0.3) < ($1.0, $1.1, $1.2, $1.3) }
    return out.map { "\($0.2)\t\($0.0)\t\($0.1)\t\($0.3)" }
  }

  /// A scheme flattened to comparable maps of text.
  private struct Flat {
    /// MDC code → "entry … | qy …".
    var mdcs: [String: String] = [:]
    /// Rule id → "in MDCX: entry …, on_no_drg …".
    var rules: [String: String] = [:]
    /// DRG code → "name | in rule … | when …" (a DRG listed by several rules is keyed by rule too).
    var drgs: [String: String] = [:]
    /// Check id → "when … | reason".
    var checks: [String: String] = [:]
    /// Reasons and the OR-procedure list id.
    var settings: [String: String] = [:]
    /// Comorbidity table → code → exclusion table id.
    var comorbidity: [String: [String: String]] = [:]
    /// Code list id → codes.
    var lists: [String: Set<String>] = [:]
    /// Label table id → code → label.
    var labels: [String: [String: String]] = [:]

    init(_ data: Data) throws {
      let json: Any
      do { json = try JSONSerialization.jsonObject(with: data) } catch {
        throw MIError.reference(Diagnostics.jsonError(error, in: data, file: "scheme.json"))
      }
      guard let root = json as? [String: Any] else {
        throw MIError.reference("scheme.json: expected a JSON object")
      }
      try DRGSchemeCompiler.checkHeader(root)
      for m in root["mdcs"] as? [[String: Any]] ?? [] {
        let code = m["code"] as? String ?? "?"
        mdcs[code] = "entry \(Flat.text(m["entry"]))\tqy \(Flat.text(m["qy"]))"
        for r in m["adrgs"] as? [[String: Any]] ?? [] {
          let id = r["rule"] as? String ?? r["code"] as? String ?? "?"
          rules[id] =
            "in \(code): entry \(Flat.text(r["entry"])), on_no_drg \(r["on_no_drg"] as? String ?? "use_adrg_code")"
          let ds = r["drgs"] as? [[String: Any]] ?? []
          for (i, d) in ds.enumerated() {
            let dcode = d["code"] as? String ?? "?"
            let key = drgs[dcode] == nil ? dcode : "\(dcode) (rule \(id))"
            drgs[key] = "\(d["name"] as? String ?? "")\tin \(id) #\(i + 1): when \(Flat.text(d["when"]))"
          }
        }
      }
      let ch = root["checks"] as? [String: Any] ?? [:]
      for c in ch["rules"] as? [[String: Any]] ?? [] {
        checks[c["id"] as? String ?? "?"] = "when \(Flat.text(c["when"]))\treason \(c["reason"] as? String ?? "")"
      }
      settings["checks.error_reason"] = ch["error_reason"] as? String ?? ""
      for (k, v) in root["outcomes"] as? [String: Any] ?? [:] { settings["outcomes.\(k)"] = Flat.text(v) }
      settings["or_procedures"] = root["or_procedures"] as? String ?? ""
      for (k, v) in root["comorbidity"] as? [String: Any] ?? [:] {
        comorbidity[k] = (v as? [String: Any] ?? [:]).mapValues { "table \(Flat.text($0))" }
      }
      for (id, l) in root["code_lists"] as? [String: Any] ?? [:] {
        lists[id] = Set((l as? [String: Any])?["codes"] as? [String] ?? [])
      }
      for (id, t) in root["label_tables"] as? [String: Any] ?? [:] {
        labels[id] = ((t as? [String: Any])?["labels"] as? [String: Any] ?? [:]).mapValues { Flat.text($0) }
      }
    }

    /// Compact JSON text of a value with sorted keys (strings bare).
    static func text(_ v: Any?) -> String {
      guard let v else { return "null" }
      if let s = v as? String { return s }
      guard let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) else {
        return "\(v)"
      }
      return String(decoding: d, as: UTF8.self)
    }
  }
}
