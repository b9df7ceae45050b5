import MICore
import Testing

@testable import MIAudit

/// The amount formulas of AUDIT.md §2.3 and §3, each computed by hand in the comment beside it.
@Suite struct AmountTests {
  static func fx(_ s: String) -> Fixed { Fixed(s, scale: 4)! }

  static func line(_ sn: String, cnt: String, pric: String, time: Int64, exposure: Int64? = nil) -> FeeLine {
    var l = FeeLine(seq: 0, feedetlSN: sn, medListCodg: "C", cnt: fx(cnt), pric: fx(pric), time: time)
    if let exposure { l.exposure = exposure }
    return l
  }

  @Test func exposureIsInscpElseSumLessSelfPaidPartsFloorZero() {
    // inscp_scp_amt given: 8.00 whatever the rest.
    #expect(FeeLine.exposure(sum: 2000, ownpay: 500, overlmt: 0, preself: 0, inscp: 800) == 800)
    // 20.00 − 5.00 − 1.00 − 2.00 = 12.00.
    #expect(FeeLine.exposure(sum: 2000, ownpay: 500, overlmt: 100, preself: 200, inscp: nil) == 1200)
    // 10.00 − 12.00 < 0 → 0.
    #expect(FeeLine.exposure(sum: 1000, ownpay: 1200, overlmt: 0, preself: 0, inscp: nil) == 0)
  }

  @Test func quantityTimesPriceRoundsHalfUpOnce() {
    // 3 × 0.3333 = 0.9999 yuan → 1.00 (99.99 fen rounds to 100).
    #expect(FeeLine.fen(AmountTests.fx("3"), AmountTests.fx("0.3333")) == 100)
    // 1.5 × 0.0333 = 0.04995 → 0.05 (half up).
    #expect(FeeLine.fen(AmountTests.fx("1.5"), AmountTests.fx("0.0333")) == 5)
  }

  @Test func priceCapExcessLessOverlimitSelfPay() {
    // B01: (12.50 − 10.00) × 2 − 1.00 = 4.00.
    #expect(
      PriceCapRule.excess(
        pric: AmountTests.fx("12.5"), cap: AmountTests.fx("10"), cnt: AmountTests.fx("2"), overlmt: 100) == 400)
    // (10.005 − 10) × 3 = 0.015 → 0.02 (half up to the fen, once).
    #expect(
      PriceCapRule.excess(
        pric: AmountTests.fx("10.005"), cap: AmountTests.fx("10"), cnt: AmountTests.fx("3"), overlmt: 0) == 2)
    // Self-pay above the excess: max(0, 5.00 − 6.00) = 0.
    #expect(
      PriceCapRule.excess(
        pric: AmountTests.fx("12.5"), cap: AmountTests.fx("10"), cnt: AmountTests.fx("2"), overlmt: 600) == 0)
    // Not above the cap.
    #expect(
      PriceCapRule.excess(pric: AmountTests.fx("10"), cap: AmountTests.fx("10"), cnt: AmountTests.fx("2"), overlmt: 0)
        == 0)
  }

  @Test func discountChargesThePartAboveRateTimesReferenceCappedByE() {
    // B04: 800 − 0.5 × 800 = 400.00.
    #expect(
      DiscountRule.excess(
        pric: AmountTests.fx("800"), ref: AmountTests.fx("800"), rate: AmountTests.fx("0.5"), cnt: AmountTests.fx("1"),
        exposure: 80_000) == 40_000)
    // With a cap of 900: 800 − 450 = 350.00, twice = 700.00, E 600.00 caps it.
    #expect(
      DiscountRule.excess(
        pric: AmountTests.fx("800"), ref: AmountTests.fx("900"), rate: AmountTests.fx("0.5"), cnt: AmountTests.fx("2"),
        exposure: 60_000) == 60_000)
    // Charged at the discounted price: nothing.
    #expect(
      DiscountRule.excess(
        pric: AmountTests.fx("400"), ref: AmountTests.fx("800"), rate: AmountTests.fx("0.5"), cnt: AmountTests.fx("1"),
        exposure: 40_000) == 0)
  }

  @Test func excessIsAllocatedToTheLatestLinesFirstEachCappedByE() {
    // Three lines of 10.00 each, excess 2.5 units: the latest (F3, 1 unit: 10.00), then F2 (its E 6.00 caps 1 unit
    // of 10.00), then 0.5 unit of F1 (5.00). Total 21.00.
    let f1 = AmountTests.line("F1", cnt: "1", pric: "10", time: 100)
    let f2 = AmountTests.line("F2", cnt: "1", pric: "10", time: 200, exposure: 600)
    let f3 = AmountTests.line("F3", cnt: "1", pric: "10", time: 300)
    let d = FeeRuleSupport.allocateExcess(AmountTests.fx("2.5"), over: [f1, f2, f3])
    #expect(d.map(\.feedetlSN) == ["F3", "F2", "F1"])
    #expect(d.map(\.volaAmt) == [1000, 600, 500])
    #expect(d[2].cnt == AmountTests.fx("0.5"))
  }

  @Test func latestFirstBreaksTimeTiesByFeedetlSNDescending() {
    let a = AmountTests.line("F10", cnt: "1", pric: "1", time: 100)
    let b = AmountTests.line("F9", cnt: "1", pric: "1", time: 100)
    // Same time: "F9" > "F10" as text, so F9 is "later".
    #expect(FeeRuleSupport.allocateExcess(AmountTests.fx("1"), over: [a, b]).map(\.feedetlSN) == ["F9"])
  }

  @Test func amountQuotaTakesWholeExposuresLatestFirst() {
    // Excess 5.00 over lines of E 3.00 (latest) and 4.00: 3.00 then 2.00.
    let old = AmountTests.line("F1", cnt: "1", pric: "4", time: 100)
    let new = AmountTests.line("F2", cnt: "1", pric: "3", time: 200)
    #expect(FeeRuleSupport.allocateAmount(500, over: [old, new]).map(\.volaAmt) == [300, 200])
  }

  @Test func ageInCompletedYearsCountsTheBirthday() {
    let birth = AuditTime.dayNumber(year: 2006, month: 3, day: 15)
    #expect(AuditAge.years(birthDay: birth, on: AuditTime.dayNumber(year: 2024, month: 3, day: 14)) == 17)
    #expect(AuditAge.years(birthDay: birth, on: AuditTime.dayNumber(year: 2024, month: 3, day: 15)) == 18)
    // 29 February: the new year counts from 1 March in common years.
    let leap = AuditTime.dayNumber(year: 2004, month: 2, day: 29)
    #expect(AuditAge.years(birthDay: leap, on: AuditTime.dayNumber(year: 2022, month: 2, day: 28)) == 17)
    #expect(AuditAge.years(birthDay: leap, on: AuditTime.dayNumber(year: 2022, month: 3, day: 1)) == 18)
  }

  @Test func dayNumbersAndTimes() {
    #expect(AuditTime.dayNumber(year: 1970, month: 1, day: 1) == 0)
    #expect(AuditTime.dayNumber(year: 2024, month: 3, day: 1) == 19783)
    #expect(AuditTime.dateText(19783) == "2024-03-01")
    #expect(AuditTime.dateText(AuditTime.dayNumber(year: 1969, month: 12, day: 31)) == "1969-12-31")
    let t = Array("2024-03-01 10:20:30".utf8).withUnsafeBytes { AuditTime.seconds($0) }
    let want: Int64 = 19783 * 86400 + 37230  // 10:20:30 = 37,230 s
    #expect(t == want)
    #expect(Array("2024-02-30 10:20:30".utf8).withUnsafeBytes { AuditTime.seconds($0) } == nil)
  }

  @Test func rollingWindowKeepsOccurrencesGreedily() {
    // 1 per 15 days: days 0, 14 (excess), 15 (kept: day 0 is out of 1…15, day 14 was not kept), 20 (excess).
    let lines = [0, 14, 15, 20].enumerated().map { i, d in
      AmountTests.line("F\(i)", cnt: "1", pric: "1", time: Int64(d) * 86400)
    }
    let excess = RollingFrequencyRule.excessLines(lines, maxCount: 1, periodDays: 15)
    #expect(excess.map(\.feedetlSN) == ["F1", "F3"])
  }

  @Test func courseDays() {
    // days_used 3: the 4th and 5th distinct days are excess; repeats count once.
    #expect(CourseRule.excessDays([1, 1, 2, 5, 9, 12], maxDays: 3, spanFromFirstUse: false) == [9, 12])
    // span 365 from day 0: day 364 is the last allowed.
    #expect(CourseRule.excessDays([0, 364, 365], maxDays: 365, spanFromFirstUse: true) == [365])
  }

  @Test func bedOnlyRunsOfConsecutiveDays() {
    #expect(BedOnlyDaysRule.runDays([1, 2, 3, 5, 6], minDays: 3) == [1, 2, 3])
    #expect(BedOnlyDaysRule.runDays([1, 2, 4, 5], minDays: 3).isEmpty)
  }
}
