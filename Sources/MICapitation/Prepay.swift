import MICore

/// One institution's monthly prepayment in one pool.
public struct CapitationPrepayLine: Sendable, Equatable {
  /// `fixmedins_code`.
  public var code: String
  /// The month's 按项目 fund amount (`hifp_pay`, special costs included), fen.
  public var fundFen: Int64
  /// fund × prepay_ratio, rounded half up to the fen.
  public var prepayFen: Int64
  /// Settlement rows.
  public var settlements: Int
}

/// One pool's monthly prepayment.
public struct CapitationPrepay: Sendable, Equatable {
  /// The pool.
  public var pool: CapitationPool
  /// The institutions, by code.
  public var lines: [CapitationPrepayLine]
  /// Σ fund, fen.
  public var fundFen: Int64 { lines.reduce(0) { $0 + $1.fundFen } }
  /// Σ prepayments, fen.
  public var prepayFen: Int64 { lines.reduce(0) { $0 + $1.prepayFen } }
}

extension Capitation {
  /// The monthly prepayment (seed 002 三(三): "門診(含慢性病門診)基本醫療保險基金實行按項目付費方式月預撥…原則上
  /// 不低于90%. 月度預撥后基金余額部分于年終一并清算"): per institution, its month's fund amount × `prepay_ratio`,
  /// each rounded half up to the fen (no allocation: each amount stands alone). A month whose refunds exceed its
  /// settlements gives a negative prepayment (money recovered), so Σ months stays proportional to the year.
  public static func prepay(pool: CapitationPool, totals: PoolTotals, month: Int) -> CapitationPrepay {
    let lines = totals.institutions.keys.sorted().map { code -> CapitationPrepayLine in
      let t = totals.institutions[code]!
      let fund = t.monthFundFen[month - 1]
      return CapitationPrepayLine(
        code: code, fundFen: fund, prepayFen: Fixed.mulDiv(fund, pool.prepayRatio.raw, 10000),
        settlements: t.settlements)
    }
    return CapitationPrepay(pool: pool, lines: lines)
  }

  /// The year's prepayments as the rules would have paid them, month by month from the data (`--prepaid computed`,
  /// for a year that was not prepaid through `mi-capita prepay --post`): Σ over months of round(fund_m × ratio).
  public static func computedPrepaid(pool: CapitationPool, totals: PoolTotals) -> [String: Int64] {
    var out: [String: Int64] = [:]
    for (code, t) in totals.institutions {
      out[code] = t.monthFundFen.reduce(0) { $0 + Fixed.mulDiv($1, pool.prepayRatio.raw, 10000) }
    }
    return out
  }
}
