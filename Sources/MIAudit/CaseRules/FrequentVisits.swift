import MICore

/// D06 频繁住院 / D06O 频繁门诊 (frequent-admission, AUDIT.md §3 D06): a person with at least `max_admissions`
/// admissions (`setting = "inpatient"`, default 4 in any `window_days` = 365 days, counted by admission day) or
/// outpatient and pharmacy settlements (`setting = "outpatient"`, default 10 in any 30 days, by settlement day).
/// "In any N days" is N calendar days: the first and the last visit at most N − 1 days apart. One finding per
/// person, keyed by `psn_no`, naming the busiest window (the earliest of equal ones); no amount (a lead).
///
/// State: the index of cases per person (one day number per visit while a person is examined).
final class FrequentAdmission: CaseRule {
  let spec: RuleSpec
  let outpatient: Bool
  let maxCount: Int
  let windowDays: Int

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    outpatient = try spec.choice("setting", ["inpatient", "outpatient"], default: "inpatient") == "outpatient"
    maxCount = try spec.int("max_admissions", default: outpatient ? 10 : 4)
    windowDays = try spec.int("window_days", default: outpatient ? 30 : 365)
    guard maxCount >= 2 else { throw spec.invalid("max_admissions", "expected at least 2, found \(maxCount)") }
    guard windowDays >= 1 else { throw spec.invalid("window_days", "expected at least 1, found \(windowDays)") }
  }

  /// The busiest window of sorted visit days: the most visits whose days lie within `windowDays` calendar days
  /// (last − first ≤ windowDays − 1), as (first index, last index); the earliest window of the largest count.
  static func busiest(_ days: [Int], windowDays: Int) -> (first: Int, last: Int)? {
    guard !days.isEmpty else { return nil }
    var best = (first: 0, last: 0)
    var i = 0
    for j in days.indices {
      while days[j] - days[i] >= windowDays { i += 1 }
      if j - i > best.last - best.first { best = (i, j) }
    }
    return best
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for (p, indices) in table.byPerson {
      // Fewer visits than the limit cannot fire: most persons end here without building anything.
      var count = 0
      for i in indices where cases[i].isInpatient != outpatient { count += 1 }
      if count < maxCount { continue }
      var visits: [(day: Int, index: Int, seq: Int)] = []
      for i in indices where cases[i].isInpatient != outpatient {
        if let d = outpatient ? cases[i].visitDay : cases[i].admDay { visits.append((d, i, cases[i].seq)) }
      }
      visits.sort { ($0.day, $0.seq) < ($1.day, $1.seq) }
      guard let w = Self.busiest(visits.map(\.day), windowDays: windowDays), w.last - w.first + 1 >= maxCount
      else { continue }
      let n = w.last - w.first + 1
      let window = visits[w.first...w.last]
      let last = cases[window.last!.index]
      let what = outpatient ? "门诊（购药）结算" : "住院"
      let cont =
        "人员\(p)在\(CaseDay.date(window.first!.day))至\(CaseDay.date(window.last!.day))期间\(what)\(n)次"
        + "（\(windowDays)天内达到\(maxCount)次即提示）：" + window.map { cases[$0.index].setlID }.joined(separator: "、")
      var f = Finding(
        rule: spec, volaCont: cont, volaAmt: 0,
        volaEvid: "AUDIT.md D06 频繁\(outpatient ? "就医" : "住院")：任意\(windowDays)天内不少于\(maxCount)次",
        key: p, seq: last.seq)
      f.psnNo = p
      let sites = Set(window.map { cases[$0.index].fixmedinsCode })
      if sites.count == 1 { f.fixmedinsCode = sites.first! }
      f.insutype = last.insutype
      f.occurDate = CaseDay.date(window.last!.day)
      f.metric = String(n)
      f.threshold = String(maxCount)
      findings.append(f)
    }
  }
}
