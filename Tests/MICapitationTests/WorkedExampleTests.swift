import MICapitation
import MICore
import Testing

/// Fen from yuan, for readable expectations.
func yuan(_ v: Int64) -> Int64 { v * 100 }

/// The pool and totals of DOMAIN.md §9.6 (Lishui): B 160,000,000; adj 0; R 10,000,000; S 8,000,000;
/// A 170,000,000 (so F = A − R − S = 152,000,000); r 0.5. Institution H001 has F_i 30,400,000 and S_i 1,500,000;
/// H002 holds the rest (F 121,600,000, S 6,500,000).
enum Lishui {
  /// The 310-general pool with B and r of §9.6.
  static var pool: CapitationPool {
    CapitationPool(name: "310-general", insutype: "310", special: false, budgetFen: yuan(160_000_000))
  }

  /// The totals of §9.6. H001's year fund (F_i + S_i = 31,900,000) is put in January for the computed prepayment.
  static var totals: PoolTotals {
    var jan = [Int64](repeating: 0, count: 12)
    jan[0] = yuan(31_900_000)
    return PoolTotals(
      institutions: [
        "H001": InstitutionTotals(fundFen: yuan(30_400_000), specialFen: yuan(1_500_000), monthFundFen: jan),
        "H002": InstitutionTotals(fundFen: yuan(121_600_000), specialFen: yuan(6_500_000)),
      ], remoteFen: yuan(10_000_000), persons: 200_000)
  }

  /// Default parameters (DOMAIN.md readings of every ambiguity).
  static var params: CapitationParams {
    var p = CapitationParams(poolAdmdvs: "331100")
    p.pools = ["310-general": pool]
    return p
  }

  /// Clears §9.6 with H001's prepayment 28,710,000 and deduction 100,000.
  static func settle(
    params: CapitationParams = Lishui.params, pool: CapitationPool = Lishui.pool, persons: Int64 = 200_000
  ) throws -> CapitationClearing {
    try Capitation.settle(
      pool: pool, params: params, totals: totals, persons: persons, prepaid: ["H001": yuan(28_710_000)],
      auditDeductions: ["H001": yuan(100_000)])
  }
}

/// DOMAIN.md §9.6, to the fen.
@Suite struct WorkedExampleTests {
  @Test func lishuiPoolFigures() throws {
    let c = try Lishui.settle()
    // A = F + R + S = 152,000,000 + 10,000,000 + 8,000,000 = 170,000,000.
    #expect(c.ffsFen == yuan(170_000_000))
    // X = |A − B| × r = |170,000,000 − 160,000,000| × 0.5 = 5,000,000, + because A > B.
    #expect(c.shareFen == yuan(5_000_000))
    // T = B ± adj − R − S ± X = 160,000,000 + 0 − 10,000,000 − 8,000,000 + 5,000,000 = 147,000,000.
    #expect(c.totalFen == yuan(147_000_000))
    // P = N × 100 = 200,000 × 100 = 20,000,000; v = T / P = 147,000,000 / 20,000,000 = 7.350000.
    #expect(c.points == 20_000_000)
    #expect(c.pointValueRaw == 7_350_000)
    // Hospitals receive T + S = 155,000,000 against 160,000,000 local spending: 5,000,000 = 50% of the overspend.
    #expect(c.payoutFen == yuan(155_000_000))
    #expect(c.checkPassed)
  }

  @Test func lishuiInstitution() throws {
    let c = try Lishui.settle()
    let h = try #require(c.institutions.first { $0.code == "H001" })
    // w_i = F_i / F = 30,400,000 / 152,000,000 = 0.2 → "0.200000" at scale 6.
    #expect(h.weightRaw == 200_000)
    // P_i = P × w_i = 20,000,000 × 0.2 = 4,000,000.0000.
    #expect(h.pointsRaw == 4_000_000 * 10_000)
    // P_i × v = 4,000,000 × 7.35 = 29,400,000.00 (= 0.2 × T).
    #expect(h.pointsFen == yuan(29_400_000))
    // + S_i 1,500,000 − prepaid 0.9 × 31,900,000 = 28,710,000 − deductions 100,000 = 2,090,000.00.
    #expect(h.payoutFen == yuan(30_900_000))
    #expect(h.clearingFen == yuan(2_090_000))
    // H002: 0.8 × T = 117,600,000 + S 6,500,000, nothing prepaid.
    let other = try #require(c.institutions.first { $0.code == "H002" })
    #expect(other.payoutFen == yuan(124_100_000))
  }

  @Test func computedPrepaymentMatchesTheExample() {
    // 0.9 × 31,900,000 = 28,710,000 (the §9.6 prepayment, recomputed from the month's fund).
    let pre = Capitation.computedPrepaid(pool: Lishui.pool, totals: Lishui.totals)
    #expect(pre["H001"] == yuan(28_710_000))
    #expect(pre["H002"] == 0)
  }

  @Test func payoutsDoNotDependOnN() throws {
    // DOMAIN.md §9.6: "With N = 400,000: v = 3.675, P_i 8,000,000, payout unchanged" — N cancels.
    let a = try Lishui.settle(persons: 200_000)
    let b = try Lishui.settle(persons: 400_000)
    #expect(b.pointValueRaw == 3_675_000)
    let h = try #require(b.institutions.first { $0.code == "H001" })
    #expect(h.pointsRaw == 80_000_000_000)
    #expect(a.institutions.map(\.pointsFen) == b.institutions.map(\.pointsFen))
    #expect(a.institutions.map(\.clearingFen) == b.institutions.map(\.clearingFen))
    // And for an N that makes v a repeating decimal: still the same fen.
    let c = try Lishui.settle(persons: 123_457)
    #expect(a.institutions.map(\.pointsFen) == c.institutions.map(\.pointsFen))
  }

  @Test func personsFromTheParamsReplaceTheCount() throws {
    // count_unit 签约/参保人数: N given in the params wins over the counted N; payouts unchanged.
    var pool = Lishui.pool
    pool.personsGiven = 400_000
    let c = try Lishui.settle(pool: pool, persons: 200_000)
    #expect(c.persons == 400_000 && c.personsGiven)
    #expect(c.pointValueRaw == 3_675_000)
  }

  @Test func savingSideOfTheExample() throws {
    // A < B: local spending 140,000,000 (F 133,000,000 + S 7,000,000), R 10,000,000 → A = 150,000,000.
    // X = |150 − 160| M × 0.5 = 5,000,000, − because A < B: T = 160 − 10 − 7 − 5 = 138,000,000;
    // institutions receive T + S = 145,000,000 against 140,000,000 spent: they keep 5,000,000 = 50% of the saving.
    let totals = PoolTotals(
      institutions: ["H001": InstitutionTotals(fundFen: yuan(133_000_000), specialFen: yuan(7_000_000))],
      remoteFen: yuan(10_000_000), persons: 1000)
    let c = try Capitation.settle(pool: Lishui.pool, params: Lishui.params, totals: totals, persons: 1000)
    #expect(c.shareFen == -yuan(5_000_000))
    #expect(c.totalFen == yuan(138_000_000))
    #expect(c.payoutFen == yuan(145_000_000))
  }
}
