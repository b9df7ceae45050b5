import MICore

/// Exact, mergeable partial aggregates of `mi-report indicators` (DESIGN.md §6, issue 17): `--partial` on each
/// slice of the records, `--merge` on all the partials, gives the report of one run over every record, byte for
/// byte, whatever the order of the partials.
///
/// A partial is NDJSON, every record `"kind":"report-partial"` with a `part`, in this order:
/// - `header`: the header every partial file starts with (`PartialHeader`, mi-clear(1) PARTIAL FILES), its
///   `params` the `--by` list and its `params_sha256` of the dimensions and, with `--by hosp_lv`, the registry's
///   levels (`IndicatorPartial.digest`): the two things that place a record in a cell; `year` and `month` null;
/// - `counts`: `latest_year` (the latest settlement year seen, `""` for none) and `cost_ratio_bins` (31 counts);
/// - `ignored`: `record_kind`, `records`: records of other kinds, sorted by kind;
/// - `cell`: `values` (one per `--by` dimension) and the cell's sums (`CellStats`, `IndicatorPartial.cellFields`:
///   money in yuan, points and weights with 4 decimals, `cost_squares` an integer of fen²), sorted by values;
/// - `cell-group`: `values`, `group_code` and the group's sums in the cell (`GroupSums`), sorted;
/// - `cell-persons`: `values` and `hashes`, the cell's distinct outpatient persons as 16 hex digits of their
///   `PersonSet` hash (never the `psn_no` itself), sorted, at most 4096 a record;
/// - `group`: `group_code`, `group_name` (null when no case gave one) and the group's sums, sorted;
/// - `month`: `month`, `cases`, `medfee_amt`, `hifp_amt`, sorted;
/// - `pool`: `source`, `pool`, `budget_amt`, `payment_amt`, `clearing_amt`, `point_value`, sorted;
/// - `rule`: `rule_id`, `rule_name`, `findings`, `vola_amt`, sorted.
///
/// Sums add (overflow is an error), person hashes unite, the latest year is the greater. A name (a group's, a
/// rule's) and a pool record are what the records give once each: should two partials disagree, the merge keeps
/// the least name in byte order and the greater pool record, so any order of merging gives the same bytes. The
/// case lines of the HTML drill-down are not partial: `--format html` needs the single pass (mi-report(1),
/// PARTIALS).
public enum IndicatorPartial {
  /// The `kind` of every partial record.
  public static let kind = "report-partial"
  /// Person hashes per record.
  static let hashesPerRecord = 4096
  /// Why `--format html` is refused with `--partial` and `--merge`.
  public static let htmlRefusal =
    "--format html needs the single pass: its drill-down keeps every case line, which a partial would have to carry "
    + "whole; merge to table, csv, md or ndjson, or write the HTML report in one run"

  /// How a sum is written: a count, an amount in fen (written in yuan) or a fixed-point value with 4 decimals.
  enum Unit { case count, fen, scale4 }

  /// The Int64 sums of a cell, by field name, in the order they are written (computed: key paths are not
  /// Sendable, so a stored static table would be shared mutable state to the compiler).
  static var cellFields: [(StaticString, WritableKeyPath<CellStats, Int64>, Unit)] {
    [
      ("cases", \.cases, .count), ("group_tried", \.groupTried, .count), ("grouped", \.grouped, .count),
      ("scored", \.scored, .count), ("weight_n", \.weightN, .count), ("weight_sum", \.weightSum, .scale4),
      ("points", \.points, .scale4), ("medfee_amt", \.medfee, .fen), ("hifp_amt", \.hifp, .fen),
      ("hifp_scored_amt", \.hifpScored, .fen), ("high", \.high, .count), ("low", \.low, .count),
      ("special", \.special, .count), ("item_base_amt", \.itemBase, .fen), ("drug_amt", \.drug, .fen),
      ("material_amt", \.material, .fen), ("outpatient", \.outpatient, .count), ("clearings", \.clearings, .count),
      ("clear_cases", \.clearCases, .count), ("clear_points", \.clearPoints, .scale4),
      ("clearing_amt", \.clearingAmt, .fen), ("payable_amt", \.payableAmt, .fen), ("ffs_amt", \.ffsAmt, .fen),
      ("ratio_payment_amt", \.ratioPayment, .fen), ("capitations", \.capitations, .count),
      ("cap_settlements", \.capSettlements, .count), ("cap_payout_amt", \.capPayout, .fen),
      ("cap_clearing_amt", \.capClearing, .fen),
    ]
  }

  /// The sums of a group, in the order they are written.
  static var groupFields: [(StaticString, WritableKeyPath<GroupSums, Int64>, Unit)] {
    [
      ("n", \.n, .count), ("cost_amt", \.cost, .fen), ("days_n", \.daysN, .count), ("days", \.days, .count),
      ("points", \.points, .scale4), ("hifp_amt", \.hifp, .fen),
    ]
  }

  /// SHA-256 (hex) of what places a record in a cell: the dimensions and, with `hosp_lv` among them, each
  /// registry hospital's level. Partials agree when this agrees; names only label the finished report.
  public static func digest(dims: [Dimension], registry: [String: HospitalInfo]) -> String {
    var t = "by=\(dims.map(\.rawValue).joined(separator: ","))\n"
    if dims.contains(.hosp_lv) {
      for code in registry.keys.sorted(by: SumAggregate.byteOrder) { t += "level \(code)=\(registry[code]!.level)\n" }
    }
    return PartialHeader.digest(t)
  }

  /// The header of a run's partials.
  public static func header(dims: [Dimension], registry: [String: HospitalInfo]) -> PartialHeader {
    PartialHeader(
      kind: kind, tool: "mi-report", command: "mi-report indicators --partial",
      params: dims.map(\.rawValue).joined(separator: ","), paramsSHA256: digest(dims: dims, registry: registry),
      covers: "--by dimensions or --hospitals levels", year: nil, month: nil)
  }

  /// Writes `value` under `key` as its unit says.
  static func put(_ w: inout JSONWriter, _ key: StaticString, _ value: Int64, _ unit: Unit, _ b: inout [UInt8]) {
    switch unit {
    case .count: w.int(key, value, &b)
    case .fen: w.fen(key, value, &b)
    case .scale4: w.fixed(key, value, scale: 4, &b)
    }
  }

  /// Reads `key` as its unit says; absent is an error, and a count must not be negative.
  static func get(_ s: RecordScanner, _ key: StaticString, _ unit: Unit) throws(FieldError) -> Int64 {
    let v: Int64?
    switch unit {
    case .count: v = try s.int(key)
    case .fen: v = try s.fen(key)
    case .scale4: v = try s.fixed(key, scale: 4)
    }
    guard let v else { throw FieldError(key.description, "missing") }
    if unit == .count && v < 0 { throw FieldError(key.description, "must not be negative") }
    return v
  }

  /// `a + b`, or an error naming `field` when the sum leaves 64 bits.
  static func sum(_ a: Int64, _ b: Int64, _ field: StaticString) throws(FieldError) -> Int64 {
    let (v, o) = a.addingReportingOverflow(b)
    if o { throw FieldError(field.description, "the merged sum no longer fits in 64 bits") }
    return v
  }
}

extension IndicatorAggregate: Aggregate {
  /// The aggregate itself, complete: `report(previous:targets:)` renders it.
  public typealias Result = IndicatorAggregate

  /// The header of this run's partials (`IndicatorPartial.header`).
  public var partialHeader: PartialHeader { IndicatorPartial.header(dims: dims, registry: registry) }

  /// Returns the aggregate (the report needs `--previous` and the targets, which only the finishing run has).
  public mutating func finish() throws -> IndicatorAggregate { self }

  /// Passes the partial records of everything read so far, in the documented order after the header (which
  /// `RecordStream.emitPartials` writes), one at a time to `emit`; returns how many. Refuses an aggregate that
  /// keeps case lines (`detail`): the drill-down needs the single pass.
  @discardableResult
  public mutating func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    if detail { throw MIError.usage(IndicatorPartial.htmlRefusal) }
    var written = 0
    func record(_ part: StaticString, _ members: (inout JSONWriter, inout [UInt8]) -> Void) throws {
      try emit(PartialRecord.line(kind: IndicatorPartial.kind, part: part, members))
      written += 1
    }
    let order = SumAggregate.byteOrder
    try record("counts") { w, b in
      w.string("latest_year", latestYear, &b)
      w.raw("cost_ratio_bins", Array("[\(costRatioBins.map(String.init).joined(separator: ","))]".utf8), &b)
    }
    for k in ignored.keys.sorted(by: order) {
      try record("ignored") { w, b in
        w.string("record_kind", k, &b)
        w.int("records", ignored[k]!, &b)
      }
    }
    let keys = cells.keys.sorted(by: order)
    for k in keys {
      let c = cells[k]!
      let values = cellValues[k]!
      try record("cell") { w, b in
        w.strings("values", values, &b)
        for (name, path, unit) in IndicatorPartial.cellFields {
          IndicatorPartial.put(&w, name, c[keyPath: path], unit, &b)
        }
        w.raw("cost_squares", Array(String(c.costSquares).utf8), &b)
      }
      for g in c.byGroup.keys.sorted(by: order) {
        try record("cell-group") { w, b in
          w.strings("values", values, &b)
          w.string("group_code", g, &b)
          Self.putGroup(&w, c.byGroup[g]!, &b)
        }
      }
      var hashes: [UInt64] = []
      c.persons.forEach { hashes.append($0) }
      hashes.sort()
      for start in stride(from: 0, to: hashes.count, by: IndicatorPartial.hashesPerRecord) {
        let chunk = hashes[start..<min(start + IndicatorPartial.hashesPerRecord, hashes.count)]
        try record("cell-persons") { w, b in
          w.strings("values", values, &b)
          w.strings("hashes", chunk.map(Self.hex), &b)
        }
      }
    }
    for g in groups.keys.sorted(by: order) {
      try record("group") { w, b in
        w.string("group_code", g, &b)
        w.string("group_name", groupNames[g], &b)
        Self.putGroup(&w, groups[g]!, &b)
      }
    }
    for m in months.keys.sorted(by: order) {
      let v = months[m]!
      try record("month") { w, b in
        w.string("month", m, &b)
        w.int("cases", v.cases, &b)
        w.fen("medfee_amt", v.medfee, &b)
        w.fen("hifp_amt", v.hifp, &b)
      }
    }
    for k in pools.keys.sorted(by: order) {
      let p = pools[k]!
      try record("pool") { w, b in
        w.string("source", p.source, &b)
        w.string("pool", String(k.split(separator: "\u{1F}", omittingEmptySubsequences: false).last!), &b)
        w.fen("budget_amt", p.budget, &b)
        w.fen("payment_amt", p.payment, &b)
        w.fen("clearing_amt", p.clearing, &b)
        w.fixed("point_value", p.pointValue?.raw, scale: 6, &b)
      }
    }
    for k in rules.keys.sorted(by: order) {
      let r = rules[k]!
      try record("rule") { w, b in
        w.string("rule_id", k, &b)
        w.string("rule_name", r.name, &b)
        w.int("findings", r.findings, &b)
        w.fen("vola_amt", r.amount, &b)
      }
    }
    return written
  }

  private static func putGroup(_ w: inout JSONWriter, _ g: GroupSums, _ b: inout [UInt8]) {
    for (name, path, unit) in IndicatorPartial.groupFields {
      IndicatorPartial.put(&w, name, g[keyPath: path], unit, &b)
    }
  }

  private static func readGroup(_ s: RecordScanner) throws(FieldError) -> GroupSums {
    var g = GroupSums()
    for (name, path, unit) in IndicatorPartial.groupFields {
      g[keyPath: path] = try IndicatorPartial.get(s, name, unit)
    }
    return g
  }

  /// Adds group sums to `into`, refusing a sum beyond 64 bits.
  private static func addGroup(_ into: inout GroupSums, _ g: GroupSums) throws(FieldError) {
    for (name, path, _) in IndicatorPartial.groupFields {
      into[keyPath: path] = try IndicatorPartial.sum(into[keyPath: path], g[keyPath: path], name)
    }
  }

  /// The 16 lowercase hex digits of a hash.
  static func hex(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }

  /// The cell key of a record's `values`, which must name one value per dimension.
  private func cellKey(_ s: RecordScanner) throws(FieldError) -> (String, [String]) {
    guard let values = try s.strings("values") else { throw FieldError("values", "missing") }
    guard values.count == dims.count else {
      throw FieldError("values", "expected \(dims.count) values (one per --by dimension), found \(values.count)")
    }
    return (values.joined(separator: "\u{1F}"), values)
  }

  /// Merges one partial record (see `IndicatorPartial` for the parts). A bad field throws naming it; the record
  /// is read whole before anything is added, so a bad record leaves the aggregate as it was.
  public mutating func merge(partial s: RecordScanner) throws {
    let part = try s.string("part") ?? ""
    switch part {
    case "counts": try mergeCounts(s)
    case "ignored":
      guard let k = try s.string("record_kind") else { throw FieldError("record_kind", "missing") }
      ignored[k] = try IndicatorPartial.sum(ignored[k] ?? 0, try IndicatorPartial.get(s, "records", .count), "records")
    case "cell":
      let (key, values) = try cellKey(s)
      var c = CellStats()
      for (name, path, unit) in IndicatorPartial.cellFields {
        c[keyPath: path] = try IndicatorPartial.get(s, name, unit)
      }
      guard let raw = s.rawValue("cost_squares"), let sq = Int128(String(decoding: raw, as: UTF8.self)), sq >= 0 else {
        throw FieldError("cost_squares", "expected a non-negative integer (Σ medfee² in fen²)")
      }
      c.costSquares = sq
      var mine = cells[key] ?? CellStats()
      for (name, path, _) in IndicatorPartial.cellFields {
        mine[keyPath: path] = try IndicatorPartial.sum(mine[keyPath: path], c[keyPath: path], name)
      }
      let (v, o) = mine.costSquares.addingReportingOverflow(sq)
      if o { throw FieldError("cost_squares", "the merged sum no longer fits in 128 bits") }
      mine.costSquares = v
      cells[key] = mine
      cellValues[key] = values
    case "cell-group":
      let (key, values) = try cellKey(s)
      guard let g = try s.code("group_code") else { throw FieldError("group_code", "missing") }
      let sums = try Self.readGroup(s)
      var mine = cells[key] ?? CellStats()
      try Self.addGroup(&mine.byGroup[g, default: GroupSums()], sums)
      cells[key] = mine
      cellValues[key] = values
    case "cell-persons":
      let (key, values) = try cellKey(s)
      guard let list = try s.strings("hashes") else { throw FieldError("hashes", "missing") }
      var hashes: [UInt64] = []
      for t in list {
        guard t.utf8.count == 16, let v = UInt64(t, radix: 16), v != 0 else {
          throw FieldError("hashes", "expected 16 hex digits (not all zero), found \"\(t.prefix(40))\"")
        }
        hashes.append(v)
      }
      for h in hashes { cells[key, default: CellStats()].persons.insert(hash: h) }
      cellValues[key] = values
    case "group":
      guard let g = try s.code("group_code") else { throw FieldError("group_code", "missing") }
      let name = try s.string("group_name")
      let sums = try Self.readGroup(s)
      try Self.addGroup(&groups[g, default: GroupSums()], sums)
      if let name { groupNames[g] = Self.least(groupNames[g], name) }
    default: try mergeOther(part, s)
    }
  }

  /// The parts of `merge(partial:)` outside the cells and groups.
  private mutating func mergeOther(_ part: String, _ s: RecordScanner) throws(FieldError) {
    switch part {
    case "month":
      guard let m = try s.string("month") else { throw FieldError("month", "missing") }
      let cases = try IndicatorPartial.get(s, "cases", .count)
      let medfee = try IndicatorPartial.get(s, "medfee_amt", .fen)
      let hifp = try IndicatorPartial.get(s, "hifp_amt", .fen)
      var v = months[m] ?? MonthSums()
      v.cases = try IndicatorPartial.sum(v.cases, cases, "cases")
      v.medfee = try IndicatorPartial.sum(v.medfee, medfee, "medfee_amt")
      v.hifp = try IndicatorPartial.sum(v.hifp, hifp, "hifp_amt")
      months[m] = v
    case "pool":
      var p = PoolSums()
      guard let source = try s.string("source"), source == "capitation" || source == "clearing" else {
        throw FieldError("source", "expected \"capitation\" or \"clearing\"")
      }
      p.source = source
      guard let pool = try s.string("pool") else { throw FieldError("pool", "missing") }
      p.budget = try IndicatorPartial.get(s, "budget_amt", .fen)
      p.payment = try IndicatorPartial.get(s, "payment_amt", .fen)
      p.clearing = try IndicatorPartial.get(s, "clearing_amt", .fen)
      p.pointValue = try s.fixed("point_value", scale: 6).map { Fixed(raw: $0, scale: 6) }
      let key = "\(source)\u{1F}\(pool)"
      pools[key] = pools[key].map { Self.greater($0, p) } ?? p
    case "rule":
      guard let k = try s.string("rule_id") else { throw FieldError("rule_id", "missing") }
      let name = try s.string("rule_name") ?? ""
      let findings = try IndicatorPartial.get(s, "findings", .count)
      let amount = try IndicatorPartial.get(s, "vola_amt", .fen)
      var r = rules[k] ?? RuleSums()
      r.findings = try IndicatorPartial.sum(r.findings, findings, "findings")
      r.amount = try IndicatorPartial.sum(r.amount, amount, "vola_amt")
      r.name = Self.least(r.name.isEmpty ? nil : r.name, name)
      rules[k] = r
    default:
      let found = part.isEmpty ? "none" : "\"\(part)\""
      throw FieldError(
        "part", "expected counts, ignored, cell, cell-group, cell-persons, group, month, pool or rule; found \(found)")
    }
  }

  private mutating func mergeCounts(_ s: RecordScanner) throws(FieldError) {
    guard let year = try s.string("latest_year") else { throw FieldError("latest_year", "missing") }
    guard let raw = s.rawValue("cost_ratio_bins") else { throw FieldError("cost_ratio_bins", "missing") }
    let text = String(decoding: raw, as: UTF8.self)
    let bins = text.dropFirst().dropLast().split(separator: ",").compactMap { Int64($0) }
    guard text.first == "[", text.last == "]", bins.count == costRatioBins.count, bins.allSatisfy({ $0 >= 0 }) else {
      throw FieldError("cost_ratio_bins", "expected \(costRatioBins.count) counts")
    }
    for k in bins.indices { costRatioBins[k] = try IndicatorPartial.sum(costRatioBins[k], bins[k], "cost_ratio_bins") }
    if year > latestYear { latestYear = year }
  }

  /// The least of two names in byte order, empty names aside: the order-free choice when partials disagree.
  static func least(_ a: String?, _ b: String) -> String {
    guard let a, !a.isEmpty else { return b }
    if b.isEmpty { return a }
    return SumAggregate.byteOrder(b, a) ? b : a
  }

  /// The greater of two records of one pool (budget, then payment, clearing and point value): the order-free
  /// choice when partials hold different records of it (the inputs held two runs of the pool).
  static func greater(_ a: PoolSums, _ b: PoolSums) -> PoolSums {
    let ka = [a.budget, a.payment, a.clearing, a.pointValue?.raw ?? Int64.min]
    let kb = [b.budget, b.payment, b.clearing, b.pointValue?.raw ?? Int64.min]
    return ka.lexicographicallyPrecedes(kb) ? b : a
  }
}
