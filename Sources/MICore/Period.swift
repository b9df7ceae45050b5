/// Period texts: a month `YYYY-MM` or a year `YYYY`.
public enum Period {
  /// Whether `s` is `YYYY-MM` with a month 01–12.
  public static func isMonth(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard b.count == 7, b[4] == UInt8(ascii: "-"),
      b.enumerated().allSatisfy({ $0.offset == 4 || ($0.element >= 48 && $0.element <= 57) })
    else { return false }
    let m = Int(s.suffix(2))!
    return m >= 1 && m <= 12
  }

  /// Whether `s` is `YYYY`.
  public static func isYear(_ s: String) -> Bool {
    s.utf8.count == 4 && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
  }
}
