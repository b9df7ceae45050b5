import MICore
import MITestSupport
import Testing

@testable import MIClearing

/// For random pools, hospitals, adjustments, ledgers and parameters, every pool reconciles: the hospitals' shares
/// add up to the pool's amounts to the fen, and what the hospitals get, plus what the fund keeps or shares, equals
/// the budget.
@Suite struct PropertyTests {
  @Test(arguments: 0..<60)
  func reconciles(seed: Int) throws {
    var r = SplitMix(state: UInt64(seed) &* 7919 &+ 17)
    var p = ClearingParams()
    p.pointMode = [PointMode.fixed, .floating, .elastic][Int(r.below(3))]
    p.fundPart = r.below(2) == 0 ? .ratio : .residual
    p.baseShare = r.below(2) == 0 ? fx("0.8", 4) : fx("0.7", 4)
    p.incrementCap = r.below(2) == 0 ? nil : Fixed(raw: 5_000 + r.below(10_000), scale: 4)
    p.carveOutHV = r.below(2) == 0
    p.budgetNetOfFFS = r.below(3) != 0
    p.depositReturn = r.below(2) == 0 ? .full : .byAssessment
    p.vbpReturnShare = Fixed(raw: r.below(10_001), scale: 4)
    p.defaultAssessmentCoef = Fixed(raw: 8_500 + r.below(2_000), scale: 4)
    p.surplusBands = [
      Band(upto: fx("0.05", 4), share: fx("1", 4)), Band(upto: nil, share: Fixed(raw: r.below(10_001), scale: 4)),
    ]
    p.overspendBands = [
      Band(upto: fx("0.1", 4), share: Fixed(raw: r.below(10_001), scale: 4)), Band(upto: nil, share: fx("0", 4)),
    ]
    var totals: [PoolHospital: HospitalTotals] = [:]
    var adjustments: [Adjustment] = []
    var ledger: [LedgerLine] = []
    for pool in ["310", "390"] {
      var budget: Int64 = 0
      let n = 1 + r.below(25)
      for h in 0..<n {
        let code = "H\(100 + h)"
        var t = HospitalTotals()
        t.cases = 1 + r.below(500)
        t.pointsRaw = r.below(3) == 0 ? 0 : r.below(50_000_000_000)
        t.medfeeFen = t.pointsRaw / 10 + r.below(1_000_000)
        t.hifpFen = t.medfeeFen * (40 + r.below(50)) / 100
        t.psnPartFen = t.medfeeFen - t.hifpFen
        t.carveOutFen = p.carveOutHV ? r.below(100_000) : 0
        if r.below(4) == 0 {
          t.specialCases = 1
          t.specialFFSFen = r.below(500_000)
        }
        totals[PoolHospital(pool, code)] = t
        budget += t.hifpFen + t.carveOutFen + t.specialFFSFen
        for type in AdjustmentType.allCases where r.below(3) == 0 {
          adjustments.append(
            Adjustment(fixmedinsCode: code, pool: r.below(2) == 0 ? pool : nil, amountFen: r.below(200_000), type: type)
          )
        }
        if r.below(2) == 0 {
          ledger.append(
            LedgerLine(pool: pool, fixmedinsCode: code, item: "prepaid_amt", amountFen: r.below(t.hifpFen + 1)))
          ledger.append(LedgerLine(pool: pool, fixmedinsCode: code, item: "deposit_amt", amountFen: r.below(50_000)))
        }
      }
      // The budget is near the fund's 按项目 spending (±10%), so surpluses and overspends both occur.
      budget = budget * (90 + r.below(21)) / 100 + 1
      p.pools[pool] = PoolParams(
        pool: pool, budgetFen: budget, initialPointValue: Fixed(raw: 9_000_000 + r.below(2_000_000), scale: 6),
        payRatio: r.below(2) == 0 ? nil : Fixed(raw: 500_000 + r.below(400_000), scale: 6))
    }
    let pools = try Settlement.run(params: p, totals: totals, adjustments: adjustments, ledger: ledger)
    for pc in pools {
      #expect(pc.checkPassed)
      // Independently of the pool's own checks: shares add up to the pool totals.
      #expect(pc.sum(\.pointsAmt) == pc.pointsAmt)
      #expect(pc.sum(\.fundPartAmt) == pc.fundPartAmt)
      #expect(pc.sum(\.pointsAmt) <= pc.pointsAmt)
      for h in pc.lines {
        // Each line adds up, and 结余留用/超支分担 stays between "keep nothing" and "keep all".
        let cmp = h.fundPartAmt + h.carveOutAmt + h.specialCaseAmt
        if cmp >= h.ffsAmt {
          #expect(h.surplusAdjAmt <= 0 && h.surplusAdjAmt >= h.ffsAmt - cmp || h.ffsAmt == 0)
        } else {
          #expect(h.surplusAdjAmt >= 0 && h.surplusAdjAmt <= h.ffsAmt - cmp)
        }
        #expect(
          h.payableAmt == h.assessedAmt + h.carveOutAmt + h.specialCaseAmt + h.vbpReturnAmt + h.surplusAdjAmt
            - h.deductionAmt - h.assessmentDeductionAmt)
        #expect(h.clearingAmt == h.payableAmt - h.prepaidAmt - h.turnoverFundAmt - h.depositAmt + h.depositReturnAmt)
      }
      // What the hospitals receive over the year (prepaid, 周转金, deposit returned, the clearing) and what is
      // retained or shared (coefficient effect, 结余留用/超支分担, returns, deductions, the deposit kept back) add up
      // to the budget less what the fund keeps of it (budget_diff).
      guard let budget = pc.budgetAmt, let diff = pc.budgetDiffAmt, p.budgetNetOfFFS else { continue }
      let received = pc.sum {
        $0.clearingAmt + $0.prepaidAmt + $0.turnoverFundAmt + $0.depositAmt - $0.depositReturnAmt
      }
      let retainedOrShared = pc.sum {
        ($0.assessedAmt - $0.fundPartAmt) + $0.surplusAdjAmt + $0.vbpReturnAmt - $0.deductionAmt
          - $0.assessmentDeductionAmt
      }
      #expect(received - retainedOrShared == budget - diff)
      // Floating pools spend their budget up to the rounding of the point value to 6 decimals: at most half a
      // millionth of a yuan per point, = points ÷ 20,000 fen, plus a fen for each rounding of a total.
      if p.pointMode == .floating && p.fundPart == .ratio && pc.pointsRaw > 0 {
        #expect(abs(diff) <= pc.pointsRaw / 10_000 / 20_000 + 2)
      }
    }
  }
}

/// For random months, the prepayment's shares add up to the pool to the fen, and every line follows §3.3.
@Suite struct PrepayPropertyTests {
  @Test(arguments: 0..<40)
  func reconciles(seed: Int) throws {
    var r = SplitMix(state: UInt64(seed) &* 104_729 &+ 3)
    var p = ClearingParams()
    p.monthlyRatio = Fixed(raw: 8_000 + r.below(1_501), scale: 4)
    p.qualityDeposit = Fixed(raw: r.below(501), scale: 4)
    var totals: [PoolHospital: HospitalTotals] = [:]
    var adjustments: [Adjustment] = []
    for pool in ["310", "390"] {
      p.pools[pool] = PoolParams(
        pool: pool, budgetFen: 1, initialPointValue: Fixed(raw: 5_000_000 + r.below(10_000_000), scale: 6))
      for h in 0..<(1 + r.below(30)) {
        var t = HospitalTotals()
        t.cases = 1 + r.below(100)
        t.pointsRaw = r.below(10_000_000_000)
        t.psnPartFen = r.below(t.pointsRaw / 100 + 1)
        totals[PoolHospital(pool, "H\(h)")] = t
        if r.below(3) == 0 {
          adjustments.append(
            Adjustment(fixmedinsCode: "H\(h)", pool: pool, amountFen: r.below(100_000), type: .deduction))
        }
      }
    }
    for pp in try Prepayment.run(params: p, totals: totals, adjustments: adjustments) {
      #expect(pp.checkPassed)
      #expect(pp.sum(\.pointsAmt) == PointValue.amount(pointsRaw: pp.pointsRaw, value: pp.pointValue!))
      for l in pp.lines {
        let base = max(0, l.pointsAmt - l.totals.psnPartFen)
        #expect(l.monthFundAmt == base)
        #expect(l.prepaidAmt == Fixed.mulDiv(base, p.monthlyRatio.raw, 10_000) - l.deductionAmt)
        // Prepaid (before deductions) and deposit never exceed the month's fund amount.
        #expect(l.prepaidAmt + l.deductionAmt + l.depositAmt <= base + 1)
      }
    }
  }
}
