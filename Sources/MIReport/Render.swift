import MICore

/// The output formats of `mi-report` (`--format`).
public enum ReportFormat: String, CaseIterable, Sendable {
  /// Aligned columns for a terminal.
  case table
  /// Comma-separated values for Excel and WPS.
  case csv
  /// Markdown pipe tables.
  case md
  /// One JSON record per row.
  case ndjson
  /// One self-contained HTML file with charts.
  case html
}

/// The renderers of tables: each writes every table of a report in its format, money always with two decimals.
public enum Render {
  /// A terminal table per table: a title, the header, a rule, the rows, and the totals under a second rule.
  /// Columns are padded by display width (`DisplayWidth`), numbers right-aligned; with `color` (standard output
  /// is a terminal) the header is bold and 未达标 red, 达标 green.
  public static func text(_ tables: [Table], lang: ReportLanguage, color: Bool) -> String {
    var out = ""
    for (k, t) in tables.enumerated() {
      if k > 0 { out += "\n" }
      if tables.count > 1 { out += (color ? "\u{1B}[1m\(t.title(lang))\u{1B}[0m" : t.title(lang)) + "\n" }
      let header = t.columns.map { $0.label(lang) }
      let body = t.rows + (t.footer.map { [$0] } ?? [])
      var widths = header.map(DisplayWidth.of)
      var numeric = [Bool](repeating: false, count: header.count)
      for r in body {
        for (i, c) in r.enumerated() {
          widths[i] = max(widths[i], DisplayWidth.of(c.text(lang)))
          if c.isNumeric { numeric[i] = true }
        }
      }
      func line(_ cells: [String], _ paint: [String?]) -> String {
        var parts: [String] = []
        for (i, s) in cells.enumerated() {
          let padded = DisplayWidth.pad(s, to: widths[i], left: !numeric[i])
          parts.append(paint[i].map { "\u{1B}[\($0)m\(padded)\u{1B}[0m" } ?? padded)
        }
        var l = parts.joined(separator: "  ")
        while l.hasSuffix(" ") { l.removeLast() }
        return l + "\n"
      }
      let rule = line(widths.map { String(repeating: "-", count: $0) }, widths.map { _ in nil })
      out += line(header, header.map { _ in color ? "1" : nil })
      out += rule
      for r in t.rows { out += line(r.map { $0.text(lang) }, r.map { color ? paint($0) : nil }) }
      if let f = t.footer {
        out += rule
        out += line(footerTexts(f, lang), f.map { _ in nil })
      }
    }
    return out
  }

  /// The colour of a cell (ANSI SGR), for target results only.
  static func paint(_ c: Cell) -> String? {
    guard case .met(let m?) = c else { return nil }
    return m ? "32" : "31"
  }

  /// The texts of a totals row: its label in the first empty cell, the other empty cells blank.
  static func footerTexts(_ f: [Cell], _ lang: ReportLanguage) -> [String] {
    f.enumerated().map {
      $0.offset == 0 && $0.element == .none ? total(lang) : ($0.element == .none ? "" : $0.element.text(lang))
    }
  }

  /// The label of a totals row.
  static func total(_ lang: ReportLanguage) -> String { lang == .zh ? "合计" : "Total" }

  /// CSV (RFC 4180, CRLF line ends, every cell as people read it): with several tables, each is preceded by its
  /// title on a line of its own and followed by an empty line. The caller adds the BOM or converts the encoding.
  public static func csv(_ tables: [Table], lang: ReportLanguage) -> String {
    var out = ""
    func row(_ cells: [String]) { out += cells.map(quote).joined(separator: ",") + "\r\n" }
    for (k, t) in tables.enumerated() {
      if k > 0 { out += "\r\n" }
      if tables.count > 1 { row([t.title(lang)]) }
      row(t.columns.map { $0.label(lang) })
      for r in t.rows { row(r.map { $0 == .none ? "" : $0.text(lang) }) }
      if let f = t.footer {
        row(footerTexts(f, lang))
      }
    }
    return out
  }

  /// A CSV field, quoted when it holds a comma, a quote, a line break, or starts with a character a spreadsheet
  /// would take for a formula (`=`, `+`, `-`, `@` followed by text: CSV injection; negative numbers stay numbers).
  static func quote(_ s: String) -> String {
    let escaped = s.replacingOccurrences(of: "\"", with: "\"\"")
    if let f = s.first,
      "=+@".contains(f)
        || (f == "-" && Fixed(String(s.dropLast(s.hasSuffix("%") ? 1 : 0)), scale: 18, rounding: true) == nil)
    {
      return "\"'" + escaped + "\""
    }
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) { return "\"" + escaped + "\"" }
    return s
  }

  /// Markdown: a `###` title and a pipe table per table, numbers right-aligned, the totals row in bold.
  public static func markdown(_ tables: [Table], lang: ReportLanguage) -> String {
    var out = ""
    func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    for (k, t) in tables.enumerated() {
      if k > 0 { out += "\n" }
      out += "### \(t.title(lang))\n\n"
      out += "| " + t.columns.map { esc($0.label(lang)) }.joined(separator: " | ") + " |\n"
      let numeric = t.columns.indices.map { i in t.rows.contains { $0[i].isNumeric } }
      out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
      for r in t.rows { out += "| " + r.map { esc($0.text(lang)) }.joined(separator: " | ") + " |\n" }
      if let f = t.footer {
        let cells = footerTexts(f, lang)
        out += "| " + cells.map { $0.isEmpty ? "" : "**\(esc($0))**" }.joined(separator: " | ") + " |\n"
      }
    }
    return out
  }

  /// NDJSON: one record per row, `{"kind":…, field: value…}` with numbers exact (money two decimals, ratios as
  /// ratios) and null for no value; a totals row is a record of kind `<kind>-total` without the grouping fields.
  public static func ndjson(_ tables: [Table]) -> [UInt8] {
    var out: [UInt8] = []
    for t in tables {
      let keys = t.columns.map { JSONWriter.encodedKey($0.key) }
      func record(_ kind: String, _ r: [Cell], skipNone: Bool) {
        var w = JSONWriter()
        w.begin(&out)
        w.string("kind", kind, &out)
        for (i, c) in r.enumerated() where !(skipNone && c == .none) {
          w.key(encoded: keys[i], &out)
          c.appendJSON(to: &out)
        }
        w.end(&out)
      }
      for r in t.rows { record(t.kind, r, skipNone: false) }
      if let f = t.footer { record(t.kind + "-total", f, skipNone: true) }
    }
    return out
  }
}
