import Foundation
import MICapitation
import MICore
import MITestSupport
import Testing

/// The smallest valid `[capitation]` section.
let minimalSection = """
  [capitation]
  pool_admdvs = "331100"
  [capitation.pools."310-general"]
  budget = 160000000.00

  """

/// `[capitation]` validation, the objection deadline, and the example params file.
@Suite struct ParamsTests {
  @Test func defaultsFromDomain() throws {
    let c = try CapitationParams.load(try Params(text: minimalSection, name: "t"))
    #expect(c.shareParty == .fund && c.shareSign == .byDifference && c.personsScope == .pool)
    #expect(c.ffsIncludesRemote && c.ffsIncludesSpecial && !c.weightIncludesRemote && c.personsIncludeRemote)
    #expect(c.specialMedTypes == ["14"] && c.objectionDays == 7)
    let pool = try #require(c.pools["310-general"])
    #expect(pool.budgetFen == yuan(160_000_000))
    #expect(pool.pointsPerPerson == 100)
    #expect(pool.shareRatio == Fixed(raw: 5000, scale: 4) && pool.prepayRatio == Fixed(raw: 9000, scale: 4))
    #expect(c.warnings.isEmpty)
    #expect(c.admdvsPrefix == "3311")
  }

  @Test(arguments: [
    ("[capitation]\n[capitation.pools.\"310-general\"]\nbudget = 1\n", "capitation.pool_admdvs"),
    ("[capitation]\npool_admdvs = \"3311\"\n", "capitation.pool_admdvs"),
    ("[capitation]\npool_admdvs = \"331100\"\n", "capitation.pools"),
    (minimalSection.replacingOccurrences(of: "budget = 160000000.00", with: "adjustment = 1"), "budget"),
    (minimalSection + "share_ratio = 1.5\n", "share_ratio"),
    (minimalSection + "share_ratio = 0.12345\n", "share_ratio"),
    (minimalSection + "prepay_ratio = \"x\"\n", "prepay_ratio"),
    (minimalSection + "points_per_person = 0\n", "points_per_person"),
    (minimalSection + "budgte = 1\n", "budgte"),
    (
      minimalSection.replacingOccurrences(of: "pool_admdvs", with: "share_party = \"city\"\npool_admdvs"), "share_party"
    ),
    (minimalSection.replacingOccurrences(of: "pool_admdvs", with: "share_sign = \"plus\"\npool_admdvs"), "share_sign"),
    (
      minimalSection.replacingOccurrences(of: "pool_admdvs", with: "holidays = [\"2025-02-30\"]\npool_admdvs"),
      "holidays"
    ),
    (
      minimalSection.replacingOccurrences(of: "pool_admdvs", with: "persons_scop = \"all\"\npool_admdvs"),
      "persons_scop"
    ),
    (minimalSection.replacingOccurrences(of: "310-general", with: "310-urban"), "310-urban"),
  ])
  func errorsNameTheKey(text: String, key: String) throws {
    let p = try Params(text: text, name: "t.toml")
    let error = #expect(throws: MIError.self) { try CapitationParams.load(p) }
    #expect(error?.message.contains(key) == true, "\(String(describing: error))")
    // A params text read as a file (the default origin) is a usage error, exit 2 (exit 3 is for the workspace).
    #expect(error?.exitCode == 2)
  }

  @Test func floorsOfTheSeedWarn() throws {
    // Seed 002: the institutions' share "原則上不低于50%", prepayment "原則上不低于90%" — warnings, not errors.
    let text = minimalSection + "share_ratio = 0.6\nprepay_ratio = 0.85\n"
    let c = try CapitationParams.load(try Params(text: text, name: "t"))
    #expect(c.warnings.count == 2)
    // With share_party = hospital, r = 0.6 is the institutions' share and meets the floor.
    let h = try CapitationParams.load(
      try Params(
        text: text.replacingOccurrences(of: "pool_admdvs", with: "share_party = \"hospital\"\npool_admdvs"), name: "t"))
    #expect(h.warnings.count == 1)
  }

  @Test func absentSection() throws {
    let p = try Params(text: "[scoring]\n", name: "t")
    #expect(try CapitationParams.loadIfPresent(p) == nil)
    #expect(throws: MIError.self) { try CapitationParams.load(p) }
  }

  @Test func exampleParamsFileIsValid() throws {
    let url = TestSupport.examplesDir.appendingPathComponent("params-2024.toml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let c = try CapitationParams.load(try Params(text: text, name: "params-2024.toml"))
    #expect(c.poolNames == ["310-general", "310-special", "390-general", "390-special"])
    #expect(c.warnings.isEmpty)
  }

  @Test func objectionDeadline() throws {
    // Seed 002: 7 working days after receipt. Friday 2024-03-01 → Mon 4 … Fri 8 (5), Mon 11 (6), Tue 12 (7).
    let friday = try #require(WorkingDays.parse("2024-03-01"))
    #expect(WorkingDays.weekday(friday) == 5)
    #expect(WorkingDays.format(WorkingDays.deadline(after: friday, count: 7, holidays: [], makeup: [])) == "2024-03-12")
    // 春节 2025: received Fri 01-24; 01-26 (Sunday) is a make-up working day (1), Mon 27 (2), 28 Jan – 4 Feb are
    // holidays, Wed 5 – Fri 7 (3–5), Sat 8 Feb make-up (6), Mon 10 (7).
    let d = try #require(WorkingDays.parse("2025-01-24"))
    let holidays: Set = ["2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04"]
    let deadline = WorkingDays.deadline(after: d, count: 7, holidays: holidays, makeup: ["2025-01-26", "2025-02-08"])
    #expect(WorkingDays.format(deadline) == "2025-02-10")
    #expect(WorkingDays.parse("2024-02-29") != nil && WorkingDays.parse("2023-02-29") == nil)
    #expect(WorkingDays.format(WorkingDays.parse("1999-12-31")!) == "1999-12-31")
  }
}
