import Foundation
import MICore

/// Plants of the case, person and institution rules (audit-spec "CASE"): settlements changed or added so that
/// one finding of the rule fires, keyed as the manifest says.
extension Planting {
  /// Plants a case or person rule into `base` and added cases.
  mutating func plantPerson(
    _ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, extra: inout [GenCase], maker: inout CaseMaker
  ) throws(MIError) {
    switch r.type {
    case "outpatient-during-stay":
      // D02: an outpatient settlement of the same person on a day strictly inside the stay, at another hospital.
      var o = maker.sibling(of: base, inst: (base.inst + 1) % hospitals)
      o.dscgDay = base.admDay + 1
      maker.makeOutpatient(&o)
      o.marks = [r.id]
      extra.append(o)
    case "overlapping-stays":
      // D03: a second stay of the same person at another hospital, admitted the day after the first admission
      // and discharged after it: the later case fires.
      var s = maker.sibling(of: base, inst: (base.inst + 1) % hospitals)
      maker.restay(&s, adm: base.admDay + 1, los: base.dscgDay - base.admDay)
      s.marks = [r.id]
      extra.append(s)
    case "readmission":
      // D05: readmission to the same hospital a third of the window after discharge.
      let window = r.int("window_days", 15)
      maker.restay(&base, adm: min(base.admDay, maker.days - window - 30), los: base.dscgDay - base.admDay)
      var s = maker.sibling(of: base, inst: base.inst)
      maker.restay(&s, adm: base.dscgDay + max(1, window / 3), los: 2 + turn % 5)
      s.marks = [r.id]
      extra.append(s)
    case "frequent-admission":
      plantFrequent(r, turn: turn, base: &base, extra: &extra, maker: &maker)
    case "low-standard-admission":
      // D07: a two-day stay without operation whose examinations and tests are two thirds of the cost.
      base.oprn = []
      maker.restay(&base, adm: base.admDay, los: 2)
      let rest = base.lines.reduce(Int64(0)) { $0 + $1.amount }
      var exam: Int64 = 0
      var k = 0
      while exam < 2 * rest {
        let l = maker.line(maker.catalogue.exam[k % 4], day: base.admDay + k % 3, base, cnt: 1)
        exam += l.amount
        base.lines.append(l)
        k += 1
      }
      base.marks.append(r.id)
    case "list-quality":
      // E05: in turn a missing principal diagnosis, the principal repeated among the secondaries, or an
      // external cause (V–Y) as principal.
      switch turn % 3 {
      case 0: base.diag = []
      case 1: base.diag = [base.diag[0], "R50.900", base.diag[0]]
      default: base.diag = ["W19.x00"] + base.diag
      }
      base.marks.append(r.id)
    case "cost-outlier":
      // F01: a case that mi-score classed high (高倍率).
      base.extra.append("\"case_class\":\"high\"")
      base.marks.append(r.id)
    case "high-cost-case":
      plantHighCost(r, turn: turn, base: &base, extra: &extra, maker: &maker)
    default:
      throw MIError.usage("the generator does not plant rule type \(r.type)")
    }
  }

  /// D06: max_admissions stays of one person at as many hospitals, 20 days apart; D06O (outpatient): ten
  /// outpatient settlements two days apart. The finding's key is the person.
  mutating func plantFrequent(
    _ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, extra: inout [GenCase], maker: inout CaseMaker
  ) {
    if PlantFilters.isOutpatientFrequency(r) {
      let n = r.int("max_visits", r.int("max_admissions", 10))
      let person = maker.person()
      let inst = turn % hospitals
      let start = 2 + (turn * 37) % (maker.days - 2 * n - 4)
      for k in 0..<n {
        var o = maker.clean(serial: maker.serial(), person: person, inst: inst)
        o.dscgDay = start + 2 * k
        maker.makeOutpatient(&o)
        extra.append(o)
      }
      writerMarks.append((r.id, GenWriter.psnNo(person)))
      return
    }
    let n = r.int("max_admissions", 4)
    maker.restay(&base, adm: min(base.admDay, maker.days - 35 * n), los: base.dscgDay - base.admDay)
    var last = base.dscgDay
    for k in 1..<n {
      var s = maker.sibling(of: base, inst: (base.inst + k) % hospitals)
      maker.restay(&s, adm: last + 20, los: 2 + (turn + k) % 6)
      last = s.dscgDay
      extra.append(s)
    }
    writerMarks.append((r.id, GenWriter.psnNo(base.person)))
  }

  /// H05: five cases of one group_code, four ordinary and one costing twelve times the dearest of them: at least
  /// k (3) times the group mean, which the others stay far below.
  mutating func plantHighCost(
    _ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, extra: inout [GenCase], maker: inout CaseMaker
  ) {
    let group = "GH05\(String(format: "%04d", turn))"
    var dearest: Int64 = 0
    for _ in 0..<4 {
      var o = maker.clean(serial: maker.serial(), person: maker.person())
      o.groupCode = group
      dearest = max(dearest, o.lines.reduce(Int64(0)) { $0 + $1.amount })
      extra.append(o)
    }
    let price = 12 * dearest
    base.lines.append(
      GenLine(
        code: maker.catalogue.any[2].code, listType: 301, itemType: 8, level: 1, cnt: 1, pric: price,
        cap: price + price / 5, day: base.admDay + 1, secs: 11 * 3600, dept: base.doctor % 12, doctor: base.doctor))
    base.groupCode = group
    base.marks.append(r.id)
  }
}

extension PlantFilters {
  /// Whether a frequent-admission rule counts outpatient settlements (D06O) rather than admissions (D06).
  static func isOutpatientFrequency(_ r: PlantRuleList.Rule) -> Bool {
    r.string("setting", r.string("scope", r.id == "D06O" ? "outpatient" : "inpatient")) == "outpatient"
  }
}
