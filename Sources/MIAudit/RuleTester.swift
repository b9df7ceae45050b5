import MICore

/// Runs the examples of a rule set (`mi-audit test`, `mi-catalog import audit-rules`): each enabled rule alone on
/// each of its examples, compared with the count of findings (and the total amount) the example expects. The
/// examples are the rules' documentation and their test (issue 14 item 1), so every enabled rule must have at
/// least one example that fires and one that does not.
public enum RuleTester {
  /// The result of one example (or of a rule without the examples it needs).
  public struct Outcome: Sendable {
    public var ruleID: String
    /// 1-based example number; 0 for a rule-level problem.
    public var example: Int
    public var note: String
    public var passed: Bool
    /// What was found, or what is wrong.
    public var message: String

    /// `ok   A01 #1 note: 1 finding, 12.00` or `FAIL …`.
    public var line: String {
      let at = example > 0 ? " #\(example)" : ""
      let n = note.isEmpty ? "" : " \(note)"
      return "\(passed ? "ok  " : "FAIL") \(ruleID)\(at)\(n): \(message)"
    }
  }

  /// Whether a rule type reads the knowledge points.
  public static func needsKnowledge(_ type: String) -> Bool { type.hasPrefix("kp-") }

  /// Runs the examples of every enabled rule (or of the rules whose ids are in `only`).
  public static func run(_ ruleSet: RuleSet, context: RuleContext, only: Set<String>? = nil) throws -> [Outcome] {
    var out: [Outcome] = []
    for spec in ruleSet.enabled where only?.contains(spec.id) ?? true {
      if spec.examples.isEmpty {
        out.append(Outcome(ruleID: spec.id, example: 0, note: "", passed: false, message: "the rule has no example"))
        continue
      }
      if !spec.examples.contains(where: { $0.expect > 0 }) || !spec.examples.contains(where: { $0.expect == 0 }) {
        out.append(
          Outcome(
            ruleID: spec.id, example: 0, note: "", passed: false,
            message: "the rule needs an example that fires (expect ≥ 1) and one that does not (expect = 0)"))
      }
      for (i, ex) in spec.examples.enumerated() {
        out.append(try run(spec, ex, number: i + 1, ruleSet: ruleSet, context: context))
      }
    }
    return out
  }

  /// Runs one example of one rule.
  static func run(_ spec: RuleSpec, _ ex: RuleExample, number: Int, ruleSet: RuleSet, context: RuleContext) throws
    -> Outcome
  {
    let engine = AuditEngine(ruleSet: ruleSet, context: context)
    engine.only = [spec.index]
    let name = "\(ruleSet.name):\(ex.line): rule \(spec.id) example \(number)"
    let findings: [Finding]
    do {
      findings = try engine.run(
        cases: ex.cases.isEmpty ? [] : [.text(name: "\(name) cases", ex.cases)],
        fees: ex.fees.isEmpty ? [] : [.text(name: "\(name) fees", ex.fees)],
        previous: ex.previous.isEmpty ? nil : [.text(name: "\(name) previous", ex.previous)]
      ).findings
    } catch let e as MIError {
      if case .data = e {
        return Outcome(ruleID: spec.id, example: number, note: ex.note, passed: false, message: e.message)
      }
      throw e
    }
    let mine = findings.filter { $0.ruleIndex == spec.index }
    let amount = mine.reduce(Int64(0)) { $0 + $1.volaAmt }
    let found = "\(mine.count) finding\(mine.count == 1 ? "" : "s"), \(Money.format(amount))"
    var problems: [String] = []
    if mine.count != ex.expect { problems.append("expected \(ex.expect) finding\(ex.expect == 1 ? "" : "s")") }
    if let want = ex.volaAmt, want != amount { problems.append("expected vola_amt \(Money.format(want))") }
    for f in mine where f.detail.reduce(Int64(0), { $0 + $1.volaAmt }) != f.volaAmt && !f.detail.isEmpty {
      problems.append("detail of \(f.key) does not sum to vola_amt")
    }
    let message = problems.isEmpty ? found : "\(problems.joined(separator: ", ")), found \(found)"
    return Outcome(ruleID: spec.id, example: number, note: ex.note, passed: problems.isEmpty, message: message)
  }
}
