import MICore

/// `mi-audit summary --as-adjustments --period P`: the findings of the period as mi-clear's adjustments, one
/// `deduction` (审核扣款) per institution and pool, so that audit feeds clearing by a pipe (issue 14 item 6;
/// mi-clear(1), ADJUSTMENTS).
///
/// Only findings certain enough to take money are deducted: 明确违规 (AUDIT.md §2.3: list-exact rules), and the
/// 可疑 ones too with `includeSuspect` (after review); a finding with no amount (`amt_mode` none, indicator and
/// review-list rules) deducts nothing. The pool is the findings' `insutype` when they carry it (mi-clear's pool),
/// else left out (mi-clear then takes the institution's pool with the most points). Memory follows institutions
/// and rules.
public struct AdjustmentSummary {
  /// The period (`YYYY` or `YYYY-MM`) written into every adjustment; findings whose `occur_date` is outside it are
  /// left out (counted).
  public let period: String
  /// Whether 可疑 findings are deducted too.
  public let includeSuspect: Bool
  /// The institutions cleared (`--hospitals`: a registry version), or nil for all: a finding of another
  /// institution (a dedicated centre, a pharmacy, another pool's hospital) is counted, not deducted here.
  public var institutions: Set<String>?
  /// What happened to the findings read, for the summary line: nothing is dropped silently.
  public private(set) var counts = Counts()
  /// Per (institution, pool): per rule, the findings and their amount.
  private var lines: [Key: [String: (count: Int, amount: Int64)]] = [:]
  /// The first `rule_name` read for each rule.
  private var ruleNames: [String: String] = [:]

  /// The fates of the findings read.
  public struct Counts: Sendable, Equatable {
    /// Findings deducted, and their total in fen.
    public var deducted = 0, deductedAmt: Int64 = 0
    /// 可疑 findings left out (no `--include-suspect`).
    public var suspect = 0
    /// Findings outside the period, or without `occur_date`.
    public var outside = 0
    /// Findings with no amount (`vola_amt` 0).
    public var noAmount = 0
    /// Findings with an amount but no `fixmedins_code`: nobody to deduct from.
    public var withoutInstitution = 0
    /// Findings of institutions outside `institutions`, and their total in fen.
    public var outsideRegistry = 0, outsideRegistryAmt: Int64 = 0
  }

  /// An adjustment line's institution and pool (nil: none named).
  private struct Key: Hashable, Comparable {
    /// `fixmedins_code`.
    var code: String
    /// The pool (`insutype`), nil when the findings carry none.
    var pool: String?
    /// By institution, then pool, no pool first.
    static func < (a: Key, b: Key) -> Bool {
      (a.code, a.pool == nil ? 0 : 1, a.pool ?? "") < (b.code, b.pool == nil ? 0 : 1, b.pool ?? "")
    }
  }

  /// Starts an empty period; `period` must be `YYYY` or `YYYY-MM` (the command checks it).
  public init(period: String, includeSuspect: Bool) {
    self.period = period
    self.includeSuspect = includeSuspect
  }

  /// Takes one finding.
  public mutating func add(_ f: FindingRecord) {
    guard let date = f.occurDate, date.hasPrefix(period + "-") else {
      counts.outside += 1
      return
    }
    if f.sevDeg != FindingRecord.explicit && !includeSuspect {
      counts.suspect += 1
      return
    }
    guard f.volaAmt > 0 else {
      counts.noAmount += 1
      return
    }
    guard let code = f.fixmedinsCode else {
      counts.withoutInstitution += 1
      return
    }
    if let institutions, !institutions.contains(code) {
      counts.outsideRegistry += 1
      counts.outsideRegistryAmt += f.volaAmt
      return
    }
    counts.deducted += 1
    counts.deductedAmt += f.volaAmt
    let k = Key(code: code, pool: f.insutype)
    var perRule = lines[k, default: [:]]
    let was = perRule[f.ruleID] ?? (0, 0)
    perRule[f.ruleID] = (was.count + 1, was.amount + f.volaAmt)
    lines[k] = perRule
    if ruleNames[f.ruleID] == nil, let n = f.ruleName { ruleNames[f.ruleID] = n }
  }

  /// Writes the adjustments (fixmedins_code, pool, period, adj_type "deduction", adj_amt, reason) by institution
  /// then pool; returns how many. The reason names each rule with its findings and amount, by rule id
  /// (`审核扣款 mi-audit: B01 超标准收费 2 条 30.00; C01 限定频次 1 条 12.50`), and the lines' amounts sum to the
  /// deducted total to the fen.
  public func write(into out: inout [UInt8]) -> Int {
    for k in lines.keys.sorted() {
      let perRule = lines[k]!
      var total: Int64 = 0
      var parts: [String] = []
      for rule in perRule.keys.sorted() {
        let r = perRule[rule]!
        total += r.amount
        let name = ruleNames[rule].map { " \($0)" } ?? ""
        parts.append("\(rule)\(name) \(r.count) 条 \(Money.format(r.amount))")
      }
      var w = JSONWriter()
      w.begin(&out)
      w.string("fixmedins_code", k.code, &out)
      w.stringUnlessNil("pool", k.pool, &out)
      w.string("period", period, &out)
      w.string("adj_type", "deduction", &out)
      w.fen("adj_amt", total, &out)
      w.string("reason", "审核扣款 mi-audit: " + parts.joined(separator: "; "), &out)
      w.end(&out)
    }
    return lines.count
  }

  /// The parts of the summary line.
  public var summaryParts: [String] {
    var p = ["deducted \(counts.deducted) (\(Money.format(counts.deductedAmt)))"]
    p.append("suspect left out \(counts.suspect)")
    p.append("outside the period \(counts.outside)")
    p.append("no amount \(counts.noAmount)")
    if counts.withoutInstitution > 0 { p.append("without fixmedins_code \(counts.withoutInstitution)") }
    if institutions != nil {
      p.append("outside the registry \(counts.outsideRegistry) (\(Money.format(counts.outsideRegistryAmt)))")
    }
    return p
  }
}
