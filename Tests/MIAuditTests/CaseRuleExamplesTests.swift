import Foundation
import MICore
import Testing

@testable import MIAudit

/// Every example of the case, person and provider rules in the example rule set runs through the engine with its
/// rule alone and gives the findings and the amount it states (SwiftLint's rule examples: documentation that is
/// also a test).
@Suite struct CaseRuleExamplesTests {
  /// The example rule set holding the case rules.
  static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/audit/rules.toml").path

  /// The enabled rules whose type is a case rule type.
  static func caseRules() throws -> (RuleSet, [RuleSpec]) {
    let set = try RuleSetStore.file(file)
    return (set, set.enabled.filter { CaseRuleTypes.all[$0.type] != nil })
  }

  /// Each case rule fires in at least one example and stays silent in at least one (audit-spec rule catalogue).
  @Test func everyRuleHasFiringAndQuietExamples() throws {
    let (_, rules) = try Self.caseRules()
    #expect(rules.count >= 19)
    for r in rules {
      #expect(r.examples.contains { $0.expect > 0 }, "rule \(r.id) has no firing example")
      #expect(r.examples.contains { $0.expect == 0 }, "rule \(r.id) has no quiet example")
    }
  }

  /// Each example gives its expected count and total amount.
  @Test func examplesHold() throws {
    let (set, rules) = try Self.caseRules()
    for r in rules {
      for ex in r.examples {
        let engine = AuditEngine(ruleSet: set, context: RuleContext(knowledge: nil, settings: set.settings))
        engine.only = [r.index]
        let previous = ex.previous.isEmpty ? nil : [AuditSource.text(name: "previous", ex.previous)]
        let (findings, _) = try engine.run(
          cases: [.text(name: "cases", ex.cases)], fees: [], previous: previous)
        let mine = findings.filter { $0.ruleIndex == r.index }
        #expect(mine.count == ex.expect, "rule \(r.id), example \"\(ex.note)\" (line \(ex.line))")
        if let amt = ex.volaAmt {
          #expect(mine.reduce(0) { $0 + $1.volaAmt } == amt, "rule \(r.id), example \"\(ex.note)\"")
        }
      }
    }
  }

  /// Input order does not change what is found (AUDIT.md §2.2 invariant): every example's cases and previous
  /// cases, reversed, give the same findings, amounts and texts.
  @Test func examplesDoNotDependOnInputOrder() throws {
    let (set, rules) = try Self.caseRules()
    func reversed(_ text: String) -> String {
      text.split(separator: "\n").reversed().joined(separator: "\n") + "\n"
    }
    func findings(_ r: RuleSpec, _ cases: String, _ previous: String) throws -> [String] {
      let engine = AuditEngine(ruleSet: set, context: RuleContext(knowledge: nil, settings: set.settings))
      engine.only = [r.index]
      let prev = previous.isEmpty ? nil : [AuditSource.text(name: "previous", previous)]
      return try engine.run(cases: [.text(name: "cases", cases)], fees: [], previous: prev).findings.map {
        "\($0.key) \($0.volaAmt) \($0.metric ?? "") \($0.occurDate ?? "") \($0.volaCont)"
      }
    }
    for r in rules {
      for ex in r.examples where ex.expect > 0 {
        let forward = try findings(r, ex.cases, ex.previous)
        let backward = try findings(r, reversed(ex.cases), ex.previous.isEmpty ? "" : reversed(ex.previous))
        #expect(forward == backward, "rule \(r.id), example \"\(ex.note)\"")
      }
    }
  }
}
