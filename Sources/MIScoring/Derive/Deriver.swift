import Foundation
import MICore
import MIGrouping

/// Statistics of one group (or any set of cases) over the derivation years, after trimming.
public struct GroupStats: Sendable, Equatable {
  /// Cases kept after trimming, per derivation year (oldest first).
  public var n: [Int64]
  /// Their total cost in fen, per year.
  public var sum: [Int64]
  /// Cases before trimming, all years.
  public var untrimmed: Int64
  /// Coefficient of variation of the kept costs, all years pooled (SD / mean, population SD), scale 4.
  public var cv: Int64
  /// Weighted mean cost in micro-fen (10⁻⁶ fen), by the weight basis; nil when no case is kept.
  public var meanMicroFen: Int64?

  /// Kept cases, all years.
  public var kept: Int64 { n.reduce(0, +) }
}

/// One group of a derived catalog (DIP) or weight table (DRG), with the statistics behind it.
public struct DerivedGroup: Sendable {
  /// Group code.
  public var code: String
  /// The catalog group (DIP) with its 分值 or weight in `score`.
  public var group: DIPGroup
  /// Statistics.
  public var stats: GroupStats
  /// The related operation kept in the key, and its uplift over the rest of the base group (scale 4).
  public var relatedUplift: Int64?
  /// The fine keys (DIP) whose cases the group holds.
  var keys: [Deriver.FineKey] = []
}

/// The outcome of a derivation.
public struct DeriveResult: Sendable {
  /// The derivation years, oldest first.
  public var years: [Int]
  /// The groups, sorted by code (`group.score` holds the DIP 分值 or the DRG weight, scale 4).
  public var groups: [DerivedGroup]
  /// Pool mean M in micro-fen, over the kept cases of the groups, by the weight basis.
  public var poolMeanMicroFen: Int64
  /// Hospital-level coefficients by `hosp_lv`, scale 4 (DIP).
  public var hospitalCoefs: [String: Int64]
  /// The core threshold that applied (cases).
  public var coreThreshold: Int64
  /// Derived auxiliary entries (one per triggered subtype and group), sorted by code.
  public var aux: [DIPAux] = []
  /// The report lines for standard error.
  public var report: [String]
  /// Version information for the review file.
  public var versionInfo: [(String, String)]

  /// The DIP catalog named `name`.
  public func catalog(name: String, scale: Int64, procClasses: ProcClassTable) -> DIPCatalog {
    DIPCatalog(
      name: name, scale: scale, groups: groups.map(\.group), aux: aux, hospitalCoefs: hospitalCoefs,
      procClasses: procClasses,
      versionInfo: versionInfo)
  }
}

/// Derives a DIP catalog or DRG weights from historical cases (DOMAIN.md §1.3, §2.1, §2.2; issue 3, issue 4 item 2).
///
/// Feed every case with `add`, then call `finish`. Trimming needs each group-year's costs: they go to a `CostStore`
/// (temporary files, about 24 bytes per case on disk at the peak), so memory is per key and year (a few words each)
/// plus fixed buffers, nothing per case.
public final class Deriver {
  /// The settings.
  public let options: DeriveOptions

  /// The fine key of a DIP case: 类目, 亚目 ("" when the code has none), principal operation ("" none), and the
  /// sorted related operations.
  struct FineKey: Hashable, Comparable {
    var cat: String
    var sub: String
    var op: String
    var rel: [String]

    static func < (a: FineKey, b: FineKey) -> Bool {
      if a.cat != b.cat { return a.cat < b.cat }
      if a.sub != b.sub { return a.sub < b.sub }
      if a.op != b.op { return a.op < b.op }
      return a.rel.lexicographicallyPrecedes(b.rel)
    }
  }

  /// The costs of every case, per bucket and year, on disk (`CostStore`).
  let store: CostStore
  var fine: [FineKey: CostStore.Bucket] = [:]
  var drg: [String: CostStore.Bucket] = [:]
  /// Cases and total cost per hospital level, per calendar year (untrimmed).
  var levels: [String: [Int: (n: Int64, sum: Int64)]] = [:]
  var seenYears: [Int: Int64] = [:]
  var excluded: [String: Int64] = [:]
  /// Cases with a code whose letter case or surrounding spaces were normalised (issue 12 item 7).
  var normalizedCases: Int64 = 0
  /// Costs of the cases meeting each auxiliary definition, by fine key and definition index.
  var auxCosts: [AuxKey: CostStore.Bucket] = [:]

  /// A fine key and an auxiliary definition.
  struct AuxKey: Hashable {
    var key: FineKey
    var aux: Int
  }
  private var dx: [String] = []
  private var ops: [String] = []

  /// Creates a deriver.
  public init(options: DeriveOptions) {
    self.options = options
    self.store = CostStore()
  }

  /// Creates a deriver whose cost store sorts in chunks of `chunkRecords` and keeps bucket-years of at most
  /// `inlineMax` costs in memory (tests force many runs with tiny chunks, and every cost on disk with 0).
  init(options: DeriveOptions, chunkRecords: Int, fanIn: Int = 64, inlineMax: Int = 8) {
    self.options = options
    self.store = CostStore(chunkRecords: chunkRecords, fanIn: fanIn, inlineMax: inlineMax)
  }

  /// The bucket of DRG `code`, made on first use.
  func drgBucket(_ code: String) -> CostStore.Bucket {
    if let b = drg[code] { return b }
    let b = store.newBucket()
    drg[code] = b
    return b
  }

  /// The bucket of fine key `key`, made on first use.
  func fineBucket(_ key: FineKey) -> CostStore.Bucket {
    if let b = fine[key] { return b }
    let b = store.newBucket()
    fine[key] = b
    return b
  }

  /// The year of a case: the first four digits of `setl_time`, else of `dscg_time`.
  static func year(_ s: RecordScanner) throws(FieldError) -> Int {
    var text = try s.string("setl_time")
    if text == nil { text = try s.string("dscg_time") }
    guard let t = text else {
      throw FieldError("setl_time", "missing (and no dscg_time): the case's year is unknown")
    }
    guard let v = DateTime.parse(t, time: true) ?? DateTime.parse(t, time: false), v.year >= 1900 else {
      throw FieldError(
        s.has("setl_time") ? "setl_time" : "dscg_time",
        "expected a time yyyy-MM-dd HH:mm:ss or a date yyyy-MM-dd, found \"\(t.prefix(40))\"")
    }
    return v.year
  }

  /// Adds one historical case.
  ///
  /// Cases are excluded (counted, not rejected) when their cost is zero or negative (refund rows), or, for DRG,
  /// when `group_status` is present and not `grouped`. A missing principal diagnosis (DIP) or `group_code` (DRG)
  /// rejects the record.
  public func add(_ s: RecordScanner) throws {
    let year = try Deriver.year(s)
    guard let cost = try s.fen("medfee_sumamt") else { throw FieldError("medfee_sumamt", "missing total cost") }
    seenYears[year, default: 0] += 1
    if cost <= 0 {
      excluded["cost ≤ 0", default: 0] += 1
      return
    }
    switch options.method {
    case .drg:
      if let st = try s.string("group_status"), st != "grouped" {
        excluded["not grouped", default: 0] += 1
        return
      }
      guard let g = try s.code("group_code") else { throw FieldError("group_code", "missing DRG (run mi-group first)") }
      try store.add(drgBucket(g), year: year, fen: cost)
    case .dip:
      dx.removeAll(keepingCapacity: true)
      ops.removeAll(keepingCapacity: true)
      if let i = s.index("diag_codes") { _ = try s.forEachString(at: i, field: "diag_codes") { dx.append($0) } }
      if let i = s.index("oprn_codes") { _ = try s.forEachString(at: i, field: "oprn_codes") { ops.append($0) } }
      // The same reading as mi-group --dip (DIPGrouper.group): letter case and spaces normalised, an empty
      // operation code is no operation.
      if DIPCodes.normalize(dx: &dx, ops: &ops) { normalizedCases += 1 }
      guard let p = dx.first, !p.isEmpty else { throw FieldError("diag_codes", "missing principal diagnosis") }
      guard DIPCodes.isDiagnosisCode(p), let cat = DIPCodes.category(p) else {
        throw FieldError("diag_codes", "principal diagnosis '\(p)' is not an ICD-10 code")
      }
      let op = ops.first ?? ""
      var rel: [String] = []
      for o in ops.dropFirst() where o != op && !rel.contains(o) { rel.append(o) }
      rel.sort()
      let key = FineKey(cat: cat, sub: DIPCodes.subcategory(p) ?? "", op: op, rel: rel)
      try store.add(fineBucket(key), year: year, fen: cost)
      if !options.auxDefinitions.isEmpty {
        let facts = try DIPGrouper.facts(s)
        for (ai, a) in options.auxDefinitions.enumerated() where DIPGrouper.applies(a, dx: dx, facts: facts) {
          let k = AuxKey(key: key, aux: ai)
          let c: CostStore.Bucket
          if let x = auxCosts[k] { c = x } else { c = store.newBucket(); auxCosts[k] = c }
          try store.add(c, year: year, fen: cost)
        }
      }
      var level = try s.code("hosp_lv")
      if level == nil && !options.hospitalLevels.isEmpty, let h = try s.code("fixmedins_code") {
        level = options.hospitalLevels[h]
      }
      if let lv = level {
        var e = levels[lv, default: [:]][year] ?? (0, 0)
        e.n += 1
        e.sum += cost
        levels[lv, default: [:]][year] = e
      }
    }
  }

  // MARK: - Statistics

  /// Trims one group-year's costs (sorted ascending in place) and returns the kept slice's bounds: the definition
  /// that `stats` follows on the store's streams (and the tests' reference).
  static func trimmed(_ costs: inout [Int64], _ trim: Trim, minN: Int) -> Range<Int> {
    costs.sort()
    let n = costs.count
    guard n >= minN, n > 0 else { return 0..<n }
    switch trim {
    case .none: return 0..<n
    case .percentiles(let lo, let hi): return percentileWindow(n: n, lo: lo, hi: hi)
    case .sigma(let k):
      var sum = 0.0
      var sq = 0.0
      for c in costs {
        sum += Double(c)
        sq += Double(c) * Double(c)
      }
      let (lo, hi) = sigmaBounds(sum: sum, sq: sq, n: n, k: k)
      let a = costs.firstIndex { Double($0) >= lo } ?? n
      let b = costs.lastIndex { Double($0) <= hi }.map { $0 + 1 } ?? a
      return a..<max(a, b)
    }
  }

  /// The kept positions of `n` sorted costs trimmed by percentiles: ⌊n × lo⌋ lowest and ⌊n × (1 − hi)⌋ highest
  /// are dropped (integer arithmetic on per-mille bounds).
  @inline(__always) static func percentileWindow(n: Int, lo: Int, hi: Int) -> Range<Int> {
    let kLo = n * lo / 1000
    let kHi = n * (1000 - hi) / 1000
    return kLo..<max(kLo, n - kHi)
  }

  /// The kept interval of mean ± k SD (population SD) from the floating sums of `n` costs taken in ascending
  /// order: a cost c is kept when lo ≤ Double(c) ≤ hi.
  @inline(__always) static func sigmaBounds(sum: Double, sq: Double, n: Int, k: Fixed) -> (Double, Double) {
    let mean = sum / Double(n)
    let sd = (max(0, sq / Double(n) - mean * mean)).squareRoot()
    // K = raw / 10^scale: exact in binary for whole K (3.0), so whole-K results are those of an integer K.
    let kd = Double(k.raw) / Double(Fixed.pow10(k.scale))
    return (mean - kd * sd, mean + kd * sd)
  }

  /// Statistics of the union of `buckets`' costs over `years`.
  ///
  /// Each year's costs are streamed from the store in ascending order (a merge of the buckets' sorted runs), so
  /// the kept slice and every floating sum see the costs in the same order as sorting the union in memory would:
  /// same input, same CV to the last bit. Mean ± k SD reads the stream twice (sums, then the kept interval);
  /// percentiles skip the lowest and stop after the kept ones.
  func stats(_ buckets: [CostStore.Bucket], years: [Int]) throws(MIError) -> GroupStats {
    try store.seal()
    var n = [Int64](repeating: 0, count: years.count)
    var sum = [Int64](repeating: 0, count: years.count)
    var untrimmed: Int64 = 0
    var pooled = PooledSums()
    var slots: [Int32] = []
    for (yi, y) in years.enumerated() {
      slots.removeAll(keepingCapacity: true)
      var count = 0
      for b in buckets {
        if let s = store.slot(b, year: y) {
          slots.append(s)
          count += Int(store.slots[Int(s)].count)
        }
      }
      untrimmed += Int64(count)
      if count == 0 { continue }
      let year = try keepTrimmed(slots, count: count, into: &pooled)
      sum[yi] = year.sum
      n[yi] = Int64(year.kept)
    }
    var cv: Int64 = 0
    if pooled.n > 0 && pooled.sum > 0 {
      let mean = pooled.sum / pooled.n
      let sd = max(0, pooled.sq / pooled.n - mean * mean).squareRoot()
      // CV = SD / mean (DIP3 p.101), rounded half away from zero to 4 places: a statistic, not money.
      cv = Int64((sd / mean * 10_000).rounded(.toNearestOrAwayFromZero))
    }
    return GroupStats(n: n, sum: sum, untrimmed: untrimmed, cv: cv, meanMicroFen: weightedMean(n: n, sum: sum))
  }

  /// The floating sums of the kept costs of every year so far (count, total, squares), for the pooled CV.
  struct PooledSums {
    var n = 0.0
    var sum = 0.0
    var sq = 0.0
  }

  /// Trims one group-year: streams its `count` costs in `slots` in ascending order, keeps those the trim keeps and
  /// adds them to `pooled`; returns how many were kept and their total in fen.
  private func keepTrimmed(_ slots: [Int32], count: Int, into pooled: inout PooledSums) throws(MIError) -> (
    kept: Int, sum: Int64
  ) {
    var ys: Int64 = 0
    var ps = pooled.sum
    var pq = pooled.sq
    var kept = 0
    func keep(_ c: Int64) {
      ys += c
      ps += Double(c)
      pq += Double(c) * Double(c)
      kept += 1
    }
    var window = 0..<count
    var sigma: (Double, Double)? = nil
    if count >= options.trimMinN {
      switch options.trim {
      case .none: break
      case .percentiles(let lo, let hi): window = Deriver.percentileWindow(n: count, lo: lo, hi: hi)
      case .sigma(let k):
        var s = 0.0
        var q = 0.0
        try store.forEachAscending(slots) { c in
          s += Double(c)
          q += Double(c) * Double(c)
          return true
        }
        sigma = Deriver.sigmaBounds(sum: s, sq: q, n: count, k: k)
      }
    }
    if let bounds = sigma {
      let (lo, hi) = bounds
      // Ascending, so the kept costs are the run between the first ≥ lo and the last ≤ hi.
      try store.forEachAscending(slots) { c in
        let d = Double(c)
        if d < lo { return true }
        if d > hi { return false }
        keep(c)
        return true
      }
    } else if !window.isEmpty {
      var i = 0
      try store.forEachAscending(slots) { c in
        if i >= window.upperBound { return false }
        if i >= window.lowerBound { keep(c) }
        i += 1
        return i < window.upperBound
      }
    }
    pooled.sum = ps
    pooled.sq = pq
    pooled.n += Double(kept)
    return (kept, ys)
  }

  /// The weighted mean in micro-fen (DOMAIN.md §2.1 1:2:7, §9.1): `exactMean` rounded half up once to 10⁻⁶ fen.
  /// Years without cases drop out and the remaining weights are renormalised (a group new in the last year is its
  /// last-year mean).
  public func weightedMean(n: [Int64], sum: [Int64]) -> Int64? {
    exactMean(n: n, sum: sum)?.rounded(times: 1_000_000)
  }

  /// The weighted mean in fen as an exact fraction, nil without cases.
  ///
  /// Yearly means: each year's mean is kept to 10⁻⁶ fen (rounded half up: the one documented intermediate step,
  /// mi-score(1)), then `m = Σ w_y × mean_y / Σ w_y` over the years with cases, unrounded. Totals:
  /// `m = Σ w_y × sum_y / Σ w_y × n_y`, unrounded. Every figure derived from a mean (`mean_amt`, 分值, the
  /// coefficients, the related-operation uplift) is rounded once from this fraction (issue 12 item 3: yearly
  /// sums 6,833,336 / 12, 14,498,484 / 24 and 15,706,180 / 21 fen give m = 701,304.4999998 fen, which the
  /// weighted mean rounded to 10⁻⁶ fen first turned into 7,013.05 yuan instead of 7,013.04).
  func exactMean(n: [Int64], sum: [Int64]) -> ExactFraction? {
    let w = options.yearWeights
    switch options.weightBasis {
    case .yearlyMeans:
      var num = BigUInt(UInt64(0))
      var weights: Int64 = 0
      for i in n.indices where n[i] > 0 {
        num = num + BigUInt(w[i]) * BigUInt(Fixed.mulDiv(sum[i], 1_000_000, n[i]))
        weights += w[i]
      }
      return weights > 0 ? ExactFraction(num, BigUInt(weights) * BigUInt(Int64(1_000_000))) : nil
    case .totals:
      var num = BigUInt(UInt64(0))
      var den = BigUInt(UInt64(0))
      for i in n.indices {
        num = num + BigUInt(w[i]) * BigUInt(sum[i])
        den = den + BigUInt(w[i]) * BigUInt(n[i])
      }
      return den.isZero ? nil : ExactFraction(num, den)
    }
  }

  /// The exact weighted mean of a group's statistics.
  func exactMean(_ st: GroupStats) -> ExactFraction? { exactMean(n: st.n, sum: st.sum) }

  // MARK: - Finishing

  /// Computes the groups, their scores or weights, and the report.
  public func finish() throws(MIError) -> DeriveResult {
    let years = try selectYears()
    try store.seal()
    return options.method == .dip ? try finishDIP(years) : try finishDRG(years)
  }

  private func selectYears() throws(MIError) -> [Int] {
    let years = options.years ?? seenYears.keys.sorted()
    guard !years.isEmpty else { throw MIError.usage("no historical cases: nothing to derive from") }
    guard years.count == options.yearWeights.count else {
      let w = options.yearWeights.map(String.init).joined(separator: ":")
      throw MIError.usage(
        "history has years \(years.map(String.init).joined(separator: ", ")) but --year-weights \(w) needs "
          + "\(options.yearWeights.count) (name them with --years)")
    }
    return years
  }

  func scoreOf(_ st: GroupStats, _ pool: ExactFraction, scale: Int64) -> Int64 {
    // 分值 = m_i / M × scale (DIP3 pp.57–58), RW = m_g / M (BAN 第十四条): 4 decimals, rounded once from the
    // exact means.
    exactMean(st)!.over(pool).rounded(times: scale * 10_000)
  }

  private func finishDRG(_ years: [Int]) throws(MIError) -> DeriveResult {
    var groups: [DerivedGroup] = []
    for code in drg.keys.sorted() {
      let st = try stats([drg[code]!], years: years)
      guard st.kept > 0 else { continue }
      groups.append(
        DerivedGroup(
          code: code, group: DIPGroup(code: code, name: "", kind: .core, dxKey: "", score: 0), stats: st,
          relatedUplift: nil))
    }
    let (pool, poolExact) = try poolMean(groups, years)
    for i in groups.indices {
      groups[i].group.score = scoreOf(groups[i].stats, poolExact, scale: options.scale)
      groups[i].group.caseCount = groups[i].stats.untrimmed
      groups[i].group.meanFen = exactMean(groups[i].stats)!.rounded()
      groups[i].group.cv = groups[i].stats.cv
    }
    var report = commonReport(years, groups, pool)
    report.append("DRG \(groups.count), RW = 病组均费 / 全口径均费 M" + (options.scale == 1 ? "" : " × \(options.scale)"))
    report.append(cvReport(groups))
    return DeriveResult(
      years: years, groups: groups, poolMeanMicroFen: pool, hospitalCoefs: [:], coreThreshold: 0, report: report,
      versionInfo: versionInfo(years, pool, groups, threshold: nil))
  }

  /// The pool mean M over the kept cases of `groups`: in micro-fen (rounded once) and exact.
  func poolMean(_ groups: [DerivedGroup], _ years: [Int]) throws(MIError) -> (Int64, ExactFraction) {
    var n = [Int64](repeating: 0, count: years.count)
    var sum = [Int64](repeating: 0, count: years.count)
    for g in groups {
      for i in years.indices {
        n[i] += g.stats.n[i]
        sum[i] += g.stats.sum[i]
      }
    }
    guard let exact = exactMean(n: n, sum: sum), !exact.num.isZero else {
      throw MIError.usage("no case with a positive cost to derive from")
    }
    return (exact.rounded(times: 1_000_000), exact)
  }

  /// 辅助分型调节系数 (DIP3 pp.62–66, DOMAIN.md §1.4, §2.2): for each core group and each definition, from the last
  /// derivation year: triggered when the group has at least `auxMinGroupCases` kept cases, the subtype at least
  /// `auxMinCases`, and the subtype's CV is at least `auxCVDrop` below the group's (our reading of "离散程度明显
  /// 下降, e.g. CV −20%" [U]); coefficient = subtype mean / group mean, both trimmed like the scores, 4 decimals
  /// rounded once. Each entry is the definition limited to that group, coded `DEF@GROUP`.
  func auxiliaryEntries(_ groups: [DerivedGroup], _ years: [Int]) throws(MIError) -> [DIPAux] {
    guard !options.auxDefinitions.isEmpty, let last = years.last else { return [] }
    var out: [DIPAux] = []
    for g in groups where g.group.kind != .comprehensive {
      let whole = try stats(g.keys.map { fine[$0]! }, years: [last])
      guard whole.kept >= Int64(options.auxMinGroupCases), let groupMean = exactMean(whole), !groupMean.num.isZero
      else {
        continue
      }
      for (ai, def) in options.auxDefinitions.enumerated() where def.groups.isEmpty || def.groups.contains(g.code) {
        let accs = g.keys.compactMap { auxCosts[AuxKey(key: $0, aux: ai)] }
        if accs.isEmpty { continue }
        let sub = try stats(accs, years: [last])
        guard sub.kept >= Int64(options.auxMinCases), let subMean = exactMean(sub),
          sub.cv * 10_000 <= whole.cv * (10_000 - options.auxCVDrop)
        else { continue }
        var a = def
        a.code = def.code + "@" + g.code
        a.groups = [g.code]
        a.coef = subMean.over(groupMean).rounded(times: 10_000)
        if a.coef > 0 { out.append(a) }
      }
    }
    return out.sorted { $0.code < $1.code }
  }

  /// The core threshold: the count given, or with a coverage target the case count of the smallest base group
  /// needed to reach it (groups sorted by count, largest first; DIP3 p.30).
  func coreThresholdFor(_ counts: [Int64], total: Int64) -> Int64 {
    guard let cov = options.coreCoverage else { return Int64(options.coreThreshold) }
    var covered: Int64 = 0
    for c in counts.sorted(by: >) {
      covered += c
      // covered / total ≥ cov, in integers: covered × 10000 ≥ cov × total.
      if covered * 10_000 >= cov * total { return max(1, c) }
    }
    return 1
  }

  /// 医疗机构调节系数 by level (DIP3 pp.60–62): 同级别机构近三年加权平均住院费用 / 全市近三年加权平均住院费用, both
  /// weighted like the scores, untrimmed, 4 decimals rounded once.
  func hospitalCoefficients(_ years: [Int]) -> [String: Int64] {
    var allN = [Int64](repeating: 0, count: years.count)
    var allS = [Int64](repeating: 0, count: years.count)
    var per: [String: Int64] = [:]
    var means: [String: ExactFraction] = [:]
    for lv in levels.keys.sorted() {
      var n = [Int64](repeating: 0, count: years.count)
      var s = [Int64](repeating: 0, count: years.count)
      for (i, y) in years.enumerated() {
        if let e = levels[lv]![y] {
          n[i] = e.n
          s[i] = e.sum
          allN[i] += e.n
          allS[i] += e.sum
        }
      }
      if let m = exactMean(n: n, sum: s) { means[lv] = m }
    }
    guard let all = exactMean(n: allN, sum: allS), !all.num.isZero else { return [:] }
    for (lv, m) in means { per[lv] = m.over(all).rounded(times: 10_000) }
    return per
  }

  func pct(_ a: Int64, _ b: Int64) -> String {
    b == 0 ? "-" : Fixed(raw: Fixed.mulDiv(a, 10_000, b), scale: 2).description + "%"
  }

  func commonReport(_ years: [Int], _ groups: [DerivedGroup], _ pool: Int64) -> [String] {
    let perYear: String = years.map { "\($0) \(seenYears[$0] ?? 0)" }.joined(separator: " · ")
    let other: Int64 = seenYears.filter { !years.contains($0.key) }.values.reduce(0, +)
    let untrimmed: Int64 = groups.reduce(0) { $0 + $1.stats.untrimmed }
    let kept: Int64 = groups.reduce(0) { $0 + $1.stats.kept }
    var first = "derive \(options.method.rawValue): cases \(perYear)"
    if other > 0 { first += "; \(other) cases outside the derivation years ignored" }
    for k in excluded.keys.sorted() { first += "; excluded \(excluded[k]!) (\(k))" }
    if normalizedCases > 0 { first += "; codes normalised (letter case or spaces) in \(normalizedCases) cases" }
    let weights: String = options.yearWeights.map(String.init).joined(separator: ":")
    var second = "year weights \(weights) (\(options.weightBasis.rawValue)); "
    second += "trim \(options.trim.text) (min \(options.trimMinN) per group-year): \(untrimmed - kept) cases trimmed "
    second += "(\(pct(untrimmed - kept, untrimmed)))"
    var third = "pool mean M \(Money.format(Fixed.divideRounded(pool, by: 1_000_000))) yuan"
    if options.method == .dip { third += "; score scale ×\(options.scale)" }
    var lines = [first, second, third]
    if options.method == .dip && options.procClasses.isEmpty {
      lines.append("warning: no operation-class dictionary (--proc-class): every comprehensive group is 内科诊疗组")
    }
    return lines
  }

  func cvReport(_ groups: [DerivedGroup]) -> String {
    let bounds: [(String, Int64)] = [("≤0.3", 3000), ("0.3–0.5", 5000), ("0.5–0.7", 7000), ("0.7–1.0", 10000)]
    var counts = [Int](repeating: 0, count: bounds.count + 1)
    for g in groups {
      let i = bounds.firstIndex { g.stats.cv <= $0.1 } ?? bounds.count
      counts[i] += 1
    }
    let parts = zip(bounds.map(\.0) + [">1.0"], counts).map { "\($0) \($1)" }
    let above = groups.filter { $0.stats.cv > options.maxCV }.count
    return "CV " + parts.joined(separator: " · ") + "; above max_cv \(Fixed(raw: options.maxCV, scale: 4)): \(above)"
  }

  func versionInfo(_ years: [Int], _ pool: Int64, _ groups: [DerivedGroup], threshold: Int64?) -> [(
    String, String
  )] {
    var info: [(String, String)] = [
      ("method", JSONWriter.quoted("average")),
      ("years", "[" + years.map(String.init).joined(separator: ",") + "]"),
      ("year_weights", JSONWriter.quoted(options.yearWeights.map(String.init).joined(separator: ":"))),
      ("weight_basis", JSONWriter.quoted(options.weightBasis.rawValue)),
      ("trim", JSONWriter.quoted(options.trim.text)),
      ("trim_min_n", String(options.trimMinN)),
    ]
    if let threshold {
      info.append(("core_threshold", String(threshold)))
      if let c = options.coreCoverage { info.append(("core_coverage", Fixed(raw: c, scale: 4).description)) }
      info.append(("related_op_uplift", Fixed(raw: options.relatedUplift, scale: 4).description))
      info.append(("comprehensive_min", String(options.comprehensiveMin)))
      info.append(("basic_max_cv", Fixed(raw: options.basicMaxCV, scale: 4).description))
    }
    info.append(("pool_mean_amt", Money.format(Fixed.divideRounded(pool, by: 1_000_000))))
    info.append(("case_cnt", String(groups.reduce(0) { $0 + $1.stats.untrimmed })))
    return info
  }
}
