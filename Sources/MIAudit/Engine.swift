import Foundation
import MICore

/// What a run read and found, for the summary line on standard error.
public struct AuditSummary: Sendable {
  public var cases = 0
  public var previousCases = 0
  public var feeLines = 0
  /// Fee lines whose visit has no case among --cases.
  public var linesWithoutCase = 0
  public var rejected = 0
  /// Findings per rule id, in rule-set order.
  public var findingsPerRule: [(id: String, count: Int)] = []
  /// The fee lines were not grouped by visit and went through this many temporary partitions (0: grouped).
  public var partitions = 0

  /// The summary line: `cases 3, fee lines 12 (without a case 1), findings 4 (A01 1, B01 3), rejected 0`.
  public var line: String {
    let total = findingsPerRule.reduce(0) { $0 + $1.count }
    let per = findingsPerRule.filter { $0.count > 0 }.map { "\($0.id) \($0.count)" }.joined(separator: ", ")
    var t = "cases \(cases)"
    if previousCases > 0 { t += ", previous cases \(previousCases)" }
    t += ", fee lines \(feeLines) (without a case \(linesWithoutCase)), findings \(total)"
    if !per.isEmpty { t += " (\(per))" }
    t += ", rejected \(rejected)"
    if partitions > 0 {
      t +=
        "; fee lines were not grouped by visit: regrouped through \(partitions) temporary file\(partitions == 1 ? "" : "s")"
    }
    return t
  }
}

/// The audit engine (audit-spec "Engine"): loads the cases (memory ∝ cases), runs the case rules, then streams
/// the fee lines visit by visit through the fee rules, and returns the findings in output order.
///
/// Fee lines usually arrive grouped by visit (setl_id, else mdtrt_id): each group is handed on at the key change.
/// A visit key that comes back after its group was handed on means the input is not grouped; the fee pass then
/// starts again with fresh rules, spooling the lines into temporary files partitioned by a hash of the visit key,
/// and hands each partition's visits on from memory (memory ∝ one partition, not the input).
public final class AuditEngine {
  public let ruleSet: RuleSet
  public let context: RuleContext
  /// Where bad records go (--rejects); nil stops the run at the first.
  public var rejects: RejectSink?
  /// Bytes of fee lines per temporary partition when regrouping.
  public var partitionBytes: Int64 = 256 << 20
  /// Fee rules only run on these rule indexes when set (mi-audit test runs one rule at a time).
  public var only: Set<Int>?

  /// An engine for a rule set and its context.
  public init(ruleSet: RuleSet, context: RuleContext) {
    self.ruleSet = ruleSet
    self.context = context
  }

  /// Builds the enabled rules (or those of `only`).
  func buildRules() throws -> [BuiltRule] {
    var out: [BuiltRule] = []
    for spec in ruleSet.enabled where only?.contains(spec.index) ?? true {
      out.append(try Registry.build(spec, context))
    }
    return out
  }

  /// Runs the audit: the findings in output order (rule, key, input order) and the summary.
  public func run(
    cases: [AuditSource], fees: [AuditSource], previous: [AuditSource]? = nil
  ) throws -> (findings: [Finding], summary: AuditSummary) {
    let rules = try buildRules()
    var summary = AuditSummary()
    let loop = RecordLoop(rejects: rejects)
    let table = try loadCases(cases, previous: previous, loop: loop, summary: &summary)
    var findings: [Finding] = []
    for case .cases(_, let rule) in rules { try rule.run(table, into: &findings) }
    let caseFindings = findings.count
    let index = CaseIndex(table.cases)
    var feeRules = rules.compactMap { r -> (any FeeRule)? in if case .fee(_, let f) = r { return f } else { return nil }
    }
    if !feeRules.isEmpty || !fees.isEmpty {
      let copy = try StdinCopy(fees)
      defer { copy.remove() }
      let sources = copy.sources(fees)
      let pass = FeePass(index: index, rules: feeRules, loop: loop)
      let grouped = try pass.streamGrouped(sources)
      if grouped {
        summary.feeLines = pass.lines
        summary.linesWithoutCase = pass.withoutCase
        findings += pass.findings
      } else {
        // Not grouped by visit: fresh rules (their state saw partial visits), the findings of the first pass
        // dropped, the lines regrouped through temporary files.
        findings.removeSubrange(caseFindings...)
        let fresh = try buildRules()
        feeRules = fresh.compactMap { r -> (any FeeRule)? in if case .fee(_, let f) = r { return f } else { return nil }
        }
        let second = FeePass(index: index, rules: feeRules, loop: loop)
        summary.partitions = try second.regrouped(sources, quietBefore: pass.position, partitionBytes: partitionBytes)
        summary.feeLines = second.lines
        summary.linesWithoutCase = second.withoutCase
        findings += second.findings
      }
      for rule in feeRules { try rule.finish(into: &findings) }
    }
    findings.sort(by: Finding.ordered)
    summary.rejected = loop.rejected
    var counts = [Int](repeating: 0, count: ruleSet.rules.count)
    for f in findings where f.ruleIndex < counts.count { counts[f.ruleIndex] += 1 }
    summary.findingsPerRule = ruleSet.enabled.filter { only?.contains($0.index) ?? true }.map {
      ($0.id, counts[$0.index])
    }
    return (findings, summary)
  }

  /// Reads --cases and --previous.
  private func loadCases(
    _ cases: [AuditSource], previous: [AuditSource]?, loop: RecordLoop, summary: inout AuditSummary
  ) throws -> CaseTable {
    let reader = CaseReader(settings: ruleSet.settings, hospitals: context.hospitals)
    var list: [AuditCase] = []
    try loop.run(cases) { s, _, _ in
      list.append(try reader.read(s, seq: list.count))
      return true
    }
    summary.cases = list.count
    var prev: [AuditCase]? = nil
    if let previous {
      var p: [AuditCase] = []
      try loop.run(previous) { s, _, _ in
        p.append(try reader.read(s, seq: p.count))
        return true
      }
      summary.previousCases = p.count
      prev = p
    }
    return CaseTable(cases: list, previous: prev)
  }
}

/// The cases by setl_id and by mdtrt_id, for finding a fee line's case.
struct CaseIndex {
  let cases: [AuditCase]
  private var bySetl: [String: Int] = [:]
  private var byMdtrt: [String: Int] = [:]

  init(_ cases: [AuditCase]) {
    self.cases = cases
    bySetl.reserveCapacity(cases.count)
    for (i, c) in cases.enumerated() {
      if bySetl[c.setlID] == nil { bySetl[c.setlID] = i }
      if let m = c.mdtrtID, byMdtrt[m] == nil { byMdtrt[m] = i }
    }
  }

  /// The case of a visit: by setl_id, else by mdtrt_id.
  func find(setlID: String?, mdtrtID: String?) -> AuditCase? {
    if let s = setlID, let i = bySetl[s] { return cases[i] }
    if let m = mdtrtID, let i = byMdtrt[m] { return cases[i] }
    return nil
  }
}
