import MICore

/// What an adjustment does to a hospital's money. A positive `adj_amt` is money taken from the hospital for the
/// deductions and money given to it for the others (for `vbp_return` the saving, of which the return share is paid).
public enum AdjustmentType: String, Sendable, CaseIterable {
  /// 审核扣款: audit deduction (also confirmed `mi-audit` findings). Taken.
  case deduction
  /// 考核扣款: deduction from the annual assessment. Taken.
  case assessment
  /// 集采结余: the fund part saved by volume-based procurement; `vbp_return_share` of it is returned (seed 004).
  case vbpReturn = "vbp_return"
  /// 特例单议: an approved case's amount paid 按项目 (fund part). Given.
  case specialCase = "special_case"
  /// 周转金: an advance paid with a month's prepayment and recovered at the year-end clearing. Given.
  case turnoverFund = "turnover_fund"
}

/// One adjustment record (`--adjustments FILE`, NDJSON).
public struct Adjustment: Sendable, Equatable {
  /// `fixmedins_code`.
  public var fixmedinsCode: String
  /// `pool` (the insutype), or nil: then the hospital's pool with the most points.
  public var pool: String?
  /// `period` (`2024-03` or `2024`), or nil: the year-end clearing of the year the file is given with.
  public var period: String?
  /// `adj_amt` in fen.
  public var amountFen: Int64
  /// `adj_type`.
  public var type: AdjustmentType
  /// `reason` (free text, shown nowhere but kept for the audit trail).
  public var reason: String
  /// Where it came from, for messages.
  public var file: String
  /// Its line.
  public var line: Int

  /// Creates an adjustment.
  public init(
    fixmedinsCode: String, pool: String? = nil, period: String? = nil, amountFen: Int64, type: AdjustmentType,
    reason: String = "", file: String = "-", line: Int = 0
  ) {
    self.fixmedinsCode = fixmedinsCode
    self.pool = pool
    self.period = period
    self.amountFen = amountFen
    self.type = type
    self.reason = reason
    self.file = file
    self.line = line
  }

  /// Whether it belongs to a run of `period`. A month's run takes only the adjustments of that month (so one
  /// without a period is never repeated in every month); a year's run takes those of the year, of its months, and
  /// those without a period.
  public func applies(to runPeriod: String) -> Bool {
    if runPeriod.count != 4 { return period == runPeriod }
    guard let period else { return true }
    return period == runPeriod || period.hasPrefix(runPeriod + "-")
  }

  /// Reads an adjustments file; the first bad record stops with its file, line and field (nothing is written yet).
  /// Every record's bytes go into `digest` when one is given (the run's input SHA-256).
  public static func read(_ path: String, digest: inout SHA256?) throws(MIError) -> [Adjustment] {
    var out: [Adjustment] = []
    try SideFile.forEachRecord(path, digest: &digest) { (scanner, at) throws(FieldError) in
      guard let code = try scanner.code("fixmedins_code") else { throw FieldError("fixmedins_code", "missing") }
      guard let amount = try scanner.fen("adj_amt") else { throw FieldError("adj_amt", "missing") }
      guard let typeText = try scanner.string("adj_type") else { throw FieldError("adj_type", "missing") }
      guard let type = AdjustmentType(rawValue: typeText) else {
        throw FieldError(
          "adj_type",
          "unknown type \"\(typeText)\" (expected \(AdjustmentType.allCases.map(\.rawValue).joined(separator: ", ")))"
        )
      }
      // adj_amt is a magnitude; its direction is the type's. A negative deduction would pay the hospital, a
      // negative special case would take from it: a reversal is made by removing the line and running again.
      if amount < 0 {
        throw FieldError(
          "adj_amt", "must not be negative (\(Money.format(amount))): the direction of the money is the adj_type's")
      }
      let period = try scanner.code("period")
      if let period, !Period.isMonth(period) && !Period.isYear(period) {
        throw FieldError("period", "expected YYYY or YYYY-MM, found \"\(period)\"")
      }
      // 周转金 is paid with a month's prepayment and recovered at the year end: one without a month would be
      // recovered without ever being paid.
      if type == .turnoverFund, period.map(Period.isMonth) != true {
        throw FieldError(
          "period",
          "a turnover_fund needs the month it is paid with (YYYY-MM), found \(period.map { "\"\($0)\"" } ?? "none")")
      }
      out.append(
        Adjustment(
          fixmedinsCode: code, pool: try scanner.code("pool"), period: period, amountFen: amount, type: type,
          reason: try scanner.string("reason") ?? "", file: at.file, line: at.line))
    }
    return out
  }
}
