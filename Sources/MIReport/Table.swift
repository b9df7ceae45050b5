import MICore

/// The language of a report's labels (DESIGN.md §7: the bureau's Chinese terms by default, English on request).
public enum ReportLanguage: String, Sendable {
  /// 中文.
  case zh
  /// English.
  case en
}

/// One value of a report table, typed so that each format writes it its own way: money stays integer fen and is
/// always printed with two decimals, ratios are exact `Fixed` numbers.
public enum Cell: Sendable, Equatable {
  /// A code or a name.
  case text(String)
  /// A count.
  case int(Int64)
  /// Money in fen.
  case money(Int64)
  /// A fixed-point number (an index, points, a point value).
  case fixed(Fixed)
  /// A ratio shown as a percentage in people's formats (`0.9512` → `95.12%`), as the ratio in NDJSON.
  case percent(Fixed)
  /// Whether a target is met; nil when it cannot be told.
  case met(Bool?)
  /// A label people read in their language; NDJSON writes the key.
  case label(key: String, zh: String, en: String)
  /// Nothing to show (no denominator, no such record).
  case none

  /// The text people read (tables, CSV, Markdown, HTML).
  public func text(_ lang: ReportLanguage) -> String {
    switch self {
    case .text(let s): return s
    case .label(_, let zh, let en): return lang == .zh ? zh : en
    case .int(let n): return String(n)
    case .money(let fen): return Money.format(fen)
    case .fixed(let f): return f.description
    case .percent(let f):
      // A ratio at scale s is a percentage at scale s − 2, exactly: no rounding happens here.
      let atLeast2 = f.scale >= 2 ? f : f.rescaled(to: 2)
      return Fixed(raw: atLeast2.raw, scale: atLeast2.scale - 2).description + "%"
    case .met(let m):
      guard let m else { return "—" }
      switch lang {
      case .zh: return m ? "达标" : "未达标"
      case .en: return m ? "met" : "not met"
      }
    case .none: return "—"
    }
  }

  /// Whether the value is a number (right-aligned in tables).
  public var isNumeric: Bool {
    switch self {
    case .int, .money, .fixed, .percent: return true
    default: return false
    }
  }

  /// Appends the JSON value (a number with its exact decimals, a string, a boolean or null).
  public func appendJSON(to out: inout [UInt8]) {
    switch self {
    case .text(let s), .label(let s, _, _): JSONWriter.appendString(s, to: &out)
    case .int(let n): JSONWriter.appendInt(n, to: &out)
    case .money(let fen): Money.append(fen, to: &out)
    case .fixed(let f), .percent(let f): Fixed.appendRaw(f.raw, scale: f.scale, to: &out)
    case .met(let m):
      if let m { out.append(contentsOf: Array((m ? "true" : "false").utf8)) } else { JSONWriter.appendNull(&out) }
    case .none: JSONWriter.appendNull(&out)
    }
  }
}

/// A column: its field name (the NDJSON key, `--columns`) and its label in each language.
public struct Column: Sendable, Equatable {
  /// The field name.
  public var key: String
  /// The Chinese label.
  public var zh: String
  /// The English label.
  public var en: String

  /// Creates a column.
  public init(_ key: String, _ zh: String, _ en: String) {
    self.key = key
    self.zh = zh
    self.en = en
  }

  /// The label in `lang`.
  public func label(_ lang: ReportLanguage) -> String { lang == .zh ? zh : en }
}

/// One table of a report: what every renderer draws.
public struct Table: Sendable, Equatable {
  /// The record kind in NDJSON (`indicator`, `target`, `sum`, …).
  public var kind: String
  /// The title in Chinese and in English.
  public var title: (zh: String, en: String)
  /// The columns.
  public var columns: [Column]
  /// The rows, each with one cell per column.
  public var rows: [[Cell]]
  /// The totals row, drawn under a rule (NDJSON: a record of kind `<kind>-total`), if any.
  public var footer: [Cell]?

  /// Creates a table.
  public init(kind: String, title: (zh: String, en: String), columns: [Column], rows: [[Cell]] = []) {
    self.kind = kind
    self.title = title
    self.columns = columns
    self.rows = rows
  }

  /// The title in `lang`.
  public func title(_ lang: ReportLanguage) -> String { lang == .zh ? title.zh : title.en }

  /// This table with only the columns named in `keys` (in that order); an unknown name is a usage error that
  /// lists the known ones.
  public func selecting(_ keys: [String]) throws(MIError) -> Table {
    var idx: [Int] = []
    for k in keys {
      guard let i = columns.firstIndex(where: { $0.key == k }) else {
        throw MIError.usage(
          "--columns: unknown column '\(k)' (known: \(columns.map(\.key).joined(separator: ", ")))")
      }
      idx.append(i)
    }
    var t = self
    t.columns = idx.map { columns[$0] }
    t.rows = rows.map { r in idx.map { r[$0] } }
    t.footer = footer.map { r in idx.map { r[$0] } }
    return t
  }

  /// Equal when kind, titles, columns and rows are.
  public static func == (a: Table, b: Table) -> Bool {
    a.kind == b.kind && a.title == b.title && a.columns == b.columns && a.rows == b.rows && a.footer == b.footer
  }
}
