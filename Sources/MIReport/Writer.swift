import MICore

/// Turns a report into the bytes of its format (`--format`, `--encoding`).
public enum ReportWriter {
  /// The output of `report` in `format`. CSV is encoded as `encoding` says (UTF-8 with BOM by default); the other
  /// formats are UTF-8. The number of records (rows) is returned for the summary line.
  public static func bytes(
    _ report: IndicatorReport, format: ReportFormat, lang: ReportLanguage, encoding: TextEncoding, color: Bool,
    showPersonal: Bool, inputs: [String]
  ) throws(MIError) -> (bytes: [UInt8], rows: Int) {
    let rows = report.tables.reduce(0) { $0 + $1.rows.count + ($1.footer == nil ? 0 : 1) }
    switch format {
    case .table: return (Array(Render.text(report.tables, lang: lang, color: color).utf8), rows)
    case .csv: return (try encoding.encode(Render.csv(report.tables, lang: lang)), rows)
    case .md: return (Array(Render.markdown(report.tables, lang: lang).utf8), rows)
    case .ndjson: return (Render.ndjson(report.tables), rows)
    case .html:
      let html = HTMLReport(report: report, lang: lang, showPersonal: showPersonal, inputs: inputs)
      return (Array(html.render().utf8), rows)
    }
  }

  /// The tables of the kinds named (`--tables`), in the report's order; an unknown kind is a usage error.
  public static func selectTables(_ tables: [Table], _ kinds: [String]) throws(MIError) -> [Table] {
    let known = ["indicator", "target", "audit", "pool-budget", "indicator-definition", "sum"]
    for k in kinds where !known.contains(k) {
      throw MIError.usage("--tables: unknown table '\(k)' (known: \(known.joined(separator: ", ")))")
    }
    return tables.filter { kinds.contains($0.kind) }
  }

  /// The `--explain` table: each indicator shown, its label, formula and source.
  public static func explainTable(_ keys: [String]) -> Table {
    var t = Table(
      kind: "indicator-definition", title: ("指标说明", "Indicator definitions"),
      columns: [
        Column("indicator", "指标", "indicator"), Column("label", "名称", "label"),
        Column("formula", "公式", "formula"), Column("source", "来源", "source"),
      ])
    for d in Indicators.all where keys.contains(d.column.key) {
      t.rows.append([
        .text(d.column.key), .label(key: d.column.zh, zh: d.column.zh, en: d.column.en),
        .label(key: d.formula.zh, zh: d.formula.zh, en: d.formula.en), .text(d.source),
      ])
    }
    return t
  }
}

extension IndicatorAggregate {
  /// Reads the previous period's cases (`--previous`) into an aggregate of the same dimensions, months moved one
  /// year on; a bad record stops with its file, line and field.
  public static func readPrevious(_ paths: [String], dims: [Dimension], registry: [String: HospitalInfo])
    throws(MIError)
    -> IndicatorAggregate
  {
    var a = IndicatorAggregate(dims: dims, registry: registry, shiftYear: true)
    let scanner = RecordScanner()
    for path in paths {
      let reader = try LineReader(path: path)
      while let line = try reader.nextLine() {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
        do {
          try scanner.parse(line)
          try a.add(record: scanner)
        } catch let e as FieldError {
          throw e.at(path, reader.lineNumber)
        } catch let e as MIError {
          throw e
        } catch {
          throw MIError.io("\(path): \(error)")
        }
      }
    }
    return a
  }
}
