import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// The knowledge-point tables: kp-mini (hand-written rows on real codes) and, when ../shared is present, the national tables, against
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

  /// kp-mini's rows are hand-written (ids `mini:…`, their own texts), but each names a real code with the rule's
  /// real parameters: the national table has a row with the same values in every column but kp_id, source_text and
  /// note, so the examples of rules.toml fire the same way against either set.
  @Test func miniRowsAgreeWithTheNationalTablesOnCodesAndParameters() throws {
    guard let ref = TestSupport.referenceDir?.appendingPathComponent("audit") else {
      print(TestSupport.referenceSkipMessage)
      return
    }
    func key(_ line: Substring, _ header: [Substring]) -> String {
      zip(header, line.split(separator: "\t", omittingEmptySubsequences: false))
        .filter { !["kp_id", "source_text", "note"].contains($0.0) }.map { String($0.1) }.joined(separator: "\t")
    }
    for t in KnowledgeTable.allCases {
      let mini = try String(
        contentsOf: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini/\(t.fileName)"), encoding: .utf8
      ).split(separator: "\n")
      let full = try String(contentsOf: ref.appendingPathComponent(t.fileName), encoding: .utf8).split(separator: "\n")
      let header = full[0].split(separator: "\t", omittingEmptySubsequences: false)
      #expect(mini[0] == full[0], "\(t.fileName): header")
      let national = Set(full.dropFirst().map { key($0, header) })
      for row in mini.dropFirst() {
        #expect(row.hasPrefix("mini:"), "\(t.fileName): \(row.prefix(40))")
        #expect(national.contains(key(row, header)), "\(t.fileName): \(row.prefix(40))")
      }
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
