import MICore

/// `mi-report sum`: exact sums of money fields and counts of records, grouped by the values of other fields, for
/// any NDJSON. Amounts are read as decimal text straight into integer fen (`RecordScanner.fen`), so a total is
/// exact where a tool that adds binary doubles (jq, miller) prints `107341694.25999999` for `107341694.26`.
/// Memory grows with the number of groups, never with the records.
public struct SumAggregate: Mergeable, Sendable {
  /// The grouping fields (`--by`), possibly none (one group).
  public let by: [String]
  /// The money fields summed (`--fields`).
  public let fields: [String]
  /// Per group (the grouping values joined by U+001F): the record count and one sum per field.
  private var groups: [String: Totals] = [:]

  /// The count and the sums of one group.
  struct Totals: Sendable {
    var values: [String]
    var count: Int64 = 0
    var sums: [Int64]
  }

  /// Creates an empty aggregate.
  public init(by: [String], fields: [String]) {
    self.by = by
    self.fields = fields
  }

  /// The grouping value of a field: a code as the record spells it, `""` when absent or null.
  private static func groupValue(_ s: RecordScanner, _ field: String) throws(FieldError) -> String {
    guard let i = s.index(field) else { return "" }
    let raw = s.rawValue(i)
    // Booleans group too (a flag such as special_candidate); anything else must be a code.
    if let c = raw.first, c == UInt8(ascii: "t") || c == UInt8(ascii: "f") {
      return c == UInt8(ascii: "t") ? "true" : "false"
    }
    return try s.code(at: i, field: field) ?? ""
  }

  /// Adds one record: a money field that is absent or null adds nothing; one that is not an amount with at most
  /// two decimals rejects the record, naming the field.
  public mutating func add(record s: RecordScanner) throws {
    var values: [String] = []
    values.reserveCapacity(by.count)
    for f in by { values.append(try SumAggregate.groupValue(s, f)) }
    var amounts = [Int64](repeating: 0, count: fields.count)
    for (k, f) in fields.enumerated() { amounts[k] = try s.fen(f) ?? 0 }
    let key = values.joined(separator: "\u{1F}")
    var t = groups[key] ?? Totals(values: values, sums: [Int64](repeating: 0, count: fields.count))
    t.count += 1
    for k in amounts.indices {
      let (v, o) = t.sums[k].addingReportingOverflow(amounts[k])
      if o { throw FieldError(fields[k], "the sum leaves 64-bit fen") }
      t.sums[k] = v
    }
    groups[key] = t
  }

  /// Adds the groups of another aggregate (a worker's part of the input).
  public mutating func merge(_ other: SumAggregate) throws {
    for (key, o) in other.groups {
      guard var t = groups[key] else {
        groups[key] = o
        continue
      }
      t.count += o.count
      for k in t.sums.indices { t.sums[k] += o.sums[k] }
      groups[key] = t
    }
  }

  /// The table: one row per group in the sorted order of the grouping values (byte order, so the same input
  /// gives the same bytes), and a totals row.
  public func table() -> Table {
    var columns = by.map { Column($0, $0, $0) }
    columns.append(Column("count", "记录数", "records"))
    columns += fields.map { Column($0, $0, $0) }
    var t = Table(kind: "sum", title: ("合计", "Sums"), columns: columns)
    let sorted = groups.values.sorted { $0.values.lexicographicallyPrecedes($1.values, by: SumAggregate.byteOrder) }
    var total = Totals(values: [], sums: [Int64](repeating: 0, count: fields.count))
    for g in sorted {
      t.rows.append(g.values.map { Cell.text($0) } + [.int(g.count)] + g.sums.map { .money($0) })
      total.count += g.count
      for k in total.sums.indices { total.sums[k] += g.sums[k] }
    }
    t.footer = by.map { _ in Cell.none } + [.int(total.count)] + total.sums.map { .money($0) }
    return t
  }

  /// Strings compared by their UTF-8 bytes (the order of `sort` under LC_ALL=C).
  static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

/// Exact, mergeable partials of `mi-report sum` (`--partial`, `--merge`; mi-report(1), PARTIALS): NDJSON, every
/// record `"kind":"sum-partial"` with a `part`: the `header` (`PartialHeader`, mi-clear(1) PARTIAL FILES; its
/// `params` the `--by` and `--fields` lists, its `params_sha256` of them), then one `group` per group sorted by
/// its values: `values` (one per `--by` field), `count` and `sums` (one amount in yuan per `--fields` field). Counts
/// and sums add, so partials merge in any order to the sums of one run.
extension SumAggregate: Aggregate {
  /// The table of the sums.
  public typealias Result = Table

  /// The `kind` of every partial record.
  public static let partialKind = "sum-partial"

  /// The header of this run's partials: the grouping and summed fields decide what a partial means.
  public var partialHeader: PartialHeader {
    let text = "by=\(by.joined(separator: ","))\nfields=\(fields.joined(separator: ","))\n"
    return PartialHeader(
      kind: Self.partialKind, tool: "mi-report", command: "mi-report sum --partial",
      params: (by.isEmpty ? "" : "--by \(by.joined(separator: ",")) ") + "--fields \(fields.joined(separator: ","))",
      paramsSHA256: PartialHeader.digest(text), covers: "--by or --fields", year: nil, month: nil)
  }

  /// The table (`table()`).
  public mutating func finish() throws -> Table { table() }

  /// Passes one `group` record per group, sorted by values, to `emit`; returns how many.
  @discardableResult
  public mutating func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    let sorted = groups.values.sorted { $0.values.lexicographicallyPrecedes($1.values, by: SumAggregate.byteOrder) }
    for g in sorted {
      var b: [UInt8] = []
      var w = JSONWriter()
      w.begin(&b)
      w.string("kind", Self.partialKind, &b)
      w.string("part", "group", &b)
      w.strings("values", g.values, &b)
      w.int("count", g.count, &b)
      w.strings("sums", g.sums.map { Money.format($0) }, &b)
      w.end(&b)
      try emit(b)
    }
    return sorted.count
  }

  /// Adds one `group` record of a partial; a bad field throws naming it and adds nothing.
  public mutating func merge(partial s: RecordScanner) throws {
    guard try s.string("part") == "group" else { throw FieldError("part", "expected \"group\"") }
    guard let values = try s.strings("values") else { throw FieldError("values", "missing") }
    guard values.count == by.count else {
      throw FieldError("values", "expected \(by.count) values (one per --by field), found \(values.count)")
    }
    guard let count = try s.int("count"), count >= 0 else { throw FieldError("count", "expected a count") }
    guard let texts = try s.strings("sums") else { throw FieldError("sums", "missing") }
    guard texts.count == fields.count else {
      throw FieldError("sums", "expected \(fields.count) amounts (one per --fields field), found \(texts.count)")
    }
    var sums: [Int64] = []
    for t in texts {
      guard let v = Fixed(t, scale: 2)?.raw else {
        throw FieldError("sums", "expected amounts in yuan with at most two decimals, found \(t.prefix(40))")
      }
      sums.append(v)
    }
    let key = values.joined(separator: "\u{1F}")
    var t = groups[key] ?? Totals(values: values, sums: [Int64](repeating: 0, count: fields.count))
    let (c, co) = t.count.addingReportingOverflow(count)
    if co { throw FieldError("count", "the merged count no longer fits in 64 bits") }
    for k in sums.indices {
      let (v, o) = t.sums[k].addingReportingOverflow(sums[k])
      if o { throw FieldError("sums", "the merged sum of \(fields[k]) leaves 64-bit fen") }
      t.sums[k] = v
    }
    t.count = c
    groups[key] = t
  }
}
