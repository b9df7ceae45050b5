import MICore

/// A finished indicator report: its tables, and what the HTML charts and drill-down draw.
public struct IndicatorReport: Sendable {
  /// The main table (one row per cell), the targets, the audit totals by rule and the pools (the last two only
  /// when such records were read).
  public var tables: [Table]
  /// The indicator keys of the main table's columns (for `--explain`).
  public var indicatorKeys: [String]
  /// Months with their cases, cost and fund (trend chart).
  public var months: [(month: String, cases: Int64, medfee: Int64, hifp: Int64)] = []
  /// Cost-ratio histogram: 31 bins of 0.1 (the last ≥ 3.0).
  public var costRatioBins: [Int64] = []
  /// Institutions, with what the ranking and the drill-down show.
  public var institutions: [InstitutionSummary] = []
  /// Pools, budget against payment (chart).
  public var pools: [(source: String, pool: String, budget: Int64, payment: Int64)] = []

  /// A report of tables alone (no charts, no drill-down).
  public init(tables: [Table], indicatorKeys: [String]) {
    self.tables = tables
    self.indicatorKeys = indicatorKeys
  }
}

/// One institution in the HTML report: totals, its groups, its cases.
public struct InstitutionSummary: Sendable {
  /// 机构编码, name (from the registry, else empty) and pools.
  public var code: String
  public var name: String
  public var pools: [String]
  /// Inpatient cases, points (scale 4), cost and fund read from the cases.
  public var cases: Int64
  public var points: Int64
  public var medfee: Int64
  public var hifp: Int64
  /// From the clearing records: clearing amount, the 结算率 (nil without ffs), whether there were any.
  public var clearingAmt: Int64
  public var settleRatio: Fixed?
  public var cleared: Bool
  /// Groups: code, name, cases, points (scale 4), cost, fund; sorted by code.
  public var groups: [(code: String, name: String, cases: Int64, points: Int64, medfee: Int64, hifp: Int64)]
  /// The case lines, by group then setl_id.
  public var lines: [CaseLine]
}

extension IndicatorAggregate {
  /// Builds the report. `previous` holds the previous period's cases (`--previous`); `targets` the thresholds.
  public func report(previous: IndicatorAggregate?, targets: ReportTargets) -> IndicatorReport {
    var seen: Set<String> = []
    var total = CellStats()
    for c in cells.values {
      if c.cases > 0 { seen.insert("cases") }
      if c.outpatient > 0 { seen.insert("outpatient") }
      if c.clearings > 0 { seen.insert("clearing") }
      if c.capitations > 0 { seen.insert("capitation") }
      total.cases += c.cases
      total.groupTried += c.groupTried
      total.grouped += c.grouped
      total.hifp += c.hifp
      total.hifpScored += c.hifpScored
    }
    let shown = Indicators.all.filter { d in
      switch d.from {
      case .cases: return seen.contains("cases")
      case .outpatient: return seen.contains("outpatient")
      case .clearing: return seen.contains("clearing")
      case .capitation: return seen.contains("capitation")
      case .previous: return previous != nil && seen.contains("cases")
      case .registry: return !registry.isEmpty
      }
    }
    var columns = dims.map(\.column)
    let named = dims.contains(.fixmedins_code) && !registry.isEmpty
    if named { columns.insert(Column("fixmedins_name", "机构名称", "name"), at: dims.firstIndex(of: .fixmedins_code)! + 1) }
    columns += shown.map(\.column)
    var main = Table(kind: "indicator", title: ("指标", "Indicators"), columns: columns)
    let prevByKey = previous.map { p in p.cells.mapValues { (medfee: $0.medfee, cases: $0.cases) } } ?? [:]
    let keys = cells.keys.sorted {
      cellValues[$0]!.lexicographicallyPrecedes(cellValues[$1]!, by: SumAggregate.byteOrder)
    }
    for key in keys {
      let c = cells[key]!
      let vals = cellValues[key]!
      var row: [Cell] = vals.map { $0.isEmpty ? .none : .text($0) }
      if named, let i = dims.firstIndex(of: .fixmedins_code) {
        row.insert(registry[vals[i]].map { .text($0.name) } ?? .none, at: i + 1)
      }
      for d in shown { row.append(value(d.column.key, c, previous: prevByKey[key])) }
      main.rows.append(row)
    }
    var r = IndicatorReport(tables: [main], indicatorKeys: shown.map(\.column.key))
    let targetRows = targetsTable(total, targets)
    if !targetRows.rows.isEmpty { r.tables.append(targetRows) }
    if !rules.isEmpty { r.tables.append(auditTable()) }
    if !pools.isEmpty { r.tables.append(poolsTable()) }
    r.months = months.keys.sorted().map { m in (m, months[m]!.cases, months[m]!.medfee, months[m]!.hifp) }
    r.costRatioBins = costRatioBins
    r.pools = pools.keys.sorted().map { k in
      let p = pools[k]!
      return (
        p.source, String(k.split(separator: "\u{1F}", omittingEmptySubsequences: false).last ?? ""), p.budget, p.payment
      )
    }
    r.institutions = institutionSummaries()
    return r
  }

  /// The value of indicator `key` for one cell (the formulas of `Indicators.all`).
  func value(_ key: String, _ c: CellStats, previous: (medfee: Int64, cases: Int64)?) -> Cell {
    func pct(_ n: Int64, _ d: Int64) -> Cell { Ratio.of(n, d, scale: 4).map { .percent($0) } ?? .none }
    func fixed4(_ n: Int64, _ d: Int64) -> Cell { Ratio.of(n, d, scale: 4).map { .fixed($0) } ?? .none }
    switch key {
    case "cases": return .int(c.cases)
    case "grouping_rate": return pct(c.grouped, c.groupTried)
    case "fund_share": return pct(c.hifpScored, c.hifp)
    case "cmi": return Ratio.of(c.weightSum, c.weightN * 10_000, scale: 4).map { .fixed($0) } ?? .none
    case "time_index": return consumption(c, days: true)
    case "cost_index": return consumption(c, days: false)
    case "cost_cv":
      return Ratio.cv(count: c.cases, sum: Int128(c.medfee), squares: c.costSquares, scale: 4).map { .percent($0) }
        ?? .none
    case "avg_cost": return c.cases > 0 ? .money(Fixed.divideRounded(c.medfee, by: c.cases)) : .none
    case "avg_cost_growth":
      guard let p = previous else { return .none }
      return Ratio.growth(current: c.medfee, c.cases, previous: p.medfee, p.cases, scale: 4).map { .percent($0) }
        ?? .none
    case "drug_ratio": return pct(c.drug, c.itemBase)
    case "material_ratio": return pct(c.material, c.itemBase)
    case "high_share": return pct(c.high, c.scored)
    case "low_share": return pct(c.low, c.scored)
    case "special_share": return pct(c.special, c.scored)
    case "points": return .fixed(Fixed(raw: c.points, scale: 4))
    case "medfee_sumamt": return .money(c.medfee)
    case "hifp_pay": return .money(c.hifp)
    case "outpatient": return .int(c.outpatient)
    case "opt_ipt_ratio": return fixed4(c.outpatient, c.cases)
    case "visits_per_person": return fixed4(c.outpatient, Int64(c.persons.count))
    case "clear_cases": return .int(c.clearCases)
    case "clear_points": return .fixed(Fixed(raw: c.clearPoints, scale: 4))
    case "payable_amt": return .money(c.payableAmt)
    case "ffs_amt": return .money(c.ffsAmt)
    case "clearing_amt": return .money(c.clearingAmt)
    case "settle_ratio": return pct(c.ratioPayment, c.ffsAmt)
    case "payment_ratio": return pct(c.ffsAmt, c.ratioPayment)
    case "cap_settlements": return .int(c.capSettlements)
    case "cap_payout_amt": return .money(c.capPayout)
    case "cap_clearing_amt": return .money(c.capClearing)
    default: return .none
    }
  }

  /// 时间消耗指数 or 费用消耗指数 of a cell (DOMAIN.md §7): Σ_i x_i / mean_g(i) / n = Σ_g x_cg · n_g / x_g / n_c, the
  /// group means taken over the whole input; each group's term at 8 decimals (half up), the result at 4.
  func consumption(_ c: CellStats, days: Bool) -> Cell {
    var n: Int64 = 0
    var sum8: Int64 = 0
    for (g, cg) in c.byGroup {
      guard let all = groups[g] else { continue }
      let (x, cn, total, gn) = days ? (cg.days, cg.daysN, all.days, all.daysN) : (cg.cost, cg.n, all.cost, all.n)
      guard total > 0, cn > 0 else { continue }
      sum8 += Fixed.mulDiv(x, gn * 100_000_000, total)
      n += cn
    }
    return Ratio.of(Int128(sum8), Int128(n) * 100_000_000, scale: 4).map { .fixed($0) } ?? .none
  }
}
