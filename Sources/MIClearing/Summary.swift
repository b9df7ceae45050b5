import MICore

extension Settlement {
  /// The summary items of a year-end clearing, one per pool: point value, budget, fund part, clearing, check.
  public static func summary(_ pools: [PoolSettlement]) -> [String] {
    pools.map { p in
      let budget = p.budgetAmt.map(Money.format) ?? "none"
      return "pool \(p.pool): point value \(p.pointValue?.description ?? "-") budget \(budget) "
        + "fund part \(Money.format(p.fundPartAmt)) clearing \(Money.format(p.sum(\.clearingAmt))) "
        + "check \(p.checkPassed ? "pass" : "fail")"
    }
  }
}

extension Prepayment {
  /// The summary items of a month's prepayment, one per pool: the amount paid and the check.
  public static func summary(_ pools: [PoolPrepayment]) -> [String] {
    pools.map { p in "pool \(p.pool): pay \(Money.format(p.sum(\.payAmt))) check \(p.checkPassed ? "pass" : "fail")" }
  }
}
