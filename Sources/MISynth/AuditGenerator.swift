import Foundation
import MICore

/// The options of `mi-gen fees` that make audit test data: consistent cases beside the lines, and planted
/// violations with a manifest of the findings they must give (issue 14 item 7).
public struct AuditGenOptions: Sendable {
  /// --cases-out: write one case record per generated settlement here.
  public var casesOut: String?
  /// --previous-out: write the previous period's cases (the same institutions a year earlier), for the growth,
  /// dual-control and upcoding rules that compare with `mi-audit run --previous`.
  public var previousOut: String?
  /// --inject: the fraction of cases that carry a planted violation (nil: clean data only).
  public var inject: Double?
  /// --kp: the knowledge-point tables (a directory of `kp-*.tsv` or a kp version in the workspace).
  public var kp: String?
  /// --rules: the rule set whose rules are planted (file or audit-rules version).
  public var rules: String?
  /// --manifest: where the expected findings go (NDJSON `{"rule_id","key"}`).
  public var manifest: String?
  /// --lines-per-case: mean fee lines of a case.
  public var linesPerCase: Int
  /// --outpatient-per-case: outpatient settlements written per inpatient case (门诊住院比).
  public var outpatientPerCase: Int

  public init(
    casesOut: String?, previousOut: String?, inject: Double?, kp: String?, rules: String?, manifest: String?,
    linesPerCase: Int, outpatientPerCase: Int
  ) {
    self.casesOut = casesOut
    self.previousOut = previousOut
    self.inject = inject
    self.kp = kp
    self.rules = rules
    self.manifest = manifest
    self.linesPerCase = linesPerCase
    self.outpatientPerCase = outpatientPerCase
  }

  /// Whether any audit option is set (without one, `mi-gen fees` writes the historical bytes).
  public var isActive: Bool { casesOut != nil || previousOut != nil || inject != nil }
}

/// The clean-data catalogue of the audit generator: items whose codes are in no knowledge table and no rule
/// parameter (their shape, `GX…`, is none of the national shapes), priced under their caps.
struct CleanCatalogue {
  struct Item {
    var code: [UInt8]
    var listType: Int
    var itemType: Int
    var level: Int
    var pric: Int64
  }
  /// Treatment items (治疗费 05), one of which is billed on every day of a stay, so that no in-stay day holds only
  /// bed, consultation or nursing lines (D08).
  var treatment: [Item] = []
  /// All items billed at random: drugs (09, 11), treatment (05), materials (08).
  var any: [Item] = []
  /// Bed-fee items (床位费 01), only for planted bed-only days.
  var bed: [Item] = []
  /// Examination and laboratory items (03, 04), only for planted low-standard admissions.
  var exam: [Item] = []
  /// A western drug (09), for planted drug shares.
  var drug: Item { any.first { $0.itemType == 9 }! }

  init() {
    var rng = SplitMix64(seed: 0x4155_4449_54)  // fixed: "AUDIT"
    // Kinds: list_type, med_chrgitm_type; drugs are a third of the items so that 药占比 stays moderate.
    let kinds: [(Int, Int)] = [(201, 5), (201, 5), (301, 8), (101, 9), (102, 11), (201, 5)]
    for k in 0..<300 {
      let (list, type) = kinds[k % kinds.count]
      let item = Item(
        code: Array("GX\(type < 10 ? "0" : "")\(type)\(String(format: "%06d", k))".utf8), listType: list,
        itemType: type, level: 1 + k % 2, pric: Int64(500 + rng.below(9_500)))
      any.append(item)
      if type == 5 { treatment.append(item) }
    }
    for k in 0..<4 {
      bed.append(
        Item(code: Array("GX01\(String(format: "%06d", k))".utf8), listType: 201, itemType: 1, level: 1, pric: 4000))
      exam.append(
        Item(
          code: Array("GX0\(3 + k % 2)\(String(format: "%06d", k))".utf8), listType: 201, itemType: 3 + k % 2,
          level: 1, pric: 20_000))
    }
  }
}

/// Principal and secondary diagnoses of clean cases: ordinary codes, none Z51 (放化疗, excluded from D05), none
/// V–Y (not allowed as principal, E05).
let cleanDiagnoses = [
  "K35.800", "I10.x00", "J18.900", "E11.900", "I63.900", "K80.100", "N20.000", "I25.100", "J44.100", "K29.700",
  "M51.202", "S72.000", "C34.900", "I50.900", "N39.000", "K56.700",
]
/// Procedures of clean cases.
let cleanProcedures = ["47.0900", "51.2300", "81.5100", "36.0600", "45.2300"]

extension Synth {
  /// Fee lines with consistent cases (`--cases-out`) and, with `--inject`, planted violations of every rule of
  /// the rule set and the manifest of the findings they must give.
  ///
  /// The clean part fires no rule by construction (AuditPlanting.swift says how); each planted scenario is a
  /// clean case changed, or clean cases added, so that exactly its manifest rows fire.
  public static func auditFees(_ options: SynthOptions, _ audit: AuditGenOptions) throws {
    var planting: Planting?
    if let rate = audit.inject {
      guard let kp = audit.kp else { throw MIError.usage("--inject needs --kp (the knowledge-point version)") }
      guard audit.manifest != nil else { throw MIError.usage("--inject needs --manifest FILE") }
      let rules = try PlantRuleList.load(audit.rules ?? "examples/audit/rules.toml", db: options.db)
      let knowledge = try PlantKnowledge.load(kp, db: options.db)
      planting = try Planting(
        rules: rules, knowledge: knowledge, rate: rate, count: options.count, options: options,
        outpatientPerCase: audit.outpatientPerCase)
    }
    let fees = try OutputFile(path: options.output)
    let cases = try audit.casesOut.map { path throws(MIError) in try OutputFile(path: path) }
    let previous = try audit.previousOut.map { path throws(MIError) in try OutputFile(path: path) }
    let writer = GenWriter(year: options.year, admdvs: options.admdvs, fees: fees, cases: cases, previous: previous)
    var gen = CaseMaker(options: options, linesPerCase: audit.linesPerCase)
    for i in 0..<options.count {
      var base = gen.clean(serial: i + 1, person: i + 1)
      var extra: [GenCase] = []
      if let rule = planting?.schedule[i] {
        try planting!.plant(rule, base: &base, extra: &extra, maker: &gen, writer: writer)
        gen.balanceDrugs(&base)
        for p in planting!.previousOnly { try writer.writePrevious(p) }
        planting!.previousOnly = []
      }
      for c in [base] + extra {
        try writer.write(c)
        try writer.writePrevious(c)
        // The pool's outpatient settlements: `outpatientPerCase` per inpatient case at its hospital, each of a
        // person seen once (no person rule has two of their records), so that 门诊住院比 is the pool's own.
        guard !c.outpatient && !c.ownOutpatients else { continue }
        for _ in 0..<audit.outpatientPerCase {
          let o = gen.companion(of: c)
          try writer.write(o)
          try writer.writePrevious(o)
        }
      }
    }
    try fees.finish()
    try cases?.finish()
    try previous?.finish()
    if let path = audit.manifest, let p = planting {
      let out = try OutputFile(path: path)
      let rows = (writer.manifest + p.writerMarks).sorted { ($0.0, $0.1) < ($1.0, $1.1) }
      for (rule, key) in rows { try out.write("{\"rule_id\":\"\(rule)\",\"key\":\"\(key)\"}\n") }
      try out.finish()
      let planted = Dictionary(grouping: rows, by: \.0).mapValues(\.count)
      let text = p.rules.rules.map { "\($0.id) \(planted[$0.id] ?? 0)" }.joined(separator: ", ")
      Diagnostics.line("mi-gen: planted \(rows.count) findings: \(text)")
    }
    Diagnostics.line("mi-gen: \(writer.caseCount) cases, \(writer.lineCount) fee lines")
  }
}

/// Makes clean cases: one person each, a stay inside the year, fee lines inside the stay with a treatment line
/// on every day, prices under their caps, no self-paid items, ordinary diagnoses.
struct CaseMaker {
  var rng: SplitMix64
  let year: Int
  let days: Int
  let hospitals: Int
  let linesPerCase: Int
  let catalogue = CleanCatalogue()
  /// The pool's hospital levels (World.hospitalLevel, as `mi-gen hospitals` writes them).
  let levels: [Int]
  /// Serial of the next added settlement (added cases are numbered after --count).
  var nextSerial: Int
  /// Serial of the next added person.
  var nextPerson: Int

  init(options: SynthOptions, linesPerCase: Int) {
    rng = SplitMix64(seed: options.seed, stream: 14)
    year = options.year
    days = daysIn(options.year)
    hospitals = options.hospitals
    self.linesPerCase = max(2, linesPerCase)
    levels = (0..<options.hospitals).map(World.hospitalLevel)
    nextSerial = options.count + 1
    nextPerson = options.count + 1
  }

  /// A clean inpatient case of `person` with serial `serial`.
  mutating func clean(serial: Int, person: Int, inst: Int? = nil) -> GenCase {
    let los = 2 + rng.below(9)
    let adm = 2 + rng.below(days - los - 6)
    let h = inst ?? rng.below(hospitals)
    let age = 20 + rng.below(31)
    var c = GenCase(
      serial: serial, outpatient: false, person: person, inst: h, hospLv: h < hospitals ? levels[h] : 2,
      insutype: rng.chance(0.4) ? 310 : 390, medType: "21", gend: 1 + rng.below(2), age: age, birthYear: -age,
      birthDay: rng.below(adm), admDay: adm, dscgDay: adm + los, setlSecs: 18 * 3600 + 1200 + rng.below(3 * 3600),
      diag: [], oprn: [], doctor: rng.below(40), lines: [])
    c.diag = [cleanDiagnoses[rng.below(cleanDiagnoses.count)]]
    for _ in 0..<rng.below(3) {
      let d = cleanDiagnoses[rng.below(cleanDiagnoses.count)]
      if !c.diag.contains(d) { c.diag.append(d) }
    }
    if rng.chance(0.3) { c.oprn = [cleanProcedures[rng.below(cleanProcedures.count)]] }
    fillLines(&c)
    return c
  }

  /// Replaces the case's lines with clean ones: a treatment line on each day of the stay, then random items.
  mutating func fillLines(_ c: inout GenCase) {
    c.lines = []
    for d in c.admDay...c.dscgDay {
      c.lines.append(line(catalogue.treatment[rng.below(catalogue.treatment.count)], day: d, c))
    }
    let n = linesPerCase / 2 + rng.below(linesPerCase + 1) - (c.dscgDay - c.admDay + 1)
    for _ in 0..<max(0, n) {
      let d = c.admDay + rng.below(c.dscgDay - c.admDay + 1)
      c.lines.append(line(catalogue.any[rng.below(catalogue.any.count)], day: d, c))
    }
    balanceDrugs(&c)
  }

  /// A line of `item` on day `day` billed by the case's doctor.
  mutating func line(_ item: CleanCatalogue.Item, day: Int, _ c: GenCase, cnt: Int? = nil) -> GenLine {
    GenLine(
      code: item.code, listType: item.listType, itemType: item.itemType, level: item.level,
      cnt: cnt ?? 1 + rng.below(3),
      pric: item.pric, cap: item.pric + item.pric / 5, day: day, secs: 8 * 3600 + rng.below(10 * 3600),
      dept: c.doctor % 12, doctor: c.doctor)
  }

  /// Turns a case into an outpatient settlement (med_type `medType`) on its discharge day with a few lines.
  mutating func makeOutpatient(_ c: inout GenCase, medType: String = "11", lines: Int? = nil) {
    c.outpatient = true
    c.medType = medType
    c.admDay = c.dscgDay
    c.oprn = []
    c.lines = (0..<(lines ?? 1 + rng.below(3))).map { _ in
      line(catalogue.any[rng.below(catalogue.any.count)], day: c.dscgDay, c)
    }
  }

  /// Moves a case's stay to `adm`…`adm + los` and refills its lines.
  mutating func restay(_ c: inout GenCase, adm: Int, los: Int) {
    c.admDay = adm
    c.dscgDay = adm + los
    c.birthDay = min(c.birthDay, max(0, adm - 1))
    fillLines(&c)
  }

  /// A clean case of the same person as `c` (sex, age, birth date and insurance copied) at `inst`.
  mutating func sibling(of c: GenCase, inst: Int) -> GenCase {
    var s = clean(serial: serial(), person: c.person, inst: inst)
    s.gend = c.gend
    s.age = c.age
    s.birthYear = c.birthYear
    s.birthDay = c.birthDay
    s.insutype = c.insutype
    return s
  }

  /// An outpatient settlement of a new person at the hospital of `c`, with one line, on a random day.
  mutating func companion(of c: GenCase) -> GenCase {
    let day = 2 + rng.below(days - 4)
    let age = 20 + rng.below(31)
    var o = GenCase(
      serial: serial(), outpatient: true, person: person(), inst: c.inst, hospLv: c.hospLv,
      insutype: rng.chance(0.4) ? 310 : 390, medType: "11", gend: 1 + rng.below(2), age: age, birthYear: -age,
      birthDay: rng.below(day), admDay: day, dscgDay: day, setlSecs: 18 * 3600 + 1200 + rng.below(3 * 3600),
      diag: [cleanDiagnoses[rng.below(cleanDiagnoses.count)]], oprn: [], doctor: rng.below(40), lines: [])
    o.instText = c.instText
    o.lines = [line(catalogue.treatment[0], day: day, o, cnt: 1)]
    return o
  }

  /// The fee of a companion outpatient settlement: one unit of the first treatment item.
  var companionFee: Int64 { catalogue.treatment[0].pric }

  /// Adds a treatment line when drugs (09, 10, 11) are more than a fifth of the case, so that no hospital's
  /// 药占比 reaches the default cap of 0.30 (G01D) whatever the drugs a plant adds to its case.
  mutating func balanceDrugs(_ c: inout GenCase) {
    var drugs: Int64 = 0
    var total: Int64 = 0
    for l in c.lines {
      total += l.amount
      if l.itemType >= 9 && l.itemType <= 11 { drugs += l.amount }
    }
    let need = 5 * drugs - total
    guard need > 0 else { return }
    let item = catalogue.treatment[2]
    c.lines.append(line(item, day: c.admDay, c, cnt: Int((need + item.pric - 1) / item.pric)))
  }

  /// A new person's serial.
  mutating func person() -> Int {
    defer { nextPerson += 1 }
    return nextPerson
  }

  /// A new settlement serial.
  mutating func serial() -> Int {
    defer { nextSerial += 1 }
    return nextSerial
  }
}
