import MICore

/// One 特例单议 candidate (DOMAIN.md §2.4), as `mi-score special` lists it: keys and amounts, never personal data.
public struct SpecialCandidate: Sendable, Equatable {
  /// `setl_id`.
  public var setlID: String
  /// DIP or DRG (from `score_rule`).
  public var scheme: Scheme
  /// `fixmedins_code`.
  public var hospital: String
  /// `group_code`.
  public var groupCode: String
  /// `medfee_sumamt` in fen.
  public var costFen: Int64
  /// `benchmark_amt` in fen.
  public var benchmarkFen: Int64
  /// `cost_ratio`, scale 4: the ranking key.
  public var costRatio: Int64
  /// `points`, scale 4.
  public var points: Int64

  /// Creates a candidate.
  public init(
    setlID: String, scheme: Scheme, hospital: String, groupCode: String, costFen: Int64, benchmarkFen: Int64,
    costRatio: Int64, points: Int64
  ) {
    self.setlID = setlID
    self.scheme = scheme
    self.hospital = hospital
    self.groupCode = groupCode
    self.costFen = costFen
    self.benchmarkFen = benchmarkFen
    self.costRatio = costRatio
    self.points = points
  }
}

/// Collects the pool's scored cases and ranks the 特例单议 candidates within the quota (DOMAIN.md §2.4: DIP ≤ 5‰
/// of the pool's DIP discharges, DRG ≤ 5% of DRG discharges).
///
/// Memory is proportional to the candidates, not the cases: other cases are only counted.
public struct SpecialReview: Sendable {
  /// Discharges (scored cases) per scheme.
  public private(set) var discharges: [Scheme: Int] = [:]
  /// Candidates seen.
  public private(set) var candidates: [SpecialCandidate] = []

  /// Creates an empty review.
  public init() {}

  /// Counts a discharge of `scheme`.
  public mutating func count(_ scheme: Scheme) { discharges[scheme, default: 0] += 1 }

  /// Adds a candidate (its discharge is counted separately with `count`).
  public mutating func add(_ c: SpecialCandidate) { candidates.append(c) }

  /// The quota of a scheme: ⌊discharges × share⌋ ("≤ 5‰": never rounded up).
  public func quota(_ scheme: Scheme, share: Fixed) -> Int {
    let n = Int64(discharges[scheme] ?? 0)
    return Int(n * share.raw / Fixed.pow10(share.scale))
  }

  /// Candidates of each scheme ranked by cost ratio, highest first (ties by setl_id), each with its rank and
  /// whether it falls within the quota. DIP before DRG.
  public func ranked(shares: [Scheme: Fixed]) -> [(candidate: SpecialCandidate, rank: Int, withinQuota: Bool)] {
    var out: [(SpecialCandidate, Int, Bool)] = []
    for scheme in [Scheme.dip, .drg] {
      let quota = quota(scheme, share: shares[scheme] ?? Fixed(raw: 0, scale: 4))
      let list = candidates.filter { $0.scheme == scheme }.sorted {
        $0.costRatio != $1.costRatio ? $0.costRatio > $1.costRatio : $0.setlID < $1.setlID
      }
      for (i, c) in list.enumerated() { out.append((c, i + 1, i < quota)) }
    }
    return out
  }
}

extension SpecialReview {
  /// The scheme of a scored case, from the prefix of its `score_rule` (`dip:…`, `drg:…`).
  public static func scheme(of s: RecordScanner) throws(FieldError) -> Scheme {
    guard let rule = try s.string("score_rule") else {
      throw FieldError("score_rule", "missing: score the cases with mi-score first")
    }
    if rule.hasPrefix("dip:") { return .dip }
    if rule.hasPrefix("drg:") { return .drg }
    throw FieldError("score_rule", "expected a rule starting dip: or drg:, found \"\(rule)\"")
  }

  /// The candidate in a scored case, or nil when it is not one.
  public static func candidate(_ s: RecordScanner) throws(FieldError) -> SpecialCandidate? {
    guard try s.bool("special_candidate") == true else { return nil }
    func need<T>(_ v: T?, _ field: String) throws(FieldError) -> T {
      guard let v else { throw FieldError(field, "missing in a special candidate") }
      return v
    }
    return SpecialCandidate(
      setlID: try need(try s.code("setl_id"), "setl_id"), scheme: try scheme(of: s),
      hospital: try need(try s.code("fixmedins_code"), "fixmedins_code"),
      groupCode: try need(try s.code("group_code"), "group_code"),
      costFen: try need(try s.fen("medfee_sumamt"), "medfee_sumamt"),
      benchmarkFen: try need(try s.fen("benchmark_amt"), "benchmark_amt"),
      costRatio: try need(try s.fixed("cost_ratio", scale: 4), "cost_ratio"),
      points: try need(try s.fixed("points", scale: 4), "points"))
  }

  /// Writes one review record (`kind: "special-candidate"`), keys and amounts only.
  public static func write(
    _ c: SpecialCandidate, rank: Int, withinQuota: Bool, _ w: inout JSONWriter, into out: inout [UInt8]
  ) {
    w.begin(&out)
    w.string("kind", "special-candidate", &out)
    w.string("scheme", c.scheme.rawValue, &out)
    w.int("rank", Int64(rank), &out)
    w.bool("within_quota", withinQuota, &out)
    w.string("setl_id", c.setlID, &out)
    w.string("fixmedins_code", c.hospital, &out)
    w.string("group_code", c.groupCode, &out)
    w.fen("medfee_sumamt", c.costFen, &out)
    w.fen("benchmark_amt", c.benchmarkFen, &out)
    w.fixed("cost_ratio", c.costRatio, scale: 4, &out)
    w.fixed("points", c.points, scale: 4, &out)
    w.end(&out)
  }
}
