import Foundation
import MITestSupport
import Testing

/// Recall and precision of `mi-audit run` on a month of generated data with planted violations (issue 14 item 7,
/// "Done when"): `mi-gen fees --inject` writes the fee lines, the cases, the previous period and a manifest of
/// every finding the plants must give; the audit with examples/audit/rules.toml must find exactly those, per rule.
///
/// The knowledge points are the real reference set (../shared/reference/audit) when present, else
/// examples/audit/kp-mini; a rule the generator cannot plant from them is named and left out of the check (and
/// must then give no finding at all).
@Suite struct AuditInjectionTests {
  /// One rule's row of the table.
  struct Row {
    var planted = 0
    var found = 0
    var truePositives = 0
  }

  @Test func recallAndPrecisionPerRule() throws {
    guard TestSupport.tools.contains("mi-audit"), TestSupport.toolsBuilt("mi-gen", "mi-audit") else {
      print("skipped: mi-audit is not built")
      return
    }
    let work = try TestSupport.tempDir("mi-audit-inject")
    defer { try? FileManager.default.removeItem(at: work) }
    let examples = TestSupport.examplesDir.path
    let kpDir = TestSupport.referenceDir.map { $0.appendingPathComponent("audit").path } ?? "\(examples)/audit/kp-mini"
    if TestSupport.referenceDir == nil { print("note: ../shared/reference is absent; planting from \(kpDir)") }
    let rules = "\(examples)/audit/rules.toml"
    let gen = try TestSupport.shell(
      """
      mi-gen fees --count 4000 --seed 14 --year 2024 --hospitals 20 --inject 0.05 --kp '\(kpDir)' \
        --rules '\(rules)' --manifest manifest.ndjson --cases-out cases.ndjson --previous-out previous.ndjson \
        -o fees.ndjson
      """, in: work)
    #expect(gen.status == 0, "generating: \(gen.err)")
    let audit = try TestSupport.shell(
      """
      mi-audit run --rules '\(rules)' --kp '\(kpDir)' --cases cases.ndjson --fees fees.ndjson \
        --previous previous.ndjson -o findings.ndjson
      """, in: work)
    #expect(audit.status == 0, "auditing: \(audit.err)")
    guard gen.status == 0, audit.status == 0 else { return }

    let expected = try AuditInjectionTests.pairs(work.appendingPathComponent("manifest.ndjson"))
    let found = try AuditInjectionTests.pairs(work.appendingPathComponent("findings.ndjson"))
    let unplantable = gen.err.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("mi-gen: cannot plant ") else { return nil }
      return String(line.dropFirst("mi-gen: cannot plant ".count).prefix { $0 != " " })
    }
    let foundKeys = Set(found.map { "\($0.0) \($0.1)" })
    var table: [String: Row] = [:]
    for (rule, key) in expected {
      table[rule, default: Row()].planted += 1
      if foundKeys.contains("\(rule) \(key)") { table[rule, default: Row()].truePositives += 1 }
    }
    for (rule, _) in found { table[rule, default: Row()].found += 1 }
    var report = "rule      planted  found  true positives\n"
    for rule in table.keys.sorted() {
      let r = table[rule]!
      report +=
        "\(rule.padding(toLength: 8, withPad: " ", startingAt: 0))  \(String(format: "%7d  %5d  %14d", r.planted, r.found, r.truePositives))\n"
    }
    for rule in unplantable { report += "\(rule): not planted (see mi-gen's message)\n" }
    print(report)
    for (rule, r) in table {
      #expect(r.planted > 0, "rule \(rule) fired \(r.found) times but was not planted")
      #expect(r.truePositives == r.planted, "recall of \(rule): \(r.truePositives)/\(r.planted)")
      #expect(r.truePositives == r.found, "precision of \(rule): \(r.truePositives)/\(r.found)")
    }
  }

  /// The (rule_id, key) pairs of a manifest or of findings: a finding's key is its feedetl_sn, else setl_id, else
  /// psn_no, else fixmedins_code (audit-spec: the finding's primary key).
  static func pairs(_ url: URL) throws -> [(String, String)] {
    let text = try String(contentsOf: url, encoding: .utf8)
    var out: [(String, String)] = []
    for line in text.split(separator: "\n") {
      guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let rule = obj["rule_id"] as? String, (obj["kind"] as? String ?? "finding") == "finding"
      else { continue }
      let key = ["key", "feedetl_sn", "setl_id", "psn_no", "fixmedins_code"].lazy.compactMap { obj[$0] as? String }
        .first
      out.append((rule, key ?? ""))
    }
    return out
  }
}
