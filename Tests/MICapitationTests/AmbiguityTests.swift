import MICapitation
import MICore
import Testing

/// Every DOMAIN.md §4 ambiguity, each way, on the §9.6 figures.
@Suite struct AmbiguityTests {
  @Test func sharePartyBothWays() throws {
    var pool = Lishui.pool
    pool.shareRatio = Fixed(raw: 6000, scale: 4)
    var p = Lishui.params
    p.shareParty = .fund
    // fund: X = 10,000,000 × 0.6 = 6,000,000 → T = 150,000,000 − 8,000,000 + 6,000,000 = 148,000,000.
    let fund = try Lishui.settle(params: p, pool: pool)
    #expect(fund.shareFen == yuan(6_000_000))
    #expect(fund.totalFen == yuan(148_000_000))
    // hospital: the fund's part is 1 − 0.6 = 0.4 → X = 4,000,000 → T = 146,000,000.
    p.shareParty = .hospital
    let hospital = try Lishui.settle(params: p, pool: pool)
    #expect(hospital.fundShare == Fixed(raw: 4000, scale: 4))
    #expect(hospital.shareFen == yuan(4_000_000))
    #expect(hospital.totalFen == yuan(146_000_000))
    // At r = 0.5 both readings agree (DOMAIN.md §4).
    p.shareParty = .hospital
    #expect(try Lishui.settle(params: p).totalFen == yuan(147_000_000))
  }

  @Test func shareSignBothWays() throws {
    var p = Lishui.params
    p.shareSign = .byDifference
    #expect(try Lishui.settle(params: p).shareFen == yuan(5_000_000))
    // reversed: A > B gives −X: T = 160 − 10 − 8 − 5 = 137,000,000.
    p.shareSign = .reversed
    let c = try Lishui.settle(params: p)
    #expect(c.shareFen == -yuan(5_000_000))
    #expect(c.totalFen == yuan(137_000_000))
    #expect(c.checkPassed)
  }

  @Test func ffsScopeBothWays() throws {
    var p = Lishui.params
    // Without R: A = 152 + 8 = 160,000,000 = B → X = 0 → T = 142,000,000.
    p.ffsIncludesRemote = false
    let noR = try Lishui.settle(params: p)
    #expect(noR.ffsFen == yuan(160_000_000))
    #expect(noR.shareFen == 0)
    #expect(noR.totalFen == yuan(142_000_000))
    // Without S (R back in): A = 152 + 10 = 162,000,000 → X = 1,000,000 → T = 143,000,000.
    p.ffsIncludesRemote = true
    p.ffsIncludesSpecial = false
    let noS = try Lishui.settle(params: p)
    #expect(noS.ffsFen == yuan(162_000_000))
    #expect(noS.shareFen == yuan(1_000_000))
    #expect(noS.totalFen == yuan(143_000_000))
  }

  @Test func weightBaseBothWays() throws {
    var p = Lishui.params
    p.weightIncludesRemote = false
    let local = try Lishui.settle(params: p)
    #expect(local.weightBaseFen == yuan(152_000_000))
    #expect(local.unallocatedFen == 0)
    // F includes R: 162,000,000. The institutions share T × 152/162 = 147,000,000 × 152 / 162
    // = 137,925,925.925… → 137,925,925.93; the fund keeps 9,074,074.07. H001: w = 30.4/162 = 0.187654.
    p.weightIncludesRemote = true
    let all = try Lishui.settle(params: p)
    #expect(all.weightBaseFen == yuan(162_000_000))
    #expect(all.allocatedFen == 13_792_592_593)
    #expect(all.unallocatedFen == 907_407_407)
    #expect(all.institutions.first { $0.code == "H001" }?.weightRaw == 187_654)
    // H001 gets 0.2 of the allocated part: 27,585,185.186 → 27,585,185.19 by largest remainder (H002 the floor).
    #expect(all.institutions.first { $0.code == "H001" }?.pointsFen == 2_758_518_519)
    #expect(all.institutions.first { $0.code == "H002" }?.pointsFen == 11_034_074_074)
    #expect(all.checkPassed)
  }

  @Test func personsScopeAndRemotePersonsBothWays() throws {
    // P1 visits 310-general and 310-special; P2 only 310-general; P3 only elsewhere (异地就医) in 310-general.
    let lines = [
      rec(psn: "P1", inst: "H1", med: "11", hifp: "10.00"),
      rec(psn: "P1", inst: "H2", med: "14", hifp: "20.00"),
      rec(psn: "P2", inst: "H1", med: "11", hifp: "30.00"),
      rec(psn: "P3", inst: "R9", med: "11", hifp: "40.00", blng: "330100"),
    ]
    var p = TestParams.twoPools
    p.personsScope = .pool
    p.personsIncludeRemote = true
    var t = try aggregate(lines, p)
    #expect(t["310-general"]?.persons == 3)
    #expect(t["310-special"]?.persons == 1)
    p.personsScope = .all
    t = try aggregate(lines, p)
    #expect(t["310-general"]?.persons == 3)
    #expect(t["310-special"]?.persons == 3)
    p.personsScope = .pool
    p.personsIncludeRemote = false
    t = try aggregate(lines, p)
    #expect(t["310-general"]?.persons == 2)
    #expect(t["310-general"]?.remoteFen == 4000)
  }

  @Test func largestRemainderTiesGoToTheSmallerCode() {
    // 1.00 over three equal weights: 33 each and the last fen to the first code.
    #expect(Capitation.allocate(100, weights: [1, 1, 1]) == [34, 33, 33])
    // 2.00 over 1:1:1: 66.67 each → floors 66, remainders equal → the two smallest codes get a fen.
    #expect(Capitation.allocate(200, weights: [5, 5, 5]) == [67, 67, 66])
    // Largest remainder first: 10 fen over 3:3:4 → 3, 3, 4 exactly; 11 fen → 3.3, 3.3, 4.4 → floors 3,3,4,
    // remainders .3 .3 .4 → the fen goes to the third.
    #expect(Capitation.allocate(11, weights: [3, 3, 4]) == [3, 3, 5])
    // A negative weight (net refunds) still sums exactly.
    let a = Capitation.allocate(1000, weights: [700, -100, 401])
    #expect(a.reduce(0, +) == 1000)
    #expect(a == [699, -100, 401])  // 699.3, −99.9 (floor −100), 400.6: the fen to .6
    // A negative total too.
    #expect(Capitation.allocate(-100, weights: [1, 1, 1]).reduce(0, +) == -100)
  }

  @Test func roundingHalfUp() {
    #expect(Capitation.roundedShare(1, 1, 2) == 1)  // 0.5 → 1
    #expect(Capitation.roundedShare(-1, 1, 2) == -1)  // −0.5 → −1 (away from zero)
    #expect(Capitation.roundedShare(1, 1, 3) == 0)
  }
}
