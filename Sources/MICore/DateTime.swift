/// Strict dates `yyyy-MM-dd` and times `yyyy-MM-dd HH:mm:ss` (SCHEMA.md), checked against the calendar (leap years
/// included) straight from the bytes: no `DateFormatter`, no `String` on the record path.
///
/// Every tool that reads a date or time field checks it here, so a value written another way (`2024/5/28 12:00`
/// as Excel or WPS writes it, `20240528`, `2024-02-30`) is a data error naming the field, never a record that
/// silently falls "outside the period".
public enum DateTime {
  /// A checked calendar date (and the time of day for a time).
  public struct Value: Sendable, Equatable {
    /// The year, 0001–9999.
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month.
    public var day: Int

    /// Creates a value (unchecked).
    @inlinable public init(year: Int, month: Int, day: Int) {
      self.year = year
      self.month = month
      self.day = day
    }
  }

  /// The shape expected, for messages.
  public static func shape(time: Bool) -> String { time ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd" }

  /// Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's `days_from_civil`): plain
  /// arithmetic on the calendar, no time zone involved. The one implementation the tools share.
  @inlinable public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  /// The civil date of a day number (`civil_from_days`), the inverse of `dayNumber`.
  @inlinable public static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
    let z = dayNumber + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  /// `yyyy-MM-dd` of a day number.
  public static func dateText(_ dayNumber: Int) -> String {
    let c = civil(dayNumber)
    func pad(_ n: Int, _ w: Int) -> String {
      let s = String(n)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
  }

  /// Whether `year` is a leap year of the Gregorian calendar.
  @inlinable public static func isLeap(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  /// The number of days of `month` in `year`.
  @inlinable public static func days(_ year: Int, _ month: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// The value of `bytes` (without quotes): exactly `yyyy-MM-dd`, or exactly `yyyy-MM-dd HH:mm:ss` when `time`,
  /// a real day and a real time of day; nil otherwise.
  @inlinable public static func parse(_ bytes: UnsafeRawBufferPointer, time: Bool) -> Value? {
    guard bytes.count == (time ? 19 : 10) else { return nil }
    @inline(__always) func digits(_ at: Int, _ n: Int) -> Int? {
      var v = 0
      for i in at..<(at + n) {
        let c = bytes[i]
        guard c >= 48 && c <= 57 else { return nil }
        v = v * 10 + Int(c - 48)
      }
      return v
    }
    guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      let y = digits(0, 4), let m = digits(5, 2), let d = digits(8, 2),
      y >= 1, (1...12).contains(m), d >= 1, d <= days(y, m)
    else { return nil }
    if time {
      guard bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
        let hh = digits(11, 2), let mm = digits(14, 2), let ss = digits(17, 2), hh < 24, mm < 60, ss < 60
      else { return nil }
    }
    return Value(year: y, month: m, day: d)
  }

  /// The value of a text (see `parse(_:time:)`).
  public static func parse(_ text: String, time: Bool) -> Value? {
    var t = text
    return t.withUTF8 { parse(UnsafeRawBufferPointer($0), time: time) }
  }

  /// The value of a raw JSON member value (a string in quotes, as `RecordScanner.rawValue` gives it); a number,
  /// `null` or a string with escapes is nil.
  @inlinable public static func parseJSON(_ raw: UnsafeRawBufferPointer, time: Bool) -> Value? {
    guard raw.count >= 2, raw[0] == UInt8(ascii: "\""), raw[raw.count - 1] == UInt8(ascii: "\"") else { return nil }
    return parse(UnsafeRawBufferPointer(rebasing: raw[1..<(raw.count - 1)]), time: time)
  }

  /// Reads the date or time field `field` of the record: nil when absent or `null`, its value when valid, and a
  /// `FieldError` naming the field, the shape expected and the value found otherwise.
  public static func read(_ s: RecordScanner, _ field: StaticString, time: Bool) throws(FieldError) -> Value? {
    guard let raw = s.rawValue(field), !(raw.count == 4 && raw[0] == UInt8(ascii: "n")) else { return nil }
    if let v = parseJSON(raw, time: time) { return v }
    throw invalid(field.description, raw: raw, time: time)
  }

  /// The error for a value that is not a date or time of the expected shape.
  public static func invalid(_ field: String, raw: UnsafeRawBufferPointer, time: Bool) -> FieldError {
    let shown = String(decoding: raw.prefix(40), as: UTF8.self)
    return FieldError(field, "expected \(time ? "a time" : "a date") \(shape(time: time)), found \(shown)")
  }
}
