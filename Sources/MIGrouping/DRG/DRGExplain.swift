import Foundation
import MICore

// Explaining a case (`--explain`): the trace lines of the decision and each condition with what it found.

extension DRGGrouper {
  private func code(_ id: Int32) -> String { id >= 0 ? engine.codes.code(id) : "?" }

  /// Whether condition `n` reads the CC/MCC result (its trace then lists the comorbidities).
  func usesComorbidity(_ n: Int32) -> Bool {
    let node = engine.nodes[Int(n)]
    switch node.op {
    case .hasMCC, .hasMCCOrCC: return true
    case .all, .any: return (node.a..<(node.a + node.b)).contains { usesComorbidity(engine.kids[Int($0)]) }
    case .not: return usesComorbidity(node.a)
    default: return false
    }
  }

  /// One trace line per secondary diagnosis that is an MCC or CC: counted, or removed by which exclusion table.
  func explainComorbidity() {
    let e = engine
    guard dx.count >= 2 else {
      trace.append("no secondary diagnoses: no CC or MCC")
      return
    }
    let excl = dx[0] >= 0 ? e.exclusionTable[Int(dx[0])] : -1
    var any = false
    for k in 1..<dx.count where dx[k] >= 0 {
      let id = dx[k]
      for (kind, table) in [("MCC", e.mccTable), ("CC", e.ccTable)] {
        let t = table[Int(id)]
        guard t >= 0 else { continue }
        any = true
        let tname = e.exclusionNames[Int(t)]
        if excl >= 0 && excl == t {
          trace.append(
            "\(kind) \(code(id)) (table \(tname)) excluded: principal \(code(dx[0])) has exclusion table \(tname)")
        } else {
          trace.append("\(kind) \(code(id)) (table \(tname)) counts")
        }
      }
    }
    if !any { trace.append("no secondary diagnosis is a CC or MCC") }
  }

  /// The condition as text, with what it found in this case: `principal_dx_in GZ1.adrg_zd [K22.301]`.
  func describe(_ n: Int32) -> String {
    let e = engine
    let node = e.nodes[Int(n)]
    let value = (try? eval(n)).map { $0 ? "✓" : "✗" } ?? "!"
    func list() -> String { e.listIds[Int(node.a)] }
    func found(_ ids: [Int32]) -> String {
      let hits = ids.filter { listHas(node.a, $0) }.map(code)
      return hits.isEmpty ? value : "[\(hits.joined(separator: ", "))]"
    }
    switch node.op {
    case .always: return "always"
    case .all, .any:
      let parts = (node.a..<(node.a + node.b)).map { describe(e.kids[Int($0)]) }
      return "\(node.op == .all ? "all" : "any")(\(parts.joined(separator: "; ")))"
    case .not: return "not(\(describe(node.a))) \(value)"
    case .principalDx: return "principal_dx_in \(list()) \(found([dx[0]]))"
    case .anyDx: return "any_dx_in \(list()) \(found(Array(dx)))"
    case .secondaryDx: return "secondary_dx_in \(list()) \(found(Array(dx.dropFirst())))"
    case .principalProc: return "principal_proc_in \(list()) \(found(Array(px.prefix(1))))"
    case .anyProc: return "any_proc_in \(list()) \(found(Array(px)))"
    case .procLabel:
      let t = e.labels[Int(node.a)]
      let hits = px.filter { $0 >= 0 && t[Int($0)] == node.b }.map(code)
      return "proc_label \(e.tableIds[Int(node.a)])=\(e.labelNames[Int(node.b)]) "
        + (hits.isEmpty ? value : "[\(hits.joined(separator: ", "))]")
    case .dxLabelCountGE:
      let t = e.labels[Int(node.a)]
      var seen: [String] = []
      for id in dx where id >= 0 && t[Int(id)] >= 0 {
        let l = e.labelNames[Int(t[Int(id)])]
        if !seen.contains(l) { seen.append(l) }
      }
      return "dx_label_count_ge \(e.tableIds[Int(node.a)]) \(node.v) [\(seen.joined(separator: ", "))] \(value)"
    case .gender: return "gender \(String(decoding: e.genders[Int(node.a)], as: UTF8.self)) \(value)"
    case .ageEq: return "age_eq \(node.v) \(value)"
    case .ageGt: return "age_gt \(node.v) \(value)"
    case .ageLe: return "age_le \(node.v) \(value)"
    case .ageDaysLe, .ageDaysLeStrict: return "age_days_le \(node.v) \(value)"
    case .ageEqStrict: return "age_eq \(node.v) \(value)"
    case .hasWeight: return "has_weight \(value)"
    case .weightLt: return "weight_lt \(node.v) \(value)"
    case .weightGe: return "weight_ge \(node.v) \(value)"
    case .hasMCC: return "has_mcc \(value)"
    case .hasMCCOrCC: return "has_mcc_or_cc \(value)"
    case .missing: return "missing \(DRGField(rawValue: node.a)!.name) \(value)"
    case .genderIn: return "gender_in \(value) (gend \(genderText.isEmpty ? "missing" : genderText))"
    case .noDx: return "no_dx \(value)"
    }
  }
}
