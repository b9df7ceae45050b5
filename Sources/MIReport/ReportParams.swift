import MICore

/// The reform targets a report shows met or not met: the `[targets]` section of a params version (DOMAIN.md §6
/// and §8, seed 000 阜新). "以上" is read as ≥.
public struct ReportTargets: Sendable, Equatable {
  /// 入组率 ≥ this ("按省要求的病种入组率达到90%以上").
  public var groupingRateMin: Fixed
  /// 基金支出占比 ≥ this ("两年之内实现基金支出占比达到70%以上").
  public var fundShareMin: Fixed
  /// Institution coverage ≥ the value of the year ("2023年底前…40%以上", "2024年底前…覆盖所有").
  public var coverageMin: [String: Fixed]
  /// Where the targets come from: the params name, or the defaults of DOMAIN.md §8.
  public var source: String

  /// The defaults of DOMAIN.md §8 (seed 000).
  public static let defaults = ReportTargets(
    groupingRateMin: Fixed(raw: 9000, scale: 4), fundShareMin: Fixed(raw: 7000, scale: 4),
    coverageMin: ["2023": Fixed(raw: 4000, scale: 4), "2024": Fixed(raw: 10000, scale: 4)],
    source: "DOMAIN.md §8")

  /// Reads `[targets]` (every key optional, each a ratio 0…1 with at most 4 decimals); absent keys keep the
  /// defaults. Read by `mi-catalog import params` too, so a typo in the section is refused at import.
  public static func load(_ p: Params, name: String) throws(MIError) -> ReportTargets {
    var t = defaults
    let unit = Fixed(raw: 0, scale: 4)...Fixed(raw: 10000, scale: 4)
    var any = false
    if let v = try p.fixed("targets.grouping_rate_min", scale: 4, in: unit) {
      t.groupingRateMin = v
      any = true
    }
    if let v = try p.fixed("targets.fund_share_min", scale: 4, in: unit) {
      t.fundShareMin = v
      any = true
    }
    let years = try p.keys("targets.coverage_min")
    if !years.isEmpty {
      t.coverageMin = [:]
      any = true
      for y in years {
        guard y.count == 4, y.allSatisfy(\.isASCII), y.allSatisfy(\.isNumber) else {
          throw p.invalid("targets.coverage_min.\(y)", "expected a year yyyy as the key")
        }
        t.coverageMin[y] = try p.fixed("targets.coverage_min.\(y)", scale: 4, in: unit)
      }
    }
    if any { t.source = name }
    return t
  }
}
