import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// The engine: every visit's lines reach a rule together exactly once, whatever the input order, and the
/// findings do not depend on that order (AUDIT.md §2.2 invariants).
@Suite struct EngineTests {
  /// A rule that records the visits it is handed.
  final class Recorder: FeeRule {
    var visits: [[String]] = []
    func visit(_ lines: ArraySlice<FeeLine>, case: AuditCase?, into findings: inout [Finding]) throws {
      visits.append(lines.map(\.feedetlSN))
    }
    func finish(into findings: inout [Finding]) throws {}
  }

  static func fees(_ order: [Int]) -> String {
    order.map { i in
      "{\"feedetl_sn\":\"F\(i)\",\"setl_id\":\"S\(i % 3)\",\"med_list_codg\":\"001102000050000\",\"cnt\":1,\"pric\":12.00,"
        + "\"pric_uplmt_amt\":10.00,\"fee_ocur_time\":\"2024-03-0\(1 + i % 5) 10:00:00\"}"
    }.joined(separator: "\n")
  }

  static func pass(_ text: String, partitionBytes: Int64) throws -> [[String]] {
    let r = Recorder()
    let pass = FeePass(
      index: CaseIndex(CaseTable(cases: [])), rules: [r], loop: RecordLoop(rejects: nil),
      store: FindingStore(limit: .max))
    if try !pass.streamGrouped([.text(name: "t", text)]) {
      let again = Recorder()
      let second = FeePass(
        index: CaseIndex(CaseTable(cases: [])), rules: [again], loop: RecordLoop(rejects: nil),
        store: FindingStore(limit: .max))
      _ = try second.regrouped([.text(name: "t", text)], quietBefore: 0, partitionBytes: partitionBytes)
      return again.visits
    }
    return r.visits
  }

  @Test func groupedInputIsHandedOnAtEachKeyChange() throws {
    let visits = try EngineTests.pass(EngineTests.fees([0, 3, 6, 1, 4, 2]), partitionBytes: 1 << 20)
    #expect(visits == [["F0", "F3", "F6"], ["F1", "F4"], ["F2"]])
  }

  @Test func ungroupedInputIsRegroupedEachVisitOnceInInputOrder() throws {
    // Partitions of ~200 bytes: several temporary files.
    let visits = try EngineTests.pass(EngineTests.fees(Array(0..<12)), partitionBytes: 200)
    #expect(visits.count == 3)
    #expect(
      Set(visits.map { $0.sorted() })
        == Set([[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8, 11]].map { $0.map { "F\($0)" }.sorted() }))
    for v in visits { #expect(v == v.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! }) }
  }

  @Test func findingsDoNotDependOnInputOrder() throws {
    let set = try RuleSet(
      text: try String(contentsOf: TestSupport.examplesDir.appendingPathComponent("audit/rules.toml"), encoding: .utf8),
      name: "rules.toml", baseDirectory: TestSupport.examplesDir.appendingPathComponent("audit").path)
    let kp = try Knowledge.read(directory: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini").path)
    func run(_ order: [Int]) throws -> [UInt8] {
      let engine = AuditEngine(ruleSet: set, context: RuleContext(knowledge: kp, settings: set.settings))
      var out: [UInt8] = []
      for f in try engine.run(cases: [], fees: [.text(name: "f", EngineTests.fees(order))]).findings {
        FindingWriter.append(f, to: &out)
      }
      return out
    }
    let forward = try run(Array(0..<15))
    #expect(!forward.isEmpty)
    #expect(try run(Array((0..<15).reversed())) == forward)
    #expect(try run([7, 0, 14, 3, 9, 1, 12, 5, 10, 2, 6, 13, 4, 11, 8]) == forward)
  }

  @Test func findingsSpilledToSortedRunsMergeToTheSameBytes() throws {
    let set = try RuleSetStore.file(TestSupport.examplesDir.appendingPathComponent("audit/rules.toml").path)
    let kp = try Knowledge.read(directory: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini").path)
    let fees = EngineTests.fees([7, 0, 14, 3, 9, 1, 12, 5, 10, 2, 6, 13, 4, 11, 8])
    let engine = AuditEngine(ruleSet: set, context: RuleContext(knowledge: kp, settings: set.settings))
    var memory: [UInt8] = []
    for f in try engine.run(cases: [], fees: [.text(name: "f", fees)]).findings { FindingWriter.append(f, to: &memory) }
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("out.ndjson").path
    engine.findingsInMemory = 2
    let out = try OutputFile(path: path)
    let summary = try engine.run(cases: [], fees: [.text(name: "f", fees)], output: out)
    try out.finish()
    #expect(summary.findingsPerRule.reduce(0) { $0 + $1.count } > 4)
    #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == memory)
  }

  @Test func everyDetailSumsToItsFinding() throws {
    let set = try RuleSet(
      text: try String(contentsOf: TestSupport.examplesDir.appendingPathComponent("audit/rules.toml"), encoding: .utf8),
      name: "rules.toml", baseDirectory: TestSupport.examplesDir.appendingPathComponent("audit").path)
    let kp = try Knowledge.read(directory: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini").path)
    var checked = 0
    for spec in set.enabled {
      for ex in spec.examples where ex.expect > 0 {
        let engine = AuditEngine(ruleSet: set, context: RuleContext(knowledge: kp, settings: set.settings))
        engine.only = [spec.index]
        let found = try engine.run(
          cases: ex.cases.isEmpty ? [] : [.text(name: "c", ex.cases)],
          fees: ex.fees.isEmpty ? [] : [.text(name: "f", ex.fees)]
        ).findings
        // Case rules charge a whole case's fund amount: no fee lines, so no detail to add up.
        for f in found where f.amtMode != .none && CaseRuleTypes.all[spec.type] == nil {
          #expect(f.detail.reduce(Int64(0)) { $0 + $1.volaAmt } == f.volaAmt, "\(spec.id) \(f.key)")
          #expect(f.feedetlSN == f.detail.first?.feedetlSN, "\(spec.id): feedetl_sn is the first detail line")
          checked += 1
        }
      }
    }
    #expect(checked > 20)
  }
}
