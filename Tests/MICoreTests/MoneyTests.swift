import Foundation
import MICore
import Testing

/// Money and fixed-point arithmetic.
@Suite struct MoneyTests {
  @Test(
    arguments: [
      ("0", 0), ("1234", 123_400), ("1234.5", 123_450), ("1234.50", 123_450), ("-0.01", -1), ("0.10", 10),
      ("10094395709.96", 1_009_439_570_996),
    ] as [(String, Int64)])
  func parsesYuanToFen(text: String, fen: Int64) {
    #expect(Money.parse(text) == fen)
  }

  @Test(arguments: ["", "-", "1.", ".5", "1.234", "1e3", "+1", "1,000", " 1", "abc"])
  func refusesWhatIsNotPlainMoney(text: String) {
    #expect(Money.parse(text) == nil)
  }

  @Test func formatsWithExactlyTwoDecimals() {
    #expect(Money.format(0) == "0.00")
    #expect(Money.format(5) == "0.05")
    #expect(Money.format(-5) == "-0.05")
    #expect(Money.format(123_450) == "1234.50")
    #expect(Money.format(-100) == "-1.00")
  }

  @Test func roundsHalfAwayFromZero() {
    // 四舍五入: 2.5 → 3, -2.5 → -3, 2.49 → 2
    #expect(Fixed.divideRounded(25, by: 10) == 3)
    #expect(Fixed.divideRounded(-25, by: 10) == -3)
    #expect(Fixed.divideRounded(249, by: 100) == 2)
    #expect(Fixed.divideRounded(-249, by: 100) == -2)
    #expect(Fixed(raw: 12_345, scale: 4).rescaled(to: 2) == Fixed(raw: 123, scale: 2))
    #expect(Fixed(raw: 12_350, scale: 4).rescaled(to: 2).raw == 124)
    #expect(Fixed("0.125", scale: 2, rounding: true)?.raw == 13)
    #expect(Fixed("0.125", scale: 2) == nil)
  }

  @Test func mulDivUses128BitIntermediates() {
    // 6,410,000,000.00 yuan budget × 1,000,000 points / 999,999 points: the product exceeds Int64.
    let budget: Int64 = 641_000_000_000
    #expect(Fixed.mulDiv(budget, 1_000_000, 999_999) == 641_000_641_001)
  }

  @Test func fixedArithmetic() {
    let rw = Fixed("1.2345", scale: 4)!
    let coef = Fixed("0.85", scale: 2)!
    #expect(rw.multiplied(by: coef, scale: 4).description == "1.0493")  // 1.049325 → 1.0493
    #expect(Fixed("1", scale: 0)!.divided(by: Fixed("3", scale: 0)!, scale: 6)?.description == "0.333333")
    #expect(Fixed("2", scale: 0)!.divided(by: Fixed("3", scale: 0)!, scale: 6)?.description == "0.666667")
    #expect(Fixed("1.50", scale: 2)! == Fixed("1.5", scale: 1)!)
    #expect(Fixed("0.1", scale: 1)! + Fixed("0.25", scale: 2)! == Fixed("0.35", scale: 2)!)
    #expect(Fixed(raw: -1, scale: 3).description == "-0.001")
  }

  @Test func sha256KnownVectors() {
    var e = SHA256()
    #expect(e.hexDigest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    var abc = SHA256()
    abc.update(Array("abc".utf8))
    #expect(abc.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    var long = SHA256()
    long.update(Array(String(repeating: "a", count: 1000).utf8))
    #expect(long.hexDigest() == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    // The block-wise path gives the same digests, whatever the split of the input.
    #expect(
      SHA256.hex(Data(String(repeating: "a", count: 1000).utf8))
        == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    var split = SHA256()
    let bytes = Array(String(repeating: "a", count: 1000).utf8)
    for chunk in [0..<10, 10..<75, 75..<139, 139..<1000] { bytes[chunk].withUnsafeBytes { split.update($0) } }
    #expect(split.hexDigest() == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  }
}
