import Foundation
import MICore

/// Plants of the seeds' rules (AUDIT.md §3 H: "5定", designated sites and quota, dialysis) and of the local
/// frequency and duplicate-pair rules.
///
/// Some of them cannot avoid a second rule: a dialysis patient has a settlement per session, so fourteen sessions
/// in a month are fourteen outpatient settlements (D06O, frequent visits) at an institution whose mean is then
/// fourteen sessions (H03C); a local pair may be a national pair too (B02). `coFiring` adds those rows to the
/// manifest from the other rules' own parameters.
extension Planting {
  /// The registrations of a registered-care rule whose drugs are in no knowledge table (one line, one finding).
  func registrations(_ r: PlantRuleList.Rule) -> [[String: String]] {
    let path = r.string("registrations", "")
    let full = path.hasPrefix("/") ? path : (rules.baseDir as NSString).appendingPathComponent(path)
    guard !path.isEmpty, let data = FileManager.default.contents(atPath: full) else { return [] }
    var out: [[String: String]] = []
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
      var row: [String: String] = [:]
      for (k, v) in obj { if let s = v as? String { row[k] = s } }
      if let code = row["med_list_codg"], row["psn_no"] != nil, row["fixmedins_code"] != nil,
        !knowledge.allCodes.contains(code)
      {
        out.append(row)
      }
    }
    return out
  }

  /// Why a seed or local rule cannot be planted, or nil.
  func cannotPlantSeed(_ r: PlantRuleList.Rule) -> String? {
    switch r.type {
    case "registered-care":
      return registrations(r).isEmpty ? "no registration with a drug outside the knowledge tables" : nil
    case "designated-site-quota", "dialysis":
      return r.strings("codes", []).isEmpty ? "no codes" : nil
    default:
      return nil
    }
  }

  /// Plants a seed or local rule.
  ///
  /// Longer than ~60 lines on purpose: one short case per rule type and check, each saying why its plant gives
  /// exactly its rows; split, each would take the same six arguments.
  mutating func plantSeed(
    _ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, extra: inout [GenCase], maker: inout CaseMaker,
    writer: GenWriter
  ) {
    let codes = r.strings("codes", [])
    switch (r.type, r.string("check", "")) {
    case ("registered-care", _):
      // H01: a registered drug of a registered person at the registered hospital, dispensed by a doctor who is
      // not the registered one (the generator's doctor codes never are).
      let regs = registrations(r)
      let reg = regs[turn % regs.count]
      maker.makeOutpatient(&base, medType: r.strings("med_types", ["14"]).first ?? "14")
      base.psnText = reg["psn_no"]
      base.instText = reg["fixmedins_code"]
      var l = Planting.kpLine(reg["med_list_codg"]!, day: base.dscgDay, base)
      l.marks = [r.id]
      base.lines.append(l)
    case ("designated-site-quota", "quota"):
      // H02Q: two lines at a designated site whose fund exposure is a third above the annual quota; the excess
      // falls on the later line.
      let quota = Fixed(r.decimal("annual_quota", "30000"), scale: 2)?.raw ?? 3_000_000
      base.instText = designatedSite(for: codes)
      let price = (quota * 2 / 3) / 100 * 100 + 100
      base.lines.append(Planting.kpLine(codes[0], day: base.admDay, base, pric: price))
      var l = Planting.kpLine(codes[codes.count > 1 ? 1 : 0], day: base.admDay + 1, base, pric: price)
      l.marks = [r.id]
      base.lines.append(l)
    case ("designated-site-quota", _):
      // H02: a listed drug at an institution that is not a designated site.
      let sites = Set(r.strings("sites", []))
      while sites.contains(String(decoding: writer.instCode(base.inst), as: UTF8.self)) {
        base.inst = (base.inst + 1) % hospitals
      }
      base.hospLv = World.hospitalLevel(base.inst)
      var l = Planting.kpLine(codes[turn % codes.count], day: base.admDay + 1, base)
      l.marks = [r.id]
      base.lines.append(l)
    case ("dialysis", "batch"):
      // H03B: one session on the day before its settlement.
      maker.makeOutpatient(&base, medType: "14")
      var l = Planting.kpLine(codes[0], day: base.dscgDay - 1, base, pric: 40_000)
      l.marks = [r.id]
      base.lines.append(l)
    case ("dialysis", "provider"):
      // H03C: one patient with ⌊baseline⌋ + 1 sessions in a month at a dedicated institution.
      let n = Int(Fixed(r.decimal("baseline", "10.68"), scale: 2)?.raw ?? 1068) / 100 + 1
      let (lines, person, inst) = dialysisMonth(codes[0], sessions: n, turn: turn, extra: &extra, maker: &maker)
      coFiring(
        dialysis: codes[0], sessions: n, person: person, inst: inst, last: lines.last!, extra: &extra, writer: writer)
    case ("dialysis", _):
      // H03: cap + 1 sessions of one patient in a month, one settlement each, at a dedicated institution; the
      // last session is the excess.
      let cap = Int(Fixed(r.decimal("cap", "13"), scale: 4)?.raw ?? 130_000) / 10_000
      let (lines, person, inst) = dialysisMonth(codes[0], sessions: cap + 1, turn: turn, extra: &extra, maker: &maker)
      coFiring(
        dialysis: codes[0], sessions: cap + 1, person: person, inst: inst, last: lines.last!, extra: &extra,
        writer: writer)
    case ("frequency", _):
      plantLocalFrequency(r, turn: turn, base: &base, extra: &extra, maker: &maker, writer: writer)
    default:
      // duplicate-pair: the main and the sub item ten minutes apart in one visit; the sub line fires, and so does
      // every kp-duplicate rule when the pair is a national one too.
      let pairs = r.pairs("pairs")
      let (main, sub) = pairs[turn % pairs.count]
      base.lines.append(Planting.kpLine(main, day: base.admDay + 1, base, secs: 10 * 3600))
      var l = Planting.kpLine(sub, day: base.admDay + 1, base, secs: 10 * 3600 + 600)
      l.marks = [r.id]
      if knowledge.duplicatePairs.contains(main + "|" + sub) {
        l.marks += rules.rules.filter { $0.type == "kp-duplicate" }.map(\.id)
      }
      base.lines.append(l)
    }
  }

  /// A local per-day limit: max_count + 1 outpatient settlements of one person on one day, one unit each (one
  /// settlement per unit, so that a dialysis code stays one session per settlement on its day); the last line
  /// is the finding's key.
  mutating func plantLocalFrequency(
    _ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, extra: inout [GenCase], maker: inout CaseMaker,
    writer: GenWriter
  ) {
    let codes = r.strings("codes", [])
    let code = codes[turn % codes.count]
    let max = Int(Decimal4(r.decimal("max_count", "1")).raw / 10_000)
    maker.makeOutpatient(&base)
    base.lines.append(Planting.kpLine(code, day: base.dscgDay, base, secs: 9 * 3600, pric: 40_000))
    for k in 0..<max {
      var o = maker.sibling(of: base, inst: base.inst)
      o.dscgDay = base.dscgDay
      maker.makeOutpatient(&o)
      var l = Planting.kpLine(code, day: base.dscgDay, o, secs: 10 * 3600 + k * 60, pric: 40_000)
      if k == max - 1 { l.marks = [r.id] }
      o.lines.append(l)
      extra.append(o)
    }
  }

  /// A designated site of the site rules listing one of `codes`, else the pool's first hospital.
  func designatedSite(for codes: [String]) -> String? {
    for r in rules.rules where r.type == "designated-site-quota" && r.string("check", "site") == "site" {
      if !Set(r.strings("codes", [])).isDisjoint(with: codes), let site = r.strings("sites", []).first { return site }
    }
    return nil
  }

  /// One patient's `sessions` dialysis sessions in one calendar month (every other day from its 1st), each
  /// settled the same day as an outpatient settlement (med_type 14) at a new dedicated institution. Returns the
  /// indices in `extra` of the settlements, the person and the institution index.
  mutating func dialysisMonth(
    _ code: String, sessions: Int, turn: Int, extra: inout [GenCase], maker: inout CaseMaker
  ) -> ([Int], Int, Int) {
    let inst = hospitals + dedicated
    dedicated += 1
    let person = maker.person()
    // The 1st of a month: day-of-year of the first of month (turn % 12), in a common or leap year alike.
    let firsts = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    let month = turn % 12
    let leap = maker.days == 366 && month >= 2 ? 1 : 0
    var indices: [Int] = []
    for k in 0..<sessions {
      var o = maker.clean(serial: maker.serial(), person: person, inst: inst)
      o.hospLv = 2
      o.ownOutpatients = true
      o.inPrevious = false
      o.dscgDay = firsts[month] + leap + (2 * k) % 28 + (2 * k >= 28 ? 1 : 0)
      maker.makeOutpatient(&o, medType: "14", lines: 0)
      o.lines = [Planting.kpLine(code, day: o.dscgDay, o, pric: 40_000)]
      indices.append(extra.count)
      extra.append(o)
    }
    return (indices, person, inst)
  }

  /// The rows of the rules a dialysis month fires: the person cap of every dialysis rule on the month's last
  /// session (the latest line, where the excess falls), the provider indicator (its institution has one
  /// patient-month of `sessions`), and frequent outpatient visits.
  mutating func coFiring(
    dialysis code: String, sessions: Int, person: Int, inst: Int, last: Int, extra: inout [GenCase], writer: GenWriter
  ) {
    let instCode = String(decoding: writer.instCode(inst), as: UTF8.self)
    for r in rules.rules where r.type == "dialysis" && r.strings("codes", []).contains(code) {
      switch r.string("check", "person") {
      case "provider":
        let baseline = Fixed(r.decimal("baseline", "10.68"), scale: 2)?.raw ?? 1068
        if Int64(sessions) * 100 > baseline { writerMarks.append((r.id, instCode)) }
      case "person":
        let cap = Fixed(r.decimal("cap", "13"), scale: 4)?.raw ?? 130_000
        if Int64(sessions) * 10_000 > cap { extra[last].lines[0].marks.append(r.id) }
      default:
        break
      }
    }
    // Sessions every other day: the visits span 2 × (sessions − 1) days (one more past the 28th).
    let span = 2 * (sessions - 1) + (2 * (sessions - 1) >= 28 ? 1 : 0)
    for r in rules.rules where r.type == "frequent-admission" && PlantFilters.isOutpatientFrequency(r) {
      let max = r.int("max_admissions", 10)
      let window = r.int("window_days", 30)
      if sessions >= max && min(span, 2 * (max - 1) + (2 * (max - 1) >= 28 ? 1 : 0)) <= window - 1 {
        writerMarks.append((r.id, GenWriter.psnNo(person)))
      }
    }
  }

}
