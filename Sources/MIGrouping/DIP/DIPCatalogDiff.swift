import MICore

extension DIPCatalog {
  /// The difference between two catalog versions for `mi-catalog diff`, one tab-separated line per change in code
  /// order: `+ CODE NAME 分值` added, `- CODE NAME 分值` removed, `~ CODE what` changed, where `what` names the
  /// 分值 (with its relative change), kind, key, expression or class that changed. Informative statistics
  /// (case counts, means, CV) are not compared; auxiliary entries and hospital coefficients are, by code.
  public static func diff(_ old: DIPCatalog, _ new: DIPCatalog) -> [String] {
    var out: [String] = []
    if old.scale != new.scale { out.append("~\t(scale)\t×\(old.scale) → ×\(new.scale)") }
    let a = Dictionary(uniqueKeysWithValues: old.groups.map { ($0.code, $0) })
    let b = Dictionary(uniqueKeysWithValues: new.groups.map { ($0.code, $0) })
    for code in Set(a.keys).union(b.keys).sorted() {
      switch (a[code], b[code]) {
      case (nil, let g?): out.append("+\t\(code)\t\(g.name)\t\(Fixed(raw: g.score, scale: 4))")
      case (let g?, nil): out.append("-\t\(code)\t\(g.name)\t\(Fixed(raw: g.score, scale: 4))")
      case (let o?, let n?):
        var what: [String] = []
        if o.score != n.score {
          let pct = o.score == 0 ? 0 : Fixed.mulDiv(n.score - o.score, 10_000, o.score)
          let change = o.score == 0 ? "" : " (\(pct > 0 ? "+" : "")\(Fixed(raw: pct, scale: 2))%)"
          what.append("分值 \(Fixed(raw: o.score, scale: 4)) → \(Fixed(raw: n.score, scale: 4))\(change)")
        }
        if o.kind != n.kind { what.append("kind \(o.kind.rawValue) → \(n.kind.rawValue)") }
        if o.dxKey != n.dxKey { what.append("dx_key \(o.dxKey) → \(n.dxKey)") }
        if o.expression != n.expression { what.append("oprn_expr \(o.expression.text) → \(n.expression.text)") }
        if o.opClass != n.opClass {
          what.append("oprn_class \(o.opClass?.rawValue ?? "-") → \(n.opClass?.rawValue ?? "-")")
        }
        if o.name != n.name { what.append("name \(o.name) → \(n.name)") }
        if !what.isEmpty { out.append("~\t\(code)\t" + what.joined(separator: "; ")) }
      case (nil, nil): break
      }
    }
    let oa = Dictionary(uniqueKeysWithValues: old.aux.map { ($0.code, $0) })
    let na = Dictionary(uniqueKeysWithValues: new.aux.map { ($0.code, $0) })
    for code in Set(oa.keys).union(na.keys).sorted() {
      switch (oa[code], na[code]) {
      case (nil, let x?): out.append("+\taux:\(code)\t\(x.name)\t\(Fixed(raw: x.coef, scale: 4))")
      case (let x?, nil): out.append("-\taux:\(code)\t\(x.name)\t\(Fixed(raw: x.coef, scale: 4))")
      case (let o?, let n?) where o != n:
        out.append("~\taux:\(code)\tcoef \(Fixed(raw: o.coef, scale: 4)) → \(Fixed(raw: n.coef, scale: 4))")
      default: break
      }
    }
    for lv in Set(old.hospitalCoefs.keys).union(new.hospitalCoefs.keys).sorted() {
      let o = old.hospitalCoefs[lv].map { Fixed(raw: $0, scale: 4).description } ?? "-"
      let n = new.hospitalCoefs[lv].map { Fixed(raw: $0, scale: 4).description } ?? "-"
      if o != n { out.append("~\thosp-coef:\(lv)\tcoef \(o) → \(n)") }
    }
    return out
  }
}
