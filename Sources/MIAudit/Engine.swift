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
  public var partitionBytes: Int64 = 64 << 20
  /// Fee rules only run on these rule indexes when set (mi-audit test runs one rule at a time).
  public var only: Set<Int>?
  /// How the rules that decide per person at the end keep their lines (`PersonSpill`).
  public var personSpill = PersonSpillSettings()

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

  /// Runs the audit and returns the findings in output order (rule, key, input order) and the summary; the
  /// findings are held in memory (rule examples, tests).
  public func run(
    cases: [AuditSource], fees: [AuditSource], previous: [AuditSource]? = nil
  ) throws -> (findings: [Finding], summary: AuditSummary) {
    let (stores, summary) = try audit(cases: cases, fees: fees, previous: previous, limit: Int.max)
    defer { for s in stores { s.remove() } }
    return (stores.flatMap { $0.sortedInMemory() }.sorted(by: Finding.ordered), summary)
  }

  /// Runs the audit and writes the findings to `out` in output order; beyond `findingsInMemory` findings they are
  /// sorted through temporary files, so memory does not grow with the findings.
  public func run(
    cases: [AuditSource], fees: [AuditSource], previous: [AuditSource]? = nil, output out: OutputFile
  ) throws -> AuditSummary {
    let (stores, summary) = try audit(cases: cases, fees: fees, previous: previous, limit: findingsInMemory)
    defer { for s in stores { s.remove() } }
    try FindingStore.write(stores, to: out)
    return summary
  }

  /// Findings kept in memory before they are spilled to sorted temporary files.
  public var findingsInMemory = 100_000

  /// The audit: case rules, then the fee pass (again, regrouped, when the lines are not grouped by visit).
  private func audit(
    cases: [AuditSource], fees: [AuditSource], previous: [AuditSource]?, limit: Int
  ) throws -> (stores: [FindingStore], summary: AuditSummary) {
    let rules = try buildRules()
    var summary = AuditSummary()
    let loop = RecordLoop(rejects: rejects)
    let table = try loadCases(cases, previous: previous, loop: loop, summary: &summary)
    let caseStore = FindingStore(limit: limit)
    var feeStore = FindingStore(limit: limit)
    var findings: [Finding] = []
    for case .cases(_, let rule) in rules {
      try rule.run(table, into: &findings)
      try caseStore.add(&findings)
    }
    let index = CaseIndex(table)
    var feeRules = rules.compactMap { r -> (any FeeRule)? in if case .fee(_, let f) = r { return f } else { return nil }
    }
    if !feeRules.isEmpty && !fees.isEmpty {
      let copy = try StdinCopy(fees)
      defer { copy.remove() }
      let sources = copy.sources(fees)
      prepare(feeRules, store: feeStore)
      let pass = FeePass(index: index, rules: feeRules, loop: loop, store: feeStore)
      if try pass.streamGrouped(sources) {
        summary.feeLines = pass.lines
        summary.linesWithoutCase = pass.withoutCase
      } else {
        // Not grouped by visit: fresh rules (their state saw partial visits), the findings of the first pass
        // dropped, the lines regrouped through temporary files.
        feeStore.discard()
        for case let r as any PersonStateRule in feeRules { for s in r.personSpills { s.discard() } }
        feeStore = FindingStore(limit: limit)
        let fresh = try buildRules()
        feeRules = fresh.compactMap { r -> (any FeeRule)? in if case .fee(_, let f) = r { return f } else { return nil }
        }
        prepare(feeRules, store: feeStore)
        let second = FeePass(index: index, rules: feeRules, loop: loop, store: feeStore)
        summary.partitions = try second.regrouped(sources, quietBefore: pass.position, partitionBytes: partitionBytes)
        summary.feeLines = second.lines
        summary.linesWithoutCase = second.withoutCase
      }
      for rule in feeRules {
        try rule.finish(into: &findings)
        try feeStore.add(&findings)
      }
    } else if !fees.isEmpty {
      // No fee rule: the lines are still read and checked.
      let pass = FeePass(index: index, rules: [], loop: loop, store: feeStore)
      let copy = try StdinCopy(fees)
      defer { copy.remove() }
      _ = try pass.streamGrouped(copy.sources(fees))
      summary.feeLines = pass.lines
      summary.linesWithoutCase = pass.withoutCase
    }
    summary.rejected = loop.rejected
    summary.findingsPerRule = ruleSet.enabled.filter { only?.contains($0.index) ?? true }.map {
      ($0.id, (caseStore.counts[$0.index] ?? 0) + (feeStore.counts[$0.index] ?? 0))
    }
    return ([caseStore, feeStore], summary)
  }

  /// Gives the person-state rules the spill settings, and the store that takes their findings after each
  /// partition (so that the findings of finish() do not pile up in memory either).
  private func prepare(_ rules: [any FeeRule], store: FindingStore) {
    for case let r as any PersonStateRule in rules {
      for s in r.personSpills {
        s.settings = personSpill
        s.drain = { try store.add(&$0) }
      }
    }
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
  private let bySetl: [String: Int]
  private var byMdtrt: [String: Int] = [:]

  /// The index of a case table (its setl_id index shared).
  init(_ table: CaseTable) {
    cases = table.cases
    bySetl = table.bySetlID
    for (i, c) in cases.enumerated() {
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
