/// A fee rule that only looks at lines of some codes (its knowledge points or its parameter list): the engine
/// finds each line's interested rules with one lookup of its code in a table of all the watched codes, and hands
/// a visit only to the rules one of its lines interests. The other rules (price caps, stay dates) see every visit.
protocol CodeFilteredFeeRule: FeeRule {
  /// The `med_list_codg` values the rule reads; a visit without any of them cannot make it fire.
  var watchedCodes: Set<String> { get }
}

extension KpSexRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension KpAgeRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension KpInsutypeRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension KpMdtrtRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension KpLevelRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension DuplicateRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(pairs.keys).union(mains) } }
extension DiscountRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension DayFrequencyRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(limits.keys) } }
extension RollingFrequencyRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension CourseRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { Set(points.keys) } }
extension RegisteredCareRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { listed } }
extension DesignatedSiteRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { codes } }
extension DialysisRule: CodeFilteredFeeRule { var watchedCodes: Set<String> { codes } }

/// The rules of a fee pass with the table of watched codes.
struct FeeRuleDispatch {
  let rules: [any FeeRule]
  /// code → the indexes of the filtered rules that watch it.
  private let watch: [String: [Int]]
  /// Whether rule i sees every visit.
  private let always: [Bool]
  private var hit: [Bool]

  init(_ rules: [any FeeRule]) {
    self.rules = rules
    var w: [String: [Int]] = [:]
    var a: [Bool] = []
    for (i, r) in rules.enumerated() {
      if let f = r as? any CodeFilteredFeeRule {
        for c in f.watchedCodes { w[c, default: []].append(i) }
        a.append(false)
      } else {
        a.append(true)
      }
    }
    watch = w
    always = a
    hit = a
  }

  /// Hands one visit to the rules it interests.
  mutating func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    var any = false
    for l in lines {
      if let rs = watch[l.medListCodg] {
        for i in rs { hit[i] = true }
        any = true
      }
    }
    for i in rules.indices where hit[i] {
      try rules[i].visit(lines, case: c, into: &findings)
    }
    if any { for i in hit.indices { hit[i] = always[i] } }
  }
}
