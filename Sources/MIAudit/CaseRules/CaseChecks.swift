import MICore

/// D07 无指征住院（低标准入院） (low-standard-admission, AUDIT.md §3 D07 [U]): an inpatient case of at most
/// `max_days` days (default 3; `act_ipt_days`, else discharge − admission day) whose examination and laboratory
/// share — Σ `item_amts` of `exam_items` (default 03 检查费, 04 化验费) ÷ `medfee_sumamt` — is at least `min_share`
/// (default 0.60, compared exactly: 0.60 itself fires) and that has no `oprn_codes`; or, whatever its length,
/// whose principal diagnosis starts with one of `outpatient_dx` (门诊可治 list, default empty). Amount: the case's
/// fund amount (`amount`, default fund), 可疑.
///
/// State: none beyond the case.
final class LowStandardAdmission: CaseRule {
  let spec: RuleSpec
  let amount: CaseAmount
  let maxDays: Int
  let minShare: Fixed
  let examItems: [String]
  let outpatientDx: [String]

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    amount = try CaseAmount.read(spec, default: .fund)
    maxDays = try spec.int("max_days", default: 3)
    minShare = try spec.fixed("min_share", scale: 4, default: Fixed(raw: 6000, scale: 4))
    examItems = try spec.strings("exam_items", default: ["03", "04"])
    outpatientDx = try spec.strings("outpatient_dx", default: [])
  }

  /// The examination share of `c` when it is at least `minShare` (nil otherwise, or without a total).
  static func examShare(_ c: AuditCase, items: [String], minShare: Fixed) -> (exam: Int64, share: Fixed)? {
    guard c.medfeeSumamt > 0 else { return nil }
    let exam = items.reduce(Int64(0)) { $0 + (c.itemAmts[$1] ?? 0) }
    guard ExactRatio.compare(Int128(exam), Int128(c.medfeeSumamt), minShare) >= 0 else { return nil }
    return (exam, ExactRatio.quotient(Int128(exam), Int128(c.medfeeSumamt)))
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for i in cases.indices where cases[i].isInpatient {
      let c = cases[i]
      var cont: String
      var metric: String? = nil
      if let dx = c.principalDiag, let hit = outpatientDx.first(where: { dx.hasPrefix($0) }) {
        cont = "住院\(c.setlID)的主要诊断\(dx)属门诊可治病种（\(hit)）"
      } else if let days = c.stayDays, days <= maxDays, c.oprnCodes.isEmpty,
        let s = Self.examShare(c, items: examItems, minShare: minShare)
      {
        cont =
          "住院\(c.setlID)住院\(days)天、无手术操作，检查化验费\(yuan(s.exam))占医疗费总额\(yuan(c.medfeeSumamt))的"
          + "\(s.share.plain)（不低于\(minShare.plain)）"
        metric = s.share.description
      } else {
        continue
      }
      var f = Finding(
        rule: spec, case: c, volaCont: cont, volaAmt: 0,
        volaEvid:
          "AUDIT.md D07：住院不超过\(maxDays)天、检查化验（\(examItems.joined(separator: "、"))）占比不低于\(minShare.plain)且无手术操作")
      f.charge(amount, of: c)
      if metric != nil {
        f.metric = metric
        f.threshold = minShare.description
      }
      findings.append(f)
    }
  }
}

/// E05 结算清单信息异常 (list-quality, AUDIT.md §3 E05): a settlement list (inpatient cases, or every case with
/// `scope = "all"`) without a principal diagnosis, whose principal diagnosis is repeated among the other
/// diagnoses, or whose principal diagnosis starts with one of `not_principal` (default V, W, X, Y: external
/// causes, never principal; MCE edit 2). Codes compare without surrounding spaces and letter case. One finding per
/// case listing every problem, no amount.
///
/// State: none beyond the case.
final class ListQuality: CaseRule {
  let spec: RuleSpec
  let allCases: Bool
  let notPrincipal: [String]

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    allCases = try spec.choice("scope", ["inpatient", "all"], default: "inpatient") == "all"
    notPrincipal = try spec.strings("not_principal", default: ["V", "W", "X", "Y"]).map { $0.uppercased() }
  }

  /// The problems of a case's diagnosis list, in a fixed order; empty when the list is sound. Codes compare on
  /// their bytes with ASCII letters folded (no string is built for a sound list: this runs on every case).
  static func problems(_ diagCodes: [String], notPrincipal: [String]) -> [String] {
    guard let first = diagCodes.first, !first.trimmedUTF8.isEmpty else { return ["缺少主要诊断"] }
    let principal = first.trimmedUTF8
    var out: [String] = []
    if diagCodes.dropFirst().contains(where: { Self.same($0.trimmedUTF8, principal) }) {
      out.append("主要诊断\(first.trimmingSpaces())在其他诊断中重复")
    }
    if let p = notPrincipal.first(where: { p in
      principal.count >= p.utf8.count && zip(principal, p.utf8).allSatisfy { Self.fold($0) == $1 }
    }) {
      out.append("主要诊断\(first.trimmingSpaces())为外部原因编码（\(p)开头），不能作为主要诊断")
    }
    return out
  }

  /// An ASCII letter in upper case, any other byte as it is.
  static func fold(_ b: UInt8) -> UInt8 { b >= 0x61 && b <= 0x7A ? b - 0x20 : b }

  /// Whether two codes are the same but for letter case.
  static func same(_ a: Substring.UTF8View, _ b: Substring.UTF8View) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { fold($0) == fold($1) }
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for i in cases.indices where allCases || cases[i].isInpatient {
      let problems = Self.problems(cases[i].diagCodes, notPrincipal: notPrincipal)
      if problems.isEmpty { continue }
      let c = cases[i]
      var f = Finding(
        rule: spec, case: c, volaCont: "结算清单\(c.setlID)：" + problems.joined(separator: "；"), volaAmt: 0,
        volaEvid: "AUDIT.md E05：结算清单必填项缺失、主要诊断重复、外部原因码作主要诊断（\(notPrincipal.joined(separator: "、"))）")
      f.lead()
      findings.append(f)
    }
  }
}

extension String {
  /// The UTF-8 bytes without leading and trailing spaces and tabs.
  var trimmedUTF8: Substring.UTF8View {
    var v = self[...].utf8
    while let f = v.first, f == 0x20 || f == 0x09 { v = v.dropFirst() }
    while let l = v.last, l == 0x20 || l == 0x09 { v = v.dropLast() }
    return v
  }

  /// The text without leading and trailing spaces and tabs.
  func trimmingSpaces() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }
}

/// F01 高/低倍率病例 (cost-outlier, AUDIT.md §3 F01, DOMAIN.md §2.3): a case `mi-score` classed `high` goes to the
/// 特例单议 review list; with `include_low` (default true) a `low` case of at most `low_max_days` days (default 2)
/// whose patient left alive (`dscg_way` ≠ 5) is a possible 低标准入院 or 推诿. No amount (review).
///
/// State: none beyond the case.
final class CostOutlier: CaseRule {
  let spec: RuleSpec
  let includeLow: Bool
  let lowMaxDays: Int

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    includeLow = try spec.bool("include_low", default: true)
    lowMaxDays = try spec.int("low_max_days", default: 2)
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for i in cases.indices where cases[i].caseClass == "high" || cases[i].caseClass == "low" {
      let c = cases[i]
      let cont: String
      switch c.caseClass {
      case "high":
        cont = "病例\(c.setlID)为高倍率病例（组\(c.groupCode ?? "未知")，医疗费用\(yuan(c.medfeeSumamt))），列入特例单议审核"
      case "low" where includeLow:
        guard let days = c.stayDays, days <= lowMaxDays, c.dscgWay != "5" else { continue }
        cont = "病例\(c.setlID)为低倍率病例，住院\(days)天且非死亡离院，疑似低标准入院或推诿"
      default:
        continue
      }
      var f = Finding(
        rule: spec, case: c, volaCont: cont, volaAmt: 0,
        volaEvid: "AUDIT.md F01：高倍率病例列入特例单议；低倍率且住院不超过\(lowMaxDays)天、非死亡离院者复核")
      f.lead()
      findings.append(f)
    }
  }
}

/// H05 高额病例核查 (high-cost-case, AUDIT.md §3 H05, seed 001): a case whose `medfee_sumamt` is at least `k`
/// (default 3) times the mean of its `group_code` over the input (the case itself included), compared exactly
/// (`medfee × n ≥ k × Σ`), or at least `absolute` yuan when that is set. No amount: the expert review list.
///
/// State: one sum and count per group.
final class HighCostCase: CaseRule {
  let spec: RuleSpec
  let k: Fixed
  let absolute: Int64?

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    k = try spec.fixed("k", scale: 4, default: Fixed(integer: 3, scale: 4))
    guard k.raw > 0 else { throw spec.invalid("k", "expected a positive number, found \(k)") }
    // Optional: absent means no absolute threshold (the accessor would call it required).
    absolute = spec.params["absolute"] == nil ? nil : try spec.fixed("absolute", scale: 2, default: nil).raw
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    var sums: [String: (sum: Int64, n: Int64)] = [:]
    let cases = table.cases
    for i in cases.indices {
      guard let g = cases[i].groupCode else { continue }
      sums[g, default: (0, 0)].sum += cases[i].medfeeSumamt
      sums[g, default: (0, 0)].n += 1
    }
    for i in cases.indices where cases[i].medfeeSumamt > 0 && (absolute != nil || cases[i].groupCode != nil) {
      let c = cases[i]
      var reasons: [String] = []
      var ratio: Fixed? = nil
      if let g = c.groupCode, let s = sums[g], s.sum > 0 {
        let r = Int128(c.medfeeSumamt) * Int128(s.n)
        if ExactRatio.compare(r, Int128(s.sum), k) >= 0 {
          let mean = ExactRatio.rounded(Int128(s.sum), Int128(s.n))
          ratio = ExactRatio.quotient(r, Int128(s.sum))
          reasons.append("为本组\(g)次均费用\(yuan(mean))（\(s.n)例）的\(ratio!.plain)倍，不低于\(k.plain)倍")
        }
      }
      if let a = absolute, c.medfeeSumamt >= a { reasons.append("不低于高额标准\(yuan(a))") }
      if reasons.isEmpty { continue }
      var f = Finding(
        rule: spec, case: c, volaCont: "病例\(c.setlID)医疗费用\(yuan(c.medfeeSumamt))" + reasons.joined(separator: "，且"),
        volaAmt: 0,
        volaEvid:
          "AUDIT.md H05 高额病例核查（种子001）：费用不低于同组均值的\(k.plain)倍"
          + (absolute.map { "或不低于\(yuan($0))" } ?? ""))
      f.lead()
      if let ratio {
        f.metric = ratio.description
        f.threshold = k.description
      }
      findings.append(f)
    }
  }
}
