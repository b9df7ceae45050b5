import MICore

/// The records `mi-capita` writes (field names in man/mi-capita.1), in a fixed key order.
public enum CapitationRecords {
  /// The 拟清算方案's dates: when the draft was received and the last day to object.
  public struct Draft: Sendable, Equatable {
    /// `draft_date`.
    public var date: String
    /// `objection_deadline`.
    public var deadline: String

    /// The draft of `date` (`yyyy-MM-dd`) and its deadline by the params' working days; nil for a bad date.
    public init?(date: String, params: CapitationParams) {
      guard let d = WorkingDays.parse(date) else { return nil }
      self.date = date
      deadline = WorkingDays.format(
        WorkingDays.deadline(
          after: d, count: params.objectionDays, holidays: params.holidays, makeup: params.makeupWorkdays))
    }
  }

  /// Writes a pool's `kind: "pool"` record, then its institutions' `kind: "capitation"` records.
  public static func write(
    _ c: CapitationClearing, year: String, params: CapitationParams, paramsName: String, draft: Draft?,
    into out: inout [UInt8]
  ) {
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "pool", &out)
    w.string("pool", c.pool.name, &out)
    w.string("year", year, &out)
    w.string("params", paramsName, &out)
    w.fen("budget_amt", c.budgetFen, &out)
    w.fen("adjustment_amt", c.adjustmentFen, &out)
    w.fen("remote_amt", c.remoteFen, &out)
    w.string("remote_source", c.remoteGiven ? "params" : "data", &out)
    w.fen("special_amt", c.specialFen, &out)
    w.fen("ffs_amt", c.ffsFen, &out)
    w.fen("fund_amt", c.localFundFen, &out)
    w.fen("weight_base_amt", c.weightBaseFen, &out)
    w.string("share_party", (c.pool.shareParty ?? params.shareParty).rawValue, &out)
    w.string("share_sign", params.shareSign.rawValue, &out)
    w.fixed("share_ratio", c.pool.shareRatio.raw, scale: 4, &out)
    w.fixed("fund_share", c.fundShare.raw, scale: 4, &out)
    w.fen("share_amt", c.shareFen, &out)
    w.fen("total_amt", c.totalFen, &out)
    w.fen("allocated_amt", c.allocatedFen, &out)
    w.fen("unallocated_amt", c.unallocatedFen, &out)
    w.int("persons", c.persons, &out)
    w.string("persons_source", c.personsGiven ? "params" : "counted \(params.personsScope.rawValue)", &out)
    w.int("points_per_person", c.pool.pointsPerPerson, &out)
    w.fixed("points", c.points * 10000, scale: 4, &out)
    w.fixed("point_value", c.pointValueRaw, scale: 6, &out)
    w.int("institutions", Int64(c.institutions.count), &out)
    w.fen("payout_amt", c.payoutFen, &out)
    w.fen("prepaid_amt", c.institutions.reduce(0) { $0 + $1.prepaidFen }, &out)
    w.fen("deduction_amt", c.institutions.reduce(0) { $0 + $1.deductionFen }, &out)
    w.fen("clearing_amt", c.institutions.reduce(0) { $0 + $1.clearingFen }, &out)
    w.string("check", c.checkPassed ? "pass" : "fail", &out)
    let label = c.unallocatedFen == 0 ? "T + S" : "T − unallocated + S"
    w.strings(
      "checks",
      [
        "Σ(points_amt + special_amt) = \(label): \(Money.format(c.payoutFen)) = \(Money.format(c.allocatedFen + c.specialFen))",
        "T = B ± adj − R − S ± X: \(Money.format(c.totalFen)) = \(Money.format(c.budgetFen)) \(c.adjustmentFen < 0 ? "−" : "+") "
          + "\(Money.format(abs(c.adjustmentFen)))"
          + " − \(Money.format(c.remoteFen)) − \(Money.format(c.specialFen)) \(c.shareFen < 0 ? "−" : "+") "
          + Money.format(abs(c.shareFen)),
      ], &out)
    if let draft {
      w.string("draft_date", draft.date, &out)
      w.string("objection_deadline", draft.deadline, &out)
    }
    w.end(&out)
    for i in c.institutions {
      w.begin(&out)
      w.string("kind", "capitation", &out)
      w.string("pool", c.pool.name, &out)
      w.string("year", year, &out)
      w.string("params", paramsName, &out)
      w.string("fixmedins_code", i.code, &out)
      w.int("setl_cnt", Int64(i.settlements), &out)
      w.fen("fund_amt", i.fundFen, &out)
      w.fixed("weight", i.weightRaw, scale: 6, &out)
      w.fixed("points", i.pointsRaw, scale: 4, &out)
      w.fixed("point_value", c.pointValueRaw, scale: 6, &out)
      w.fen("points_amt", i.pointsFen, &out)
      w.fen("special_amt", i.specialFen, &out)
      w.fen("payout_amt", i.payoutFen, &out)
      w.fen("prepaid_amt", i.prepaidFen, &out)
      w.fen("audit_deduction_amt", i.auditDeductionFen, &out)
      w.fen("assessment_deduction_amt", i.assessmentDeductionFen, &out)
      w.fen("deduction_amt", i.deductionFen, &out)
      w.fen("clearing_amt", i.clearingFen, &out)
      w.end(&out)
    }
  }

  /// Writes a pool's monthly prepayment: a `kind: "pool"` record, then `kind: "capitation-prepay"` per institution.
  public static func write(_ p: CapitationPrepay, month: String, paramsName: String, into out: inout [UInt8]) {
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "pool", &out)
    w.string("pool", p.pool.name, &out)
    w.string("month", month, &out)
    w.string("params", paramsName, &out)
    w.int("institutions", Int64(p.lines.count), &out)
    w.fen("fund_amt", p.fundFen, &out)
    w.fixed("prepay_ratio", p.pool.prepayRatio.raw, scale: 4, &out)
    w.fen("prepay_amt", p.prepayFen, &out)
    w.end(&out)
    for l in p.lines {
      w.begin(&out)
      w.string("kind", "capitation-prepay", &out)
      w.string("pool", p.pool.name, &out)
      w.string("month", month, &out)
      w.string("params", paramsName, &out)
      w.string("fixmedins_code", l.code, &out)
      w.int("setl_cnt", Int64(l.settlements), &out)
      w.fen("fund_amt", l.fundFen, &out)
      w.fixed("prepay_ratio", p.pool.prepayRatio.raw, scale: 4, &out)
      w.fen("prepay_amt", l.prepayFen, &out)
      w.end(&out)
    }
  }

  /// The ledger lines of a prepayment (item `prepay`).
  public static func ledgerLines(_ pools: [CapitationPrepay]) -> [LedgerLine] {
    pools.flatMap { p in
      p.lines.map { LedgerLine(pool: p.pool.name, fixmedinsCode: $0.code, item: "prepay", amountFen: $0.prepayFen) }
    }
  }

  /// The ledger lines of a year-end clearing (item `clearing`: the amount paid or recovered).
  public static func ledgerLines(_ pools: [CapitationClearing]) -> [LedgerLine] {
    pools.flatMap { p in
      p.institutions.map {
        LedgerLine(pool: p.pool.name, fixmedinsCode: $0.code, item: "clearing", amountFen: $0.clearingFen)
      }
    }
  }
}
