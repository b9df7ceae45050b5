import MICore

#if canImport(Glibc)
  import Glibc
#endif

/// One institution's sums in one pool over the period read.
public struct InstitutionTotals: Sendable, Equatable {
  /// F_i: fund (`hifp_pay`) less 门诊特殊费用, fen — the base of the point weight ("門診特殊費用不納入點數權重計算").
  public var fundFen: Int64 = 0
  /// S_i: 门诊特殊费用 (`special_amt`), fen, added back at the clearing.
  public var specialFen: Int64 = 0
  /// Settlement rows (refunds included).
  public var settlements = 0
  /// `hifp_pay` by month (index 0 = January), fen: the 按项目 base of the monthly prepayment (seed 002 "按項目付費
  /// 方式月預撥"), special costs included since they are fund paid 按项目 like the rest.
  public var monthFundFen = [Int64](repeating: 0, count: 12)

  /// Creates empty totals.
  public init() {}

  /// Creates totals from their parts (tests, merges).
  public init(fundFen: Int64, specialFen: Int64, settlements: Int = 0, monthFundFen: [Int64]? = nil) {
    self.fundFen = fundFen
    self.specialFen = specialFen
    self.settlements = settlements
    self.monthFundFen = monthFundFen ?? [Int64](repeating: 0, count: 12)
  }
}

/// What one pool's settlements add up to: everything the year-end formula needs except the parameters.
public struct PoolTotals: Sendable, Equatable {
  /// Institutions of the pool (定点归属 inside the pool) by `fixmedins_code`.
  public var institutions: [String: InstitutionTotals] = [:]
  /// R from the data: `hifp_pay` of the pool's insured settled outside the pool (异地就医), fen.
  public var remoteFen: Int64 = 0
  /// Settlement rows counted into R.
  public var remoteSettlements = 0
  /// N counted: distinct persons (see `PersonSet`).
  public var persons: Int64 = 0

  /// Creates empty totals.
  public init() {}

  /// Creates totals from their parts.
  public init(institutions: [String: InstitutionTotals], remoteFen: Int64, persons: Int64) {
    self.institutions = institutions
    self.remoteFen = remoteFen
    self.persons = persons
  }
}

extension CodeValue {
  /// The person hash of the value (`PersonSet.hash`).
  @inline(__always)
  var personHash: UInt64 {
    switch self {
    case .bytes(let b): return PersonSet.hash(b)
    case .text(let t): return PersonSet.hash(t)
    }
  }
}

/// The members capitation reads (`FieldLocator`, one pass over the record's keys); -1 when absent.
struct CapitationFields {
  static let locator = FieldLocator([
    "setl_time", "med_type", "insutype", "hifp_pay", "special_amt", "psn_no", "refd_setl_flag", "insuplc_admdvs",
    "fix_blng_admdvs", "fixmedins_code",
  ])
  let at: FieldLocator.Located

  /// Locates the fields of the record `s` holds.
  @inline(__always)
  init(_ s: RecordScanner, _ locator: FieldLocator) { at = locator.locate(s) }

  var setlTime: Int { at[0] }
  var medType: Int { at[1] }
  var insutype: Int { at[2] }
  var hifp: Int { at[3] }
  var special: Int { at[4] }
  var psn: Int { at[5] }
  var refund: Int { at[6] }
  var insured: Int { at[7] }
  var blng: Int { at[8] }
  var institution: Int { at[9] }
}

/// Reads outpatient settlements one by one and keeps per pool and institution sums and the distinct persons:
/// memory grows with institutions and distinct persons, never with records.
///
/// Scope (seed 002 二 and 三(一)(二), DOMAIN.md §4): inpatient med_types are outside; settlements of persons insured
/// elsewhere (`insuplc_admdvs` outside the pool, "異地參保人…暫不納入") are outside; settlements of the pool's insured
/// at institutions outside the pool (`fix_blng_admdvs` outside, "異地就醫") count into R; the rest count at their
/// institution. A missing `insuplc_admdvs` or `fix_blng_admdvs` is read as the pool's own (local extracts often omit
/// them). Refunds are negative rows and net in every sum; they never add a person (a refunded visit still was a visit,
/// and a refund alone is not one).
///
/// It is a value type on purpose: held in a local variable and captured by the record loop's non-escaping closure,
/// its state is checked for exclusive access at compile time, not per access at run time (as a class's would be).
/// Persons of every pool share one `PersonSet`, keyed by the id's hash mixed with the pool number, so a person is
/// counted once per pool whatever the number of institutions.
public struct CapitationAggregator {
  /// The parameters.
  public let params: CapitationParams
  /// The year read (`2024`).
  public let year: String
  /// The month read (1–12), or nil for the whole year.
  public let month: Int?

  /// Records outside the year or month.
  public internal(set) var outsidePeriod = 0
  /// Inpatient records (by `inpatient_med_types`).
  public internal(set) var inpatient = 0
  /// Settlements of persons insured elsewhere (异地参保).
  public internal(set) var insuredElsewhere = 0
  /// Settlements whose insutype × category has no pool in the params, by the pool name they would have.
  public internal(set) var withoutPool: [String: Int] = [:]

  private let prefix: [UInt8]
  private let locator = CapitationFields.locator
  private let yearValue: Int
  private let specialPrefixes: [[UInt8]]
  private let inpatientPrefixes: [[UInt8]]
  private let insutypes: [(code: [UInt8], general: Int?, special: Int?)]
  // Internal, not private: Partial.swift writes and reads them (--partial, --merge).
  let names: [String]
  var persons = PersonSet(capacity: 1 << 16)
  var allPersons = PersonSet(capacity: 16)
  var personCount: [Int]
  var instIndex: [String: Int] = [:]
  var instCodes: [String] = []
  /// Sums per institution and pool, `Self.width` values each at `(institution × pools + pool) × width`:
  /// fund (F_i), special (S_i), settlements, then `hifp_pay` of each month.
  var sums: [Int64] = []
  var remote: [Int64]
  var remoteCount: [Int]
  static let width = 15

  /// Creates an aggregator for `year` (and `month`, 1–12, for a prepayment).
  public init(params: CapitationParams, year: String, month: Int? = nil) {
    self.params = params
    self.year = year
    self.month = month
    prefix = Array(params.admdvsPrefix.utf8)
    yearValue = Int(year) ?? -1
    specialPrefixes = params.specialMedTypes.map { Array($0.utf8) }
    inpatientPrefixes = params.inpatientMedTypes.map { Array($0.utf8) }
    names = params.poolNames
    var byType: [String: (Int?, Int?)] = [:]
    for (i, n) in names.enumerated() {
      let p = params.pools[n]!
      var e = byType[p.insutype] ?? (nil, nil)
      if p.special { e.1 = i } else { e.0 = i }
      byType[p.insutype] = e
    }
    insutypes = byType.keys.sorted().map { (Array($0.utf8), byType[$0]!.0, byType[$0]!.1) }
    personCount = names.map { _ in 0 }
    remote = names.map { _ in 0 }
    remoteCount = names.map { _ in 0 }
  }

  /// Adds the record the scanner holds; a bad field throws `FieldError` (the record is rejected, nothing added).
  public mutating func add(_ s: RecordScanner) throws(FieldError) {
    // Year and month straight from the value's bytes: no String on the record path (a 19-byte time would not fit
    // a small string and would cost an allocation per record).
    let f = CapitationFields(s, locator)
    guard f.setlTime >= 0, case let raw = s.rawValue(f.setlTime), raw.count > 0, raw[0] != UInt8(ascii: "n") else {
      throw FieldError("setl_time", "missing")
    }
    // Checked against the calendar from the bytes (no String on the record path), so a time written another way
    // is an error naming the field, never a settlement "outside the period".
    guard let t = DateTime.parseJSON(raw, time: true) else { throw DateTime.invalid("setl_time", raw: raw, time: true) }
    let y = t.year
    let m = t.month
    guard y == yearValue, month == nil || month == m else {
      outsidePeriod += 1
      return
    }
    guard let medType = try CodeValue.read(s, at: f.medType, field: "med_type") else {
      throw FieldError("med_type", "missing")
    }
    if inpatientPrefixes.contains(where: { medType.hasPrefix($0) }) {
      inpatient += 1
      return
    }
    guard let insutype = try CodeValue.read(s, at: f.insutype, field: "insutype") else {
      throw FieldError("insutype", "missing")
    }
    let special = specialPrefixes.contains { medType.hasPrefix($0) }
    guard f.hifp >= 0, let hifp = try s.fen(at: f.hifp, field: "hifp_pay") else {
      throw FieldError("hifp_pay", "missing")
    }
    let specialAmt = f.special >= 0 ? try s.fen(at: f.special, field: "special_amt") ?? 0 : 0
    // 门诊特殊费用 is the fund part of special drugs and prescriptions (SCHEMA.md), so it lies within hifp_pay and
    // has its sign (a refund row is negative in both).
    if hifp >= 0 ? (specialAmt < 0 || specialAmt > hifp) : (specialAmt > 0 || specialAmt < hifp) {
      throw FieldError("special_amt", "\(Money.format(specialAmt)) is not within hifp_pay \(Money.format(hifp))")
    }
    guard let psn = try CodeValue.read(s, at: f.psn, field: "psn_no") else { throw FieldError("psn_no", "missing") }
    let flag = try CodeValue.read(s, at: f.refund, field: "refd_setl_flag")
    let refund = hifp < 0 || flag?.equals([UInt8(ascii: "1")]) == true
    if let insured = try CodeValue.read(s, at: f.insured, field: "insuplc_admdvs"), !insured.hasPrefix(prefix) {
      insuredElsewhere += 1
      return
    }
    var pool: Int? = nil
    for e in insutypes where insutype.equals(e.code) {
      pool = special ? e.special : e.general
      break
    }
    guard let p = pool else {
      withoutPool[insutype.string + (special ? "-special" : "-general"), default: 0] += 1
      return
    }
    let isRemote = try CodeValue.read(s, at: f.blng, field: "fix_blng_admdvs").map { !$0.hasPrefix(prefix) } ?? false
    if isRemote {
      remote[p] += hifp
      remoteCount[p] += 1
      if !refund && params.personsIncludeRemote { count(psn.personHash, pool: p) }
      return
    }
    guard let code = try CodeValue.read(s, at: f.institution, field: "fixmedins_code")?.string else {
      throw FieldError("fixmedins_code", "missing")
    }
    if !refund { count(psn.personHash, pool: p) }
    // One hash lookup per record; the sums live in one flat array.
    let i: Int
    if let known = instIndex[code] {
      i = known
    } else {
      i = instCodes.count
      instIndex[code] = i
      instCodes.append(code)
      sums.append(contentsOf: repeatElement(0, count: names.count * Self.width))
    }
    let base = (i * names.count + p) * Self.width
    sums.withUnsafeMutableBufferPointer { b in
      b[base] += hifp - specialAmt
      b[base + 1] += specialAmt
      b[base + 2] += 1
      b[base + 2 + m] += hifp
    }
  }

  @inline(__always)
  private mutating func count(_ h: UInt64, pool p: Int) {
    // One table for all pools: the key is the id's hash with its top 4 bits replaced by the pool number (at most
    // 16 pools, checked by `CapitationParams`), so a merge can tell each key's pool. 0 marks an empty slot.
    var key = (h >> 4) | (UInt64(p) << 60)
    if key == 0 { key = 1 }
    if persons.insert(hash: key) { personCount[p] += 1 }
    if params.personsScope == .all { allPersons.insert(hash: h) }
  }

  /// Adds what another aggregator of the same parameters and period read (a parallel reader's other part, or one
  /// record of a `--partial` run): sums add, person sets unite, so the result equals one aggregator reading
  /// everything. A sum that would leave 64 bits throws naming the partial record's field (hostile partials must
  /// not crash the run); the aggregator is then only fit to be discarded.
  public mutating func merge(_ other: CapitationAggregator) throws(FieldError) {
    outsidePeriod = try Self.sum(outsidePeriod, other.outsidePeriod, "outside_period")
    inpatient = try Self.sum(inpatient, other.inpatient, "inpatient")
    insuredElsewhere = try Self.sum(insuredElsewhere, other.insuredElsewhere, "insured_elsewhere")
    for (k, v) in other.withoutPool { withoutPool[k] = try Self.sum(withoutPool[k] ?? 0, v, "setl_cnt") }
    for p in names.indices {
      remote[p] = try Self.sum(remote[p], other.remote[p], "remote_amt")
      remoteCount[p] = try Self.sum(remoteCount[p], other.remoteCount[p], "remote_setl_cnt")
    }
    other.persons.forEach { key in
      if persons.insert(hash: key) { personCount[Int(key >> 60)] += 1 }
    }
    other.allPersons.forEach { allPersons.insert(hash: $0) }
    let w = names.count * Self.width
    for (j, code) in other.instCodes.enumerated() {
      let i: Int
      if let known = instIndex[code] {
        i = known
      } else {
        i = instCodes.count
        instIndex[code] = i
        instCodes.append(code)
        sums.append(contentsOf: repeatElement(0, count: w))
      }
      for f in 0..<w {
        let field = Self.sumFields[min(f % Self.width, 3)]
        sums[i * w + f] = try Self.sum(sums[i * w + f], other.sums[j * w + f], field)
      }
    }
  }

  /// The partial-record field of each place in an institution's sums (3 and after: the months).
  static let sumFields = ["fund_amt", "special_amt", "setl_cnt", "month_hifp_amt"]

  /// `a + b`, or an error naming `field` when the sum leaves 64 bits.
  static func sum<T: FixedWidthInteger>(_ a: T, _ b: T, _ field: String) throws(FieldError) -> T {
    let (s, overflow) = a.addingReportingOverflow(b)
    if overflow { throw FieldError(field, "the sum no longer fits in 64 bits") }
    return s
  }

  /// The totals by pool name, with N per `persons_scope`.
  public func finish() -> [String: PoolTotals] {
    var out: [String: PoolTotals] = [:]
    for (p, n) in names.enumerated() {
      var t = PoolTotals()
      for (i, code) in instCodes.enumerated() {
        let base = (i * names.count + p) * Self.width
        guard sums[base + 2] > 0 else { continue }
        t.institutions[code] = InstitutionTotals(
          fundFen: sums[base], specialFen: sums[base + 1], settlements: Int(sums[base + 2]),
          monthFundFen: Array(sums[(base + 3)..<(base + 15)]))
      }
      t.remoteFen = remote[p]
      t.remoteSettlements = remoteCount[p]
      t.persons = Int64(params.personsScope == .all ? allPersons.count : personCount[p])
      out[n] = t
    }
    return out
  }

  /// The records of the period: the settlements counted in a pool (at its institutions or elsewhere) and those left
  /// out (inpatient, 异地参保, no pool). Derived from the sums, so a merge of partials gives the same count.
  public var inPeriod: Int {
    var n = inpatient + insuredElsewhere + withoutPool.values.reduce(0, +) + remoteCount.reduce(0, +)
    for i in stride(from: 2, to: sums.count, by: Self.width) { n += Int(sums[i]) }
    return n
  }

  /// The summary-line parts for what was left out of capitation.
  public var extra: [String] {
    var e: [String] = []
    if outsidePeriod > 0 { e.append("outside the period \(outsidePeriod)") }
    if inpatient > 0 { e.append("inpatient \(inpatient)") }
    if insuredElsewhere > 0 { e.append("异地参保 \(insuredElsewhere)") }
    for (k, v) in withoutPool.sorted(by: { $0.key < $1.key }) { e.append("no pool \(k) \(v)") }
    return e
  }
}
