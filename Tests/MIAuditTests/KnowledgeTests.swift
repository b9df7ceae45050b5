import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// The knowledge-point tables: kp-mini (real rows) and, when ../shared is present, the national tables, against
/// which the example rule set's examples must pass as well.
@Suite struct KnowledgeTests {
  @Test func miniTablesLoadIntoCodeIndexes() throws {
    let k = try Knowledge.read(directory: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini").path)
    #expect(k.sex["XL02BBA326A001010102180"]?.allowedSex == "1")
    #expect(k.age["003112020020000"]?.maxAgeDays == 28)
    #expect(k.mdtrt["ZA07AAA0061010100166"]?.emergency == true)
    #expect(k.level["XA10BJD332B002010178403"]?.firstPrescriptionOnly == true)
    #expect(k.course["XL01FDP138B002010181735"]?.spanFromFirstUse == true)
    #expect(k.duplicateBySub["001102000030000"]?.first?.mainCode == "001103000010000")
    #expect(k.frequency["002503020030000"]?.rolling == true)
    for t in KnowledgeTable.allCases { #expect((k.rows[t] ?? 0) >= 2 && (k.rows[t] ?? 0) <= 6, "\(t)") }
  }

  @Test func miniRowsAreRealRowsOfTheNationalTables() throws {
    guard let ref = TestSupport.referenceDir?.appendingPathComponent("audit") else {
      print(TestSupport.referenceSkipMessage)
      return
    }
    for t in KnowledgeTable.allCases {
      let mini = try String(
        contentsOf: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini/\(t.fileName)"), encoding: .utf8)
      let full = Set(
        try String(contentsOf: ref.appendingPathComponent(t.fileName), encoding: .utf8).split(separator: "\n"))
      for row in mini.split(separator: "\n") { #expect(full.contains(row), "\(t.fileName): \(row.prefix(40))") }
    }
  }

  @Test func examplesPassAgainstTheNationalTables() throws {
    guard let ref = TestSupport.referenceDir?.appendingPathComponent("audit") else {
      print(TestSupport.referenceSkipMessage)
      return
    }
    let k = try Knowledge.read(directory: ref.path)
    #expect(k.rows.values.reduce(0, +) == 15_618)
    let set = try RuleSetStore.file(TestSupport.examplesDir.appendingPathComponent("audit/rules.toml").path)
    let outcomes = try RuleTester.run(set, context: RuleContext(knowledge: k, settings: set.settings))
    #expect(outcomes.count > 40)
    for o in outcomes { #expect(o.passed, "\(o.line)") }
  }

  @Test func aChangedHeaderIsRefused() throws {
    var texts = try Knowledge.texts(directory: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini").path)
    texts[.frequency] = texts[.frequency]!.replacingOccurrences(of: "period_kind", with: "kind")
    #expect(throws: MIError.self) { try Knowledge(name: "x", texts: texts, origin: .file) }
  }
}
