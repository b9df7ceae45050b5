import Foundation
import MICapitation
import MIClearing
import MICore
import MITestSupport
import Testing

/// Issue 11 for capitation: share_party per pool, times that are not times, adjustments for no institution.
@Suite struct CapitationMoneyPathTests {
  /// `share_party` in a pool table overrides the `[capitation]` key for that pool only; the §9.6 figures at r 0.6.
  @Test func sharePartyPerPool() throws {
    let text = """
      [capitation]
      pool_admdvs = "331100"
      share_party = "hospital"
      [capitation.pools."310-general"]
      budget = 160000000.00
      share_ratio = 0.6
      share_party = "fund"
      [capitation.pools."390-general"]
      budget = 150000000.00
      share_ratio = 0.6

      """
    let c = try CapitationParams.load(try Params(text: text, name: "t.toml"))
    #expect(c.shareParty == .hospital)
    #expect(c.pools["310-general"]?.shareParty == .fund && c.pools["390-general"]?.shareParty == nil)
    // 310-general is fund: X = 10,000,000 × 0.6 → T = 148,000,000 (AmbiguityTests); hospital would give 146,000,000.
    let fund = try Lishui.settle(params: c, pool: c.pools["310-general"]!)
    #expect(fund.shareFen == yuan(6_000_000) && fund.totalFen == yuan(148_000_000))
    var other = c.pools["390-general"]!
    other.budgetFen = yuan(160_000_000)
    let hospital = try Lishui.settle(params: c, pool: other)
    #expect(hospital.shareFen == yuan(4_000_000) && hospital.totalFen == yuan(146_000_000))
    // The institutions' share below the seed's floor is judged by the pool's own party.
    #expect(c.warnings.count == 1 && c.warnings[0].contains("310-general"))
    let bad = text.replacingOccurrences(of: #"share_party = "fund""#, with: #"share_party = "city""#)
    let error = #expect(throws: MIError.self) { try CapitationParams.load(try Params(text: bad, name: "t.toml")) }
    #expect(error?.message.contains(#"capitation.pools."310-general".share_party"#) == true)
  }

  /// Only a pool's own share_party changes the params digest of partials: old partials still merge.
  @Test func digestUnchangedWithoutAPoolParty() throws {
    let base = try CapitationParams.load(try Params(text: minimalSection, name: "t"))
    var same = base
    same.shareParty = .fund
    #expect(CapitationPartial.digest(base) == CapitationPartial.digest(same))
    var own = base
    own.pools["310-general"]!.shareParty = .fund
    #expect(CapitationPartial.digest(base) != CapitationPartial.digest(own))
  }

  /// A time written as Excel writes it is an error naming the field, never a settlement outside the period.
  @Test func excelTimesAreErrors() throws {
    for bad in ["2024/5/28 12:00", "2024-05-28", "2023-02-29 10:00:00"] {
      #expect(throws: FieldError("setl_time", "expected a time yyyy-MM-dd HH:mm:ss, found \"\(bad)\"")) {
        _ = try aggregate([rec(psn: "P1", inst: "H1", hifp: "10.00", time: bad)], TestParams.twoPools, month: 5)
      }
    }
  }

  /// A deduction for an institution with no settlement in any pool would make a phantom clearing record.
  @Test func phantomInstitutionIsRefused() throws {
    let totals = try aggregate([rec(psn: "P1", inst: "H1", hifp: "10.00")], TestParams.twoPools)
    let a = Adjustment(
      fixmedinsCode: "H9", pool: "310-general", amountFen: 100, type: .deduction, file: "adj.ndjson", line: 3)
    #expect(
      throws: MIError.data(
        file: "adj.ndjson", line: 3, field: "fixmedins_code",
        message: "H9 has no settlement in any capitation pool this year")
    ) { _ = try Capitation.deductions([a], totals: totals) }
    var known = a
    known.fixmedinsCode = "H1"
    #expect(try Capitation.deductions([known], totals: totals).audit["310-general"]?["H1"] == 100)
  }
}
