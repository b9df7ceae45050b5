import MICore

/// A pool and a hospital: the key of every clearing aggregate.
public struct PoolHospital: Hashable, Sendable, Comparable {
  /// The pool (insutype).
  public var pool: String
  /// `fixmedins_code`.
  public var code: String

  /// Creates a key.
  public init(_ pool: String, _ code: String) {
    self.pool = pool
    self.code = code
  }

  /// By pool, then code: the order of every output.
  public static func < (a: PoolHospital, b: PoolHospital) -> Bool {
    a.pool != b.pool ? a.pool < b.pool : a.code < b.code
  }
}

/// One hospital's cases in one pool and period, summed (memory per hospital, not per case).
public struct HospitalTotals: Sendable, Equatable {
  /// Cases counted (special cases included).
  public var cases: Int64 = 0
  /// 特例单议 cases (`case_class` = `special`): paid 按项目, outside the points.
  public var specialCases: Int64 = 0
  /// Σ `points` of the other cases (scale 4).
  public var pointsRaw: Int64 = 0
  /// Σ `medfee_sumamt` of the pointed cases.
  public var medfeeFen: Int64 = 0
  /// Σ `hifp_pay` of the pointed cases (their 按项目 fund amount).
  public var hifpFen: Int64 = 0
  /// Σ `psn_part_amt` of the pointed cases.
  public var psnPartFen: Int64 = 0
  /// Σ (`fund_pay_sumamt` − `hifp_pay`) of the pointed cases: other funds, for the residual fund part.
  public var otherFundFen: Int64 = 0
  /// Σ fund part of `hv_mcs_amt` of the pointed cases (per case `hv × hifp_pay / medfee_sumamt`, rounded).
  public var carveOutFen: Int64 = 0
  /// Σ `hifp_pay` of the special cases.
  public var specialFFSFen: Int64 = 0

  /// Empty totals.
  public init() {}

  /// The audited 按项目 fund amount of all the hospital's cases.
  public var ffsFen: Int64 { hifpFen + specialFFSFen }
}

/// Sums scored cases per pool and hospital for one period (a month for prepay, a year for settle).
///
/// Cases outside the period are skipped and counted, so a whole year's file can feed every month's run.
public final class CaseAggregator {
  /// The totals so far, by pool and hospital (a slot opened by a case that was then rejected stays out).
  public var totals: [PoolHospital: HospitalTotals] {
    var out: [PoolHospital: HospitalTotals] = [:]
    for (k, i) in slotOf where slots[i].cases > 0 { out[k] = slots[i] }
    return out
  }
  /// Cases whose `setl_time` is outside the period.
  public private(set) var outside = 0
  /// Per pool, (medfee, points) of each pointed case, kept only when `point_trim` is on.
  public private(set) var trimSamples: [String: [(Int64, Int64)]] = [:]

  private let params: ClearingParams
  private let paramsName: String
  private let period: [UInt8]
  private let trim: Bool
  // The totals live in an array; a hash of the raw JSON bytes of insutype and fixmedins_code finds the slot
  // without building Strings for every case (the hot path of a city-year). The raw spelling is checked, and a
  // new spelling (a number for a string, an escape) goes through the decoded key, so `310` and `"310"` share a slot.
  private var slots: [HospitalTotals] = []
  private var slotOf: [PoolHospital: Int] = [:]
  private var slotKeys: [PoolHospital] = []
  private var byRaw = RawKeyCache()
  /// The header of this run's partials (`Partials.header`).
  public let partialHeader: PartialHeader
  private static let special = Array(#""special""#.utf8)
  /// 10⁸ points (scale 4) and 10¹¹ yuan (in fen) per case: 2⁶³ still holds 90,000 such cases.
  static let maxPoints: Int64 = 1_000_000_000_000
  /// See `maxPoints`.
  static let maxFen: UInt64 = 10_000_000_000_000

  /// Adds `v` to a hospital's total, refusing a sum that leaves 64 bits.
  @inline(__always)
  static func add(_ total: inout Int64, _ v: Int64, _ field: String) throws(FieldError) {
    let (sum, overflow) = total.addingReportingOverflow(v)
    if overflow { throw FieldError(field, "the hospital's total no longer fits in 64 bits") }
    total = sum
  }

  /// The error for an amount above `maxFen`.
  static func tooLarge(_ field: String) -> FieldError {
    FieldError(field, "more than 100,000,000,000.00 yuan in one case")
  }

  /// Creates an aggregator for `period` (`YYYY-MM` or `YYYY`).
  public init(params: ClearingParams, paramsName: String, period: String) {
    self.params = params
    self.paramsName = paramsName
    self.period = Array(period.utf8)
    trim = params.pointTrim == "p2.5-p97.5"
    partialHeader = Partials.header(params, paramsName: paramsName, period: period)
  }

  /// Adds one `kind: "clearing-partial"` record of another run (`--merge`).
  public func merge(_ s: RecordScanner) throws(FieldError) {
    let (key, t) = try Partials.read(s, period: String(decoding: period, as: UTF8.self), params: params)
    let i = slotIndex(key)
    var sum = slots[i]
    for (name, path, money) in Partials.fields {
      // Counts and points weigh the allocation and must not be negative; money sums may be (refund rows).
      if !money && t[keyPath: path] < 0 { throw FieldError(name.description, "must not be negative") }
      try CaseAggregator.add(&sum[keyPath: path], t[keyPath: path], name.description)
    }
    slots[i] = sum
  }

  /// The slot of a pool and hospital, created on first sight.
  private func slotIndex(_ key: PoolHospital) -> Int {
    if let existing = slotOf[key] { return existing }
    slots.append(HospitalTotals())
    slotKeys.append(key)
    slotOf[key] = slots.count - 1
    return slots.count - 1
  }

  /// The slot of the record's pool and hospital, created on first sight (the pool must be in the params).
  private func slot(_ s: RecordScanner) throws(FieldError) -> (Int, String) {
    guard let pi = s.index("insutype"), let ci = s.index("fixmedins_code") else {
      throw FieldError(s.index("insutype") == nil ? "insutype" : "fixmedins_code", "missing")
    }
    let rawPool = s.rawValue(pi)
    let rawCode = s.rawValue(ci)
    if let hit = byRaw.slot(rawPool, rawCode) { return (hit, "") }
    guard let code = try s.code(at: ci, field: "fixmedins_code") else { throw FieldError("fixmedins_code", "missing") }
    guard let pool = try s.code(at: pi, field: "insutype") else { throw FieldError("insutype", "missing") }
    guard params.pools[pool] != nil else {
      let have = params.poolNames.isEmpty ? "none" : params.poolNames.joined(separator: ", ")
      throw FieldError("insutype", "no clearing pool \"\(pool)\" in params \(paramsName) (pools: \(have))")
    }
    let i = slotIndex(PoolHospital(pool, code))
    byRaw.remember(rawPool, rawCode, slot: i)
    return (i, pool)
  }

  /// Adds one scored case; returns false when it lies outside the period. A bad field throws naming it, and a
  /// rejected case leaves the totals as they were.
  @discardableResult
  public func add(_ s: RecordScanner) throws(FieldError) -> Bool {
    guard let time = s.rawValue("setl_time") else { throw FieldError("setl_time", "missing") }
    // Checked against the calendar first, so a time written another way is an error, never "outside the period";
    // then its first bytes are compared with the period without building a String.
    guard DateTime.parseJSON(time, time: true) != nil else {
      throw DateTime.invalid("setl_time", raw: time, time: true)
    }
    for (i, b) in period.enumerated() where time[i + 1] != b {
      outside += 1
      return false
    }
    let (i, _) = try slot(s)
    let special = s.rawValue("case_class").map { $0.elementsEqual(CaseAggregator.special) } ?? false
    guard let hifp = try s.fen("hifp_pay") else { throw FieldError("hifp_pay", "missing") }
    if special {
      var t = slots[i]
      t.cases += 1
      t.specialCases += 1
      try CaseAggregator.add(&t.specialFFSFen, hifp, "hifp_pay")
      slots[i] = t
      return true
    }
    guard let points = try s.fixed("points", scale: 4) else {
      throw FieldError("points", "missing (score the cases with mi-score first)")
    }
    if points < 0 { throw FieldError("points", "must not be negative") }
    // Bounds far above any real case keep a province's sums inside 64 bits (no overflow on hostile input).
    if points > CaseAggregator.maxPoints { throw FieldError("points", "more than 100,000,000 points in one case") }
    guard let medfee = try s.fen("medfee_sumamt") else { throw FieldError("medfee_sumamt", "missing") }
    guard let psn = try s.fen("psn_part_amt") else { throw FieldError("psn_part_amt", "missing") }
    if medfee.magnitude > CaseAggregator.maxFen { throw CaseAggregator.tooLarge("medfee_sumamt") }
    if hifp.magnitude > CaseAggregator.maxFen { throw CaseAggregator.tooLarge("hifp_pay") }
    if psn.magnitude > CaseAggregator.maxFen { throw CaseAggregator.tooLarge("psn_part_amt") }
    var other: Int64 = 0
    if let fund = try s.fen("fund_pay_sumamt"), fund > hifp { other = fund - hifp }
    var carve: Int64 = 0
    if params.carveOutHV, let hv = try s.fen("hv_mcs_amt"), hv > 0, medfee > 0 {
      // The consumable's fund part at the case's own fund share (按项目), DOMAIN.md §3.6 [U design].
      carve = Fixed.mulDiv(hv, hifp, medfee)
    }
    // Every field is read and the sums checked before the totals change, so a rejected case leaves no trace.
    var t = slots[i]
    t.cases += 1
    try CaseAggregator.add(&t.pointsRaw, points, "points")
    try CaseAggregator.add(&t.medfeeFen, medfee, "medfee_sumamt")
    try CaseAggregator.add(&t.hifpFen, hifp, "hifp_pay")
    try CaseAggregator.add(&t.psnPartFen, psn, "psn_part_amt")
    try CaseAggregator.add(&t.otherFundFen, other, "fund_pay_sumamt")
    try CaseAggregator.add(&t.carveOutFen, carve, "hv_mcs_amt")
    slots[i] = t
    if trim && points > 0 {
      trimSamples[slotKeys[i].pool, default: []].append((medfee, points))
    }
    return true
  }
}

extension CaseAggregator: Aggregate {
  /// Adds one scored case (`add(_:)`).
  public func add(record: RecordScanner) throws { try add(record) }

  /// Adds one clearing-partial record (`merge(_:)`).
  public func merge(partial record: RecordScanner) throws { try merge(record) }

  /// The totals as clearing-partial records (`Partials.write`).
  public func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    var b: [UInt8] = []
    let n = Partials.write(totals, period: String(decoding: period, as: UTF8.self), params: paramsName, into: &b)
    try emit(b)
    return n
  }

  /// The totals by pool and hospital.
  public func finish() -> [PoolHospital: HospitalTotals] { totals }
}

/// Exact, mergeable partial aggregates (DESIGN.md §6): `--partial` writes a shard's totals as
/// `kind: "clearing-partial"` records, `--merge` sums such records from every shard and then clears, so a
/// distributed run (Spark `RDD.pipe`, Hadoop Streaming) gives the single-machine result byte for byte. A partial
/// file starts with its header (`header`, `PartialHeader`).
public enum Partials {
  /// The fields of a partial record besides `kind`, `pool`, `fixmedins_code`, `period` and `params`.
  static var fields: [(StaticString, WritableKeyPath<HospitalTotals, Int64>, Bool)] {
    [
      ("cases", \.cases, false), ("special_cases", \.specialCases, false), ("points", \.pointsRaw, false),
      ("medfee_sumamt", \.medfeeFen, true), ("hifp_pay", \.hifpFen, true), ("psn_part_amt", \.psnPartFen, true),
      ("other_fund_amt", \.otherFundFen, true), ("carve_out_amt", \.carveOutFen, true),
      ("special_ffs_amt", \.specialFFSFen, true),
    ]
  }

  /// The header of a run's partials (`PartialHeader`) for `period` (`YYYY-MM` or `YYYY`): the params digest
  /// covers the `[clearing]` values.
  public static func header(_ params: ClearingParams, paramsName: String, period: String) -> PartialHeader {
    let parts = period.split(separator: "-")
    return PartialHeader(
      kind: "clearing-partial", tool: "mi-clear", command: "mi-clear --partial", params: paramsName,
      paramsSHA256: params.digest, covers: "[clearing] values", year: parts.first.map(String.init),
      month: parts.count > 1 ? Int(parts[1]) : nil)
  }

  /// Writes the totals as partial records (not the header), sorted by pool and hospital; returns the count.
  @discardableResult
  public static func write(
    _ totals: [PoolHospital: HospitalTotals], period: String, params: String, into out: inout [UInt8]
  ) -> Int {
    for k in totals.keys.sorted() {
      let t = totals[k]!
      var w = JSONWriter()
      w.begin(&out)
      w.string("kind", "clearing-partial", &out)
      w.string("pool", k.pool, &out)
      w.string("fixmedins_code", k.code, &out)
      w.string("period", period, &out)
      w.string("params", params, &out)
      for (name, path, money) in fields {
        if money {
          w.fen(name, t[keyPath: path], &out)
        } else if name.description == "points" {
          w.fixed(name, t[keyPath: path], scale: 4, &out)
        } else {
          w.int(name, t[keyPath: path], &out)
        }
      }
      w.end(&out)
    }
    return totals.count
  }

  /// Reads one partial record; it must be of `period` and of a pool of the params.
  public static func read(
    _ s: RecordScanner, period: String, params: ClearingParams
  ) throws(FieldError) -> (PoolHospital, HospitalTotals) {
    guard try s.string("kind") == "clearing-partial" else {
      throw FieldError("kind", "expected \"clearing-partial\" (a record of mi-clear --partial)")
    }
    guard try s.code("period") == period else { throw FieldError("period", "not the period of this run (\(period))") }
    guard let code = try s.code("fixmedins_code") else { throw FieldError("fixmedins_code", "missing") }
    guard let pool = try s.code("pool") else { throw FieldError("pool", "missing") }
    guard params.pools[pool] != nil else { throw FieldError("pool", "no clearing pool \"\(pool)\" in the params") }
    var t = HospitalTotals()
    for (name, path, money) in fields {
      let field = name.description
      let v: Int64?
      if money {
        v = try s.fen(name)
      } else if field == "points" {
        v = try s.fixed(name, scale: 4)
      } else {
        v = try s.int(name)
      }
      guard let v else { throw FieldError(field, "missing") }
      t[keyPath: path] = v
    }
    return (PoolHospital(pool, code), t)
  }
}

/// 每指数点值 = 住院总费用 / 病种总分值 (DIP3 pp.67–70), optionally after 分位数法 trimming of cases by cost per point.
public enum IndexPointValue {
  /// 优值区间, one-dimensional (DIP3 pp.69–70): the points-weighted mean 每指数点值 of the hospitals below the pool's
  /// own (`Σ cost / Σ points` over them), and how many they are; from per-hospital (cost, points) totals.
  public static func optimal(_ hospitals: [(Int64, Int64)]) -> (value: Fixed, hospitals: Int)? {
    let cost = hospitals.reduce(0) { $0 + $1.0 }
    let points = hospitals.reduce(0) { $0 + $1.1 }
    guard points > 0 else { return nil }
    // A hospital is below the mean when cost_h / points_h < cost / points, compared exactly by cross products.
    let below = hospitals.filter { h in
      guard h.1 > 0 else { return false }
      let l = h.0.multipliedFullWidth(by: points)
      let r = cost.multipliedFullWidth(by: h.1)
      return l.high != r.high ? l.high < r.high : l.low < r.low
    }
    let bc = below.reduce(0) { $0 + $1.0 }
    let bp = below.reduce(0) { $0 + $1.1 }
    guard bp > 0 else { return nil }
    return (PointValue.settlement(totalCostFen: bc, pointsRaw: bp), below.count)
  }

  /// The trimmed value and how many cases were dropped: cases are ordered by cost per point (exact cross
  /// multiplication, ties by cost) and ⌊n × 2.5%⌋ are dropped at each end (nearest rank).
  public static func trimmed(_ samples: [(Int64, Int64)]) -> (value: Fixed, dropped: Int)? {
    guard !samples.isEmpty else { return nil }
    let sorted = samples.sorted { a, b in
      let l = a.0.multipliedFullWidth(by: b.1)
      let r = b.0.multipliedFullWidth(by: a.1)
      if l.high != r.high { return l.high < r.high }
      if l.low != r.low { return l.low < r.low }
      return a.0 < b.0
    }
    let cut = sorted.count * 25 / 1000
    var cost: Int64 = 0
    var points: Int64 = 0
    for s in sorted[cut..<(sorted.count - cut)] {
      cost += s.0
      points += s.1
    }
    guard points > 0 else { return nil }
    return (PointValue.settlement(totalCostFen: cost, pointsRaw: points), 2 * cut)
  }
}
