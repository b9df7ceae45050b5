import MICore

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

/// Reads outpatient settlements one by one and keeps per pool and institution sums and a person set per pool:
/// memory grows with institutions and distinct persons, never with records.
///
/// Scope (seed 002 二 and 三(一)(二), DOMAIN.md §4): inpatient med_types are outside; settlements of persons insured
/// elsewhere (`insuplc_admdvs` outside the pool, "異地參保人…暫不納入") are outside; settlements of the pool's insured
/// at institutions outside the pool (`fix_blng_admdvs` outside, "異地就醫") count into R; the rest count at their
/// institution. A missing `insuplc_admdvs` or `fix_blng_admdvs` is read as the pool's own (local extracts often omit
/// them). Refunds are negative rows and net in every sum; they never add a person (a refunded visit still was a visit,
/// and a refund alone is not one).
public final class CapitationAggregator {
  /// The parameters.
  public let params: CapitationParams
  /// The year read (`2024`).
  public let year: String
  /// The month read (1–12), or nil for the whole year.
  public let month: Int?
  /// Pool totals by pool name.
  public private(set) var totals: [String: PoolTotals] = [:]

  /// Records outside the year or month.
  public private(set) var outsidePeriod = 0
  /// Inpatient records (by `inpatient_med_types`).
  public private(set) var inpatient = 0
  /// Settlements of persons insured elsewhere (异地参保).
  public private(set) var insuredElsewhere = 0
  /// Settlements whose insutype × category has no pool in the params, by the pool name they would have.
  public private(set) var withoutPool: [String: Int] = [:]

  private let prefix: String
  private let yearValue: Int
  private var poolIndex: [String: (general: Int?, special: Int?)] = [:]
  private let names: [String]
  private var sets: [PersonSet]
  private var allSet = PersonSet()
  private var insts: [[String: InstitutionTotals]]
  private var remote: [Int64]
  private var remoteCount: [Int]

  /// Creates an aggregator for `year` (and `month`, 1–12, for a prepayment).
  public init(params: CapitationParams, year: String, month: Int? = nil) {
    self.params = params
    self.year = year
    self.month = month
    prefix = params.admdvsPrefix
    yearValue = Int(year) ?? -1
    names = params.poolNames
    for (i, n) in names.enumerated() {
      let p = params.pools[n]!
      var e = poolIndex[p.insutype] ?? (nil, nil)
      if p.special { e.special = i } else { e.general = i }
      poolIndex[p.insutype] = e
    }
    sets = names.map { _ in PersonSet(capacity: 1 << 16) }
    insts = names.map { _ in [:] }
    remote = names.map { _ in 0 }
    remoteCount = names.map { _ in 0 }
  }

  /// Adds the record the scanner holds; a bad field throws `FieldError` (the record is rejected, nothing added).
  public func add(_ s: RecordScanner) throws(FieldError) {
    guard let time = try s.string("setl_time") else { throw FieldError("setl_time", "missing") }
    // Year and month straight from the bytes (no allocation on the record path).
    var y = 0
    var m = 0
    var k = 0
    for c in time.utf8 {
      if k == 7 { break }
      if k == 4 {
        guard c == UInt8(ascii: "-") else { break }
      } else {
        guard c >= 48 && c <= 57 else { break }
        if k < 4 { y = y * 10 + Int(c - 48) } else { m = m * 10 + Int(c - 48) }
      }
      k += 1
    }
    guard k == 7, (1...12).contains(m) else {
      throw FieldError("setl_time", "expected yyyy-MM-dd HH:mm:ss, found \"\(time)\"")
    }
    guard y == yearValue, month == nil || month == m else {
      outsidePeriod += 1
      return
    }
    guard let medType = try s.code("med_type") else { throw FieldError("med_type", "missing") }
    if CapitationParams.matches(medType, params.inpatientMedTypes) {
      inpatient += 1
      return
    }
    guard let insutype = try s.code("insutype") else { throw FieldError("insutype", "missing") }
    let special = CapitationParams.matches(medType, params.specialMedTypes)
    guard let hifp = try s.fen("hifp_pay") else { throw FieldError("hifp_pay", "missing") }
    let specialAmt = try s.fen("special_amt") ?? 0
    // 门诊特殊费用 is the fund part of special drugs and prescriptions (SCHEMA.md), so it lies within hifp_pay and
    // has its sign (a refund row is negative in both).
    if hifp >= 0 ? (specialAmt < 0 || specialAmt > hifp) : (specialAmt > 0 || specialAmt < hifp) {
      throw FieldError("special_amt", "\(Money.format(specialAmt)) is not within hifp_pay \(Money.format(hifp))")
    }
    guard let psn = try s.code("psn_no") else { throw FieldError("psn_no", "missing") }
    let flag = try s.code("refd_setl_flag")
    let refund = hifp < 0 || flag == "1"
    if let insured = try s.code("insuplc_admdvs"), !insured.hasPrefix(prefix) {
      insuredElsewhere += 1
      return
    }
    let entry = poolIndex[insutype]
    guard let p = special ? entry?.special : entry?.general else {
      withoutPool[insutype + (special ? "-special" : "-general"), default: 0] += 1
      return
    }
    let isRemote = try s.code("fix_blng_admdvs").map { !$0.hasPrefix(prefix) } ?? false
    if isRemote {
      remote[p] += hifp
      remoteCount[p] += 1
      if !refund && params.personsIncludeRemote { count(psn, pool: p) }
      return
    }
    guard let code = try s.code("fixmedins_code") else { throw FieldError("fixmedins_code", "missing") }
    if !refund { count(psn, pool: p) }
    update(&insts[p], code, hifp: hifp, special: specialAmt, month: m)
  }

  @inline(__always)
  private func update(_ d: inout [String: InstitutionTotals], _ code: String, hifp: Int64, special: Int64, month m: Int) {
    d[code, default: InstitutionTotals()].fundFen += hifp - special
    d[code]!.specialFen += special
    d[code]!.settlements += 1
    d[code]!.monthFundFen[m - 1] += hifp
  }

  @inline(__always)
  private func count(_ psn: String, pool p: Int) {
    let h = PersonSet.hash(psn)
    sets[p].insert(hash: h)
    if params.personsScope == .all { allSet.insert(hash: h) }
  }

  /// Finishes: the totals by pool name, with N per `persons_scope`.
  public func finish() -> [String: PoolTotals] {
    var out: [String: PoolTotals] = [:]
    for (i, n) in names.enumerated() {
      var t = PoolTotals()
      t.institutions = insts[i]
      t.remoteFen = remote[i]
      t.remoteSettlements = remoteCount[i]
      t.persons = Int64(params.personsScope == .all ? allSet.count : sets[i].count)
      out[n] = t
    }
    totals = out
    return out
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
