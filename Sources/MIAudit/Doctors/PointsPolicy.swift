import MICore

/// The `[points]` section of a rule set: how confirmed findings become 医保支付资格记分 and when a doctor is
/// suspended or terminated (AUDIT.md §4). Every number is a parameter, so the national scheme (医保发〔2024〕23号:
/// suspension at ≥ 9, termination at 12) and seed 003's local one (suspension at ≥ 6) are two files, not two builds.
public struct PointsPolicy: Sendable, Equatable {
  /// `scheme`: a label written into every doctor record (`national`, `seed-003`).
  public var scheme: String
  /// `suspend_at`: the yearly points at which a doctor is suspended (national 9, seed 003 6).
  public var suspendAt: Int
  /// `suspend_cmp`: `>=` ("记分达到9分", the national text and seed 003's "6 分以上") or `>` (the 2023 draft's
  /// "超过").
  public var suspendInclusive: Bool
  /// `terminate_at`: the yearly points at which the qualification ends (national 12); nil when the scheme sets
  /// none (seed 003 states no number).
  public var terminateAt: Int?
  /// `suspend_months`: the length of a suspension, 1–6 months (national "暂停1至6个月").
  public var suspendMonths: Int
  /// `map`: the points of one confirmed finding of each rule (`rule_id` → 0–12; the national bands are 1–3, 4–6,
  /// 7–9 and 10–12). A confirmed finding of a rule that is not in the map gives no points and is counted.
  public var map: [String: Int]

  /// The keys of `[points]`; anything else is a typo and an error.
  static let keys: Set<String> = [
    "scheme", "period", "suspend_at", "suspend_cmp", "terminate_at", "suspend_months", "map",
  ]

  /// Creates a policy (tests).
  public init(
    scheme: String = "national", suspendAt: Int = 9, suspendInclusive: Bool = true, terminateAt: Int? = 12,
    suspendMonths: Int = 1, map: [String: Int]
  ) {
    (self.scheme, self.suspendAt, self.suspendInclusive) = (scheme, suspendAt, suspendInclusive)
    (self.terminateAt, self.suspendMonths, self.map) = (terminateAt, suspendMonths, map)
  }

  /// Reads `[points]` of a rule set's TOML; `ruleIDs`, when given, are the rule set's ids, and a map entry naming
  /// another id is an error (a typo would silently give no points). Errors name the file, line and key.
  public static func load(_ p: Params, ruleIDs: Set<String>? = nil) throws(MIError) -> PointsPolicy {
    guard p.has("points") else {
      throw p.invalid("points", "the rule set has no [points] section (doctor points need suspend_at and map)")
    }
    for k in try p.keys("points") where !keys.contains(k) {
      throw p.invalid("points.\(k)", "unknown key (known: \(keys.sorted().joined(separator: ", ")))")
    }
    _ = try p.choice("points.period", ["natural-year"], default: "natural-year")
    let scheme = try p.string("points.scheme") ?? "national"
    guard let suspendAt = try p.int("points.suspend_at") else {
      throw p.invalid("points.suspend_at", "missing (national 9, seed 003 6)")
    }
    guard suspendAt >= 1 else { throw p.invalid("points.suspend_at", "must be 1 or more, found \(suspendAt)") }
    let cmp = try p.choice("points.suspend_cmp", [">=", ">"], default: ">=")
    let terminateAt = try p.int("points.terminate_at")
    if let t = terminateAt, t <= suspendAt {
      throw p.invalid("points.terminate_at", "must be above suspend_at (\(suspendAt)), found \(t)")
    }
    let months = try p.int("points.suspend_months") ?? 1
    guard (1...6).contains(months) else {
      throw p.invalid("points.suspend_months", "must be 1 to 6 (暂停1至6个月), found \(months)")
    }
    var map: [String: Int] = [:]
    let ids = try p.keys("points.map")
    if ids.isEmpty { throw p.invalid("points.map", "missing or empty: which rules give how many points") }
    for id in ids {
      guard let v = try p.int("points.map.\(id)") else { continue }
      guard (0...12).contains(v) else { throw p.invalid("points.map.\(id)", "must be 0 to 12 points, found \(v)") }
      if let ruleIDs, !ruleIDs.contains(id) {
        throw p.invalid("points.map.\(id)", "no rule \(id) in the rule set")
      }
      map[id] = v
    }
    return PointsPolicy(
      scheme: scheme, suspendAt: suspendAt, suspendInclusive: cmp == ">=", terminateAt: terminateAt,
      suspendMonths: months, map: map)
  }

  /// Reads `[points]` of a rule set (its ids are the map's known ids); errors name the file (or version), the line
  /// and the key, exit status 2 for a file and 3 for a stored version.
  public static func load(_ ruleSet: RuleSet, origin: Params.Origin) throws(MIError) -> PointsPolicy {
    try load(Params(text: ruleSet.text, name: ruleSet.name, origin: origin), ruleIDs: Set(ruleSet.rules.map(\.id)))
  }

  /// Whether `points` in a year reach the suspension threshold.
  public func suspends(_ points: Int) -> Bool { suspendInclusive ? points >= suspendAt : points > suspendAt }

  /// Whether `points` in a year reach the termination threshold ("累计记满12分").
  public func terminates(_ points: Int) -> Bool { terminateAt.map { points >= $0 } ?? false }
}
