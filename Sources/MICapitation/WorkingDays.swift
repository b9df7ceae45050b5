import MICore

/// Working-day arithmetic for the objection deadline of the 拟清算方案 (seed 002: "定點醫療機構對清算工作存在疑議的,
/// 可在收到擬清算方案后7個工作日內向醫保經辦機構提出溝通協商").
///
/// Dates are proleptic Gregorian civil dates counted as days since 1970-01-01 (H. Hinnant's `days_from_civil`), so
/// no time zone or `Calendar` is involved and the result is the same on every machine.
public enum WorkingDays {
  /// Days since 1970-01-01 of `yyyy-MM-dd`, or nil when the text is not a valid date.
  public static func parse(_ text: String) -> Int? {
    guard let v = DateTime.parse(text, time: false) else { return nil }
    return daysFromCivil(v.year, v.month, v.day)
  }

  /// `yyyy-MM-dd` of a day number.
  public static func format(_ days: Int) -> String {
    let (y, m, d) = civilFromDays(days)
    func pad(_ v: Int, _ w: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
  }

  /// ISO weekday of a day number: 1 Monday … 7 Sunday (1970-01-01 was a Thursday).
  public static func weekday(_ days: Int) -> Int {
    let r = ((days + 3) % 7 + 7) % 7
    return r + 1
  }

  /// Whether a day is a working day: Monday to Friday and not a holiday, or a listed make-up working day (调休).
  public static func isWorking(_ days: Int, holidays: Set<String>, makeup: Set<String>) -> Bool {
    let text = format(days)
    if makeup.contains(text) { return true }
    if holidays.contains(text) { return false }
    return weekday(days) <= 5
  }

  /// The `count`-th working day after `start` (the day of receipt itself is not counted): the last day on which an
  /// objection is in time.
  public static func deadline(after start: Int, count: Int, holidays: Set<String>, makeup: Set<String>) -> Int {
    var day = start
    var left = count
    while left > 0 {
      day += 1
      if isWorking(day, holidays: holidays, makeup: makeup) { left -= 1 }
    }
    return day
  }

  static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int { DateTime.dayNumber(year: y, month: m, day: d) }

  static func civilFromDays(_ z: Int) -> (Int, Int, Int) {
    let c = DateTime.civil(z)
    return (c.year, c.month, c.day)
  }
}
