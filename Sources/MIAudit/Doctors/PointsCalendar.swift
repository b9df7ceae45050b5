import MICore

/// Calendar arithmetic of the doctor points: days since 1970-01-01 (proleptic Gregorian, H. Hinnant's
/// `days_from_civil`), `yyyy-MM-dd` text, and whole months added to a date.
enum PointsCalendar {
  /// The day number of a civil date.
  static func day(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  /// The civil date of a day number.
  static func civil(_ z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  /// The day number of a `yyyy-MM-dd` text, nil when it is not a real date.
  static func day(_ text: String) -> Int? {
    guard let v = DateTime.parse(text, time: false) else { return nil }
    return day(v.year, v.month, v.day)
  }

  /// `yyyy-MM-dd` of a day number.
  static func text(_ day: Int) -> String {
    let c = civil(day)
    func pad(_ n: Int, _ w: Int) -> String {
      let s = String(n)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
  }

  /// The last day of a suspension of `months` whole months starting on `from`: the day before the same day of
  /// the month `months` later, clamped to that month's length (one month from 2024-01-31 ends on 2024-02-28, the
  /// day before 2024-02-29; one month from 2024-05-11 ends on 2024-06-10).
  static func lastDay(from: Int, months: Int) -> Int {
    let c = civil(from)
    let total = c.year * 12 + (c.month - 1) + months
    let y = total / 12
    let m = total % 12 + 1
    return day(y, m, min(c.day, DateTime.days(y, m))) - 1
  }
}
