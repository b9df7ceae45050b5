import MICore

/// Calendar arithmetic of the doctor points: days since 1970-01-01 (proleptic Gregorian, H. Hinnant's
/// `days_from_civil`), `yyyy-MM-dd` text, and whole months added to a date.
enum PointsCalendar {
  /// The day number of a civil date (MICore `DateTime.dayNumber`).
  static func day(_ y: Int, _ m: Int, _ d: Int) -> Int { DateTime.dayNumber(year: y, month: m, day: d) }

  /// The civil date of a day number.
  static func civil(_ z: Int) -> (year: Int, month: Int, day: Int) { DateTime.civil(z) }

  /// The day number of a `yyyy-MM-dd` text, nil when it is not a real date.
  static func day(_ text: String) -> Int? {
    guard let v = DateTime.parse(text, time: false) else { return nil }
    return day(v.year, v.month, v.day)
  }

  /// `yyyy-MM-dd` of a day number.
  static func text(_ day: Int) -> String { DateTime.dateText(day) }

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
