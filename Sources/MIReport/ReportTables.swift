import MICore

extension IndicatorAggregate {
  /// The reform targets over the whole input (DOMAIN.md §6): 入组率, 基金支出占比 and, with a registry, the
  /// institution coverage of the latest year read.
  func targetsTable(_ total: CellStats, _ t: ReportTargets) -> Table {
    var table = Table(
      kind: "target", title: ("改革目标", "Reform targets"),
      columns: [
        Column("indicator", "指标", "indicator"), Column("value", "实际值", "value"), Column("target", "目标", "target"),
        Column("met", "是否达标", "met"), Column("basis", "口径", "basis"), Column("source", "目标来源", "source"),
      ])
    func row(_ key: String, _ zh: String, _ en: String, _ v: Fixed?, _ min: Fixed?, _ basis: String) {
      let met: Bool? = v.flatMap { v in min.map { v >= $0 } }
      table.rows.append([
        .label(key: key, zh: zh, en: en), v.map { .percent($0) } ?? .none, min.map { .percent($0) } ?? .none,
        .met(met), .text(basis), .text(t.source),
      ])
    }
    if total.cases > 0 {
      row(
        "grouping_rate", "入组率", "grouping rate", Ratio.of(total.grouped, total.groupTried, scale: 4),
        t.groupingRateMin, "\(total.grouped)/\(total.groupTried)")
      row(
        "fund_share", "基金支出占比", "fund share", Ratio.of(total.hifpScored, total.hifp, scale: 4), t.fundShareMin,
        "\(Money.format(total.hifpScored))/\(Money.format(total.hifp))")
    }
    if !registry.isEmpty {
      // "定点医疗机构…实现DIP实际付费": registry entries paid by DRG or DIP over all entries of the registry.
      let paid = Int64(registry.values.filter { $0.payment == "DRG" || $0.payment == "DIP" }.count)
      row(
        "coverage", "付费机构覆盖率 \(latestYear)", "institution coverage \(latestYear)",
        Ratio.of(paid, Int64(registry.count), scale: 4), t.coverageMin[latestYear], "\(paid)/\(registry.count)")
    }
    return table
  }

  /// Audit findings by rule: count and 违规金额 (mi-audit's `rule_id`, `rule_name`, `vola_amt`).
  func auditTable() -> Table {
    var t = Table(
      kind: "audit", title: ("审核结果(按规则)", "Audit findings by rule"),
      columns: [
        Column("rule_id", "规则", "rule"), Column("rule_name", "规则名称", "rule name"),
        Column("findings", "疑点数", "findings"), Column("vola_amt", "违规金额", "amount"),
      ])
    var n: Int64 = 0
    var amt: Int64 = 0
    for id in rules.keys.sorted(by: SumAggregate.byteOrder) {
      let r = rules[id]!
      t.rows.append([.text(id), .text(r.name), .int(r.findings), .money(r.amount)])
      n += r.findings
      amt += r.amount
    }
    t.footer = [.none, .none, .int(n), .money(amt)]
    return t
  }

  /// Budget against payment per pool (总额准确度 = budget ÷ actual payment, DOMAIN.md §7, DIP3 pp.89–93).
  func poolsTable() -> Table {
    var t = Table(
      kind: "pool-budget", title: ("资金池预算与支付", "Pools: budget and payment"),
      columns: [
        Column("source", "来源", "source"), Column("pool", "资金池", "pool"), Column("budget_amt", "预算", "budget"),
        Column("payment_amt", "支付", "payment"), Column("clearing_amt", "清算金额", "clearing"),
        Column("point_value", "点值", "point value"), Column("budget_accuracy", "总额准确度", "budget accuracy"),
      ])
    for k in pools.keys.sorted(by: SumAggregate.byteOrder) {
      let p = pools[k]!
      let pool = String(k.split(separator: "\u{1F}", omittingEmptySubsequences: false).last ?? "")
      let source: Cell =
        p.source == "capitation"
        ? .label(key: "capitation", zh: "门诊按人头", en: "capitation")
        : .label(key: "clearing", zh: "住院按病种", en: "clearing")
      t.rows.append([
        source, .text(pool), .money(p.budget), .money(p.payment), .money(p.clearing),
        p.pointValue.map { .fixed($0) } ?? .none, Ratio.of(p.budget, p.payment, scale: 4).map { .percent($0) } ?? .none,
      ])
    }
    return t
  }

  /// The institutions of the HTML report, sorted by code, each with its groups and case lines.
  func institutionSummaries() -> [InstitutionSummary] {
    guard detail else { return [] }
    var out: [InstitutionSummary] = []
    for code in institutions.keys.sorted(by: SumAggregate.byteOrder) {
      let c = institutions[code]!
      let groups = c.byGroup.keys.sorted(by: SumAggregate.byteOrder).map { g in
        let s = c.byGroup[g]!
        return (g, groupNames[g] ?? "", s.n, s.points, s.cost, s.hifp)
      }
      let lines = (self.lines[code] ?? []).sorted(by: CaseLine.drillDownOrder)
      out.append(
        InstitutionSummary(
          code: code, name: registry[code]?.name ?? "", pools: (institutionPools[code] ?? []).sorted(),
          cases: c.cases, points: c.points, medfee: c.medfee, hifp: c.hifp, clearingAmt: c.clearingAmt,
          settleRatio: Ratio.of(c.ratioPayment, c.ffsAmt, scale: 4), cleared: c.clearings > 0, groups: groups,
          lines: lines))
    }
    return out
  }
}
