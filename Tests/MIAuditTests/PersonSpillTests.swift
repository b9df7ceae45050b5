import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// The person-partitioned state of C01–C03, B02, H02Q, H03 and `frequency`: spilled to tiny temporary
/// partitions, the findings are the same bytes as when everything stays in memory (issue 14: memory ∝ cases).
@Suite struct PersonSpillTests {
  static func ruleSet() throws -> RuleSet {
    try RuleSetStore.file(TestSupport.examplesDir.appendingPathComponent("audit/rules.toml").path)
  }

  static func knowledge() throws -> Knowledge {
    try Knowledge.read(directory: TestSupport.examplesDir.appendingPathComponent("audit/kp-mini").path)
  }

  /// A deterministic generator (a linear congruential one: the test data must not change between runs).
  struct Generator {
    var state: UInt64
    mutating func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
  }

  /// Fee lines of 40 persons with 3 visits each, some on the same days (an outpatient visit during a stay), with
  /// daily consultation fees (C01), glycated haemoglobin tests (C02), a course drug (C03), emergency monitoring
  /// and consultation on the same day in different visits (B02), anti-rejection drugs (H02Q), dialysis (H03,
  /// L01) and blood-pressure monitoring pairs (L02). Visits in blocks, persons interleaved.
  static func fees() -> String {
    var g = Generator(state: 14)
    var out: [String] = []
    var sn = 0
    func line(_ setl: String, _ psn: String, _ code: String, _ cnt: Int, _ pric: String, _ day: Int, _ hour: Int) {
      sn += 1
      let d = AuditTime.dateText(AuditTime.dayNumber(year: 2024, month: 3, day: 1) + day)
      out.append(
        "{\"feedetl_sn\":\"F\(String(format: "%05d", sn))\",\"setl_id\":\"\(setl)\",\"psn_no\":\"\(psn)\","
          + "\"fixmedins_code\":\"H33110000001\",\"med_list_codg\":\"\(code)\",\"cnt\":\(cnt),\"pric\":\(pric),"
          + "\"fee_ocur_time\":\"\(d) \(hour < 10 ? "0" : "")\(hour):\(g.next(6))0:00\"}")
    }
    for v in 0..<3 {
      for p in 0..<40 {
        let psn = "P\(p)"
        let setl = "S\(p)-\(v)"
        let start = v * 6 + g.next(5)
        for day in start..<(start + 4 + g.next(6)) {
          line(setl, psn, "001102000050000", 1 + g.next(2), "10.00", day, 8 + g.next(4))
          if g.next(3) == 0 { line(setl, psn, "002503020030000", 1, "25.00", day, 9) }
          if g.next(2) == 0 { line(setl, psn, "XB01AXA223B004010180963", 1, "30.50", day, 10) }
          if g.next(4) == 0 { line(setl, psn, v == 1 ? "001103000010000" : "001102000030000", 1, "8.00", day, 11) }
          if g.next(5) == 0 { line(setl, psn, "XL04ADT001A001010100001", 1, "6000.00", day, 12) }
          if g.next(2) == 0 { line(setl, psn, "003110000060000", 1 + g.next(2), "400.00", day, 13) }
          if g.next(6) == 0 {
            line(setl, psn, v == 2 ? "003107020020000" : "003107010220000", 1, "6.00", day, 14)
          }
        }
      }
    }
    return out.joined(separator: "\n")
  }

  static func run(_ fees: String, _ settings: PersonSpillSettings) throws -> (bytes: [UInt8], ids: Set<String>) {
    let set = try ruleSet()
    let engine = AuditEngine(ruleSet: set, context: RuleContext(knowledge: try knowledge(), settings: set.settings))
    engine.personSpill = settings
    var out: [UInt8] = []
    var ids: Set<String> = []
    for f in try engine.run(cases: [], fees: [.text(name: "f", fees)]).findings {
      FindingWriter.append(f, to: &out)
      ids.insert(f.ruleID)
    }
    return (out, ids)
  }

  @Test func tinyPartitionsGiveTheSameFindingsAsMemory() throws {
    let fees = PersonSpillTests.fees()
    let memory = try PersonSpillTests.run(fees, PersonSpillSettings())
    // Every person-state rule fires on the data, so each one's spilled path is compared.
    #expect(memory.ids.isSuperset(of: ["C01", "C02", "C03", "B02", "H02Q", "H03", "L01", "L02"]))
    #expect(try PersonSpillTests.run(fees, PersonSpillSettings(partitions: 3, linesInMemory: 0)).bytes == memory.bytes)
    #expect(try PersonSpillTests.run(fees, PersonSpillSettings(partitions: 1, linesInMemory: 0)).bytes == memory.bytes)
    #expect(try PersonSpillTests.run(fees, PersonSpillSettings(partitions: 7, linesInMemory: 25)).bytes == memory.bytes)
    // Lines not grouped by visit (the regrouping pass with fresh rules) give the same findings as well.
    let shuffled = fees.split(separator: "\n").reversed().joined(separator: "\n")
    #expect(
      try PersonSpillTests.run(shuffled, PersonSpillSettings(partitions: 5, linesInMemory: 10)).bytes == memory.bytes)
  }

  @Test func everyExampleGivesTheSameFindingsThroughPartitions() throws {
    let set = try PersonSpillTests.ruleSet()
    let context = RuleContext(knowledge: try PersonSpillTests.knowledge(), settings: set.settings)
    var compared = 0
    for spec in set.enabled {
      for ex in spec.examples where !ex.fees.isEmpty {
        func run(_ s: PersonSpillSettings) throws -> [UInt8] {
          let engine = AuditEngine(ruleSet: set, context: context)
          engine.only = [spec.index]
          engine.personSpill = s
          var out: [UInt8] = []
          let cases: [AuditSource] = ex.cases.isEmpty ? [] : [.text(name: "c", ex.cases)]
          let previous: [AuditSource]? = ex.previous.isEmpty ? nil : [.text(name: "p", ex.previous)]
          for f in try engine.run(cases: cases, fees: [.text(name: "f", ex.fees)], previous: previous).findings {
            FindingWriter.append(f, to: &out)
          }
          return out
        }
        let memory = try run(PersonSpillSettings())
        #expect(try run(PersonSpillSettings(partitions: 2, linesInMemory: 0)) == memory, "\(spec.id): \(ex.note)")
        compared += 1
      }
    }
    #expect(compared > 30)
  }

  @Test func partitionsGroupAPersonTogetherAndAreRemoved() throws {
    let spill = PersonSpill()
    spill.settings = PersonSpillSettings(partitions: 4, linesInMemory: 2)
    var seq = 0
    for p in ["P1", "P2", "P3", "P1", "P2", "P1"] {
      var l = FeeLine(
        seq: seq, feedetlSN: "F\(seq)", medListCodg: "X", cnt: Fixed(integer: 1, scale: 4),
        pric: Fixed(integer: 1, scale: 4), time: Int64(seq))
      l.psnNo = p
      l.setlID = nil
      try spill.append(key: p + "\u{1F}X", tag: UInt8(seq % 2), aux: "v\(seq)", HeldLine(line: l, c: nil))
      seq += 1
    }
    #expect(spill.spilled == 6)
    let dir = try #require(spill.directory)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir)
    #expect(files.count == 4)
    for f in files {
      let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.posixPermissions] as? Int
      #expect(mode == 0o600)
    }
    var groups: [String: [String]] = [:]
    var findings: [Finding] = []
    try spill.forEachGroup(into: &findings) { records, _ in
      groups[records[0].key] = records.map { "\($0.held.sn) \($0.tag) \($0.aux) \($0.held.psnNo ?? "-")" }
    }
    #expect(
      groups == [
        "P1\u{1F}X": ["F0 0 v0 P1", "F3 1 v3 P1", "F5 1 v5 P1"], "P2\u{1F}X": ["F1 1 v1 P2", "F4 0 v4 P2"],
        "P3\u{1F}X": ["F2 0 v2 P3"],
      ])
    #expect(!FileManager.default.fileExists(atPath: dir))
  }
}
