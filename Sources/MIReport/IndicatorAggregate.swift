import MICore

/// What `mi-report indicators` keeps while it reads: exact totals per cell of the `--by` dimensions, per group
/// (for the consumption indices), per month, per pool and per audit rule, and a histogram of cost ratios. Memory
/// grows with cells, groups and distinct persons, never with cases — except the case lines of the HTML
/// drill-down, kept only when `detail` is asked for.
///
/// Each input record is recognised by its `kind`: none is a case (grouped and scored by mi-group/mi-score, or an
/// outpatient settlement), `clearing` and `pool` come from mi-clear settle, `capitation` and `pool` from mi-capita
/// settle, `finding` from mi-audit; other kinds (prepayments, ledger lines, summaries) are counted and left out.
public struct IndicatorAggregate: Mergeable, Sendable {
  /// The dimensions of a cell.
  public let dims: [Dimension]
  /// The hospital registry (names, levels, payment), possibly empty.
  public let registry: [String: HospitalInfo]
  /// Whether case lines are kept for the drill-down.
  public let detail: Bool
  /// The previous period's cases are read with their months moved one year on (同比, `--previous`).
  public let shiftYear: Bool
  /// Whether the pool and the level of a case are needed (a dimension, or the drill-down's pools).
  let usesPool: Bool
  let usesLevel: Bool

  var cells: [String: CellStats] = [:]
  /// The values and key of the last cell added to (`withCell`).
  var lastValues: [String] = ["\u{0}"]
  var lastKey = ""
  var cellValues: [String: [String]] = [:]
  var groups: [String: GroupSums] = [:]
  var groupNames: [String: String] = [:]
  var months: [String: MonthSums] = [:]
  var pools: [String: PoolSums] = [:]
  var rules: [String: RuleSums] = [:]
  /// Cost ratios of scored cases in tenths: index k counts ratios in [k/10, (k+1)/10); the last bin holds ≥ 3.
  var costRatioBins = [Int64](repeating: 0, count: 31)
  /// The latest settlement year seen (the year the coverage target applies to).
  var latestYear = ""
  /// Records of other kinds, by kind.
  var ignored: [String: Int64] = [:]
  /// Case lines by institution, then group (only with `detail`).
  var lines: [String: [CaseLine]] = [:]
  /// The pools of each institution (from its clearing records, else its cases' insutype).
  var institutionPools: [String: Set<String>] = [:]
  /// Per institution, whatever the `--by` dimensions (only with `detail`: the HTML ranking and drill-down).
  var institutions: [String: CellStats] = [:]

  /// Creates an empty aggregate.
  public init(dims: [Dimension], registry: [String: HospitalInfo], detail: Bool = false, shiftYear: Bool = false) {
    self.dims = dims
    self.registry = registry
    self.detail = detail
    self.shiftYear = shiftYear
    usesPool = dims.contains(.pool) || detail
    usesLevel = dims.contains(.hosp_lv)
  }

  /// The values of the dimensions a record gives; `""` for one it has not (a clearing record has no month).
  private func values(pool: String, code: String, month: String, group: String, level: String) -> [String] {
    dims.map { d in
      switch d {
      case .pool: return pool
      case .fixmedins_code: return code
      case .month: return month
      case .group_code: return group
      case .hosp_lv: return level
      }
    }
  }

  /// Applies `body` to the cell of `values`, creating it, and with `detail` to the institution's totals.
  private mutating func withCell(_ values: [String], code: String, _ body: (inout CellStats) -> Void) {
    // Consecutive records often share a cell (files sorted by institution or month): the key is built once.
    if values != lastValues {
      lastValues = values
      lastKey = values.joined(separator: "\u{1F}")
      if cellValues[lastKey] == nil { cellValues[lastKey] = values }
    }
    let key = lastKey
    body(&cells[key, default: CellStats()])
    if detail { body(&institutions[code, default: CellStats()]) }
  }

  /// Adds one record (see the type's comment for how it is recognised).
  public mutating func add(record s: RecordScanner) throws {
    switch try s.string("kind") {
    case nil: try addCase(s)
    case "clearing": try addClearing(s)
    case "capitation": try addCapitation(s)
    case "pool": try addPool(s)
    case "finding": try addFinding(s)
    case let other?: ignored[other, default: 0] += 1
    }
  }

  /// Inpatient by 医疗类别 (SCHEMA.md: 21–29 住院, 52 生育住院); a case without med_type is taken as inpatient
  /// when it carries a group (mi-group ran on it) or a discharge time.
  static func isInpatient(_ s: RecordScanner) throws(FieldError) -> Bool {
    guard let t = try s.code("med_type") else { return s.has("group_status") || s.has("dscg_time") }
    let p = t.utf8.prefix(2)
    guard p.count == 2 else { return false }
    let a = p.first!
    let b = p.last!
    return (a == UInt8(ascii: "2") && b >= UInt8(ascii: "1") && b <= UInt8(ascii: "9"))
      || (a == UInt8(ascii: "5") && b == UInt8(ascii: "2"))
  }

  // One function per record kind: each reads the fields its formulas need (DOMAIN.md §6–§7, `Definitions.swift`).
  // addCase is longer than the house's ~60 lines on purpose: it reads each field of a case once and adds it to the
  // cell, the group, the month and the drill-down in one place; split up, the parts would pass a dozen values
  // around or read the fields twice on the path every case takes.
  private mutating func addCase(_ s: RecordScanner) throws {
    // Fields no formula of this run needs are not read (a level without --by hosp_lv, a pool without --by pool).
    let code = try s.code("fixmedins_code") ?? ""
    let pool = try usesPool ? s.code("insutype") ?? "" : ""
    var month = try s.string("setl_time").flatMap(monthOf) ?? ""
    if shiftYear, let y = Int(month.prefix(4)) { month = String(y + 1) + month.dropFirst(4) }
    let group = try s.code("group_code") ?? ""
    let level = try usesLevel ? s.code("hosp_lv") ?? registry[code]?.level ?? "" : ""
    let medfee = try s.fen("medfee_sumamt") ?? 0
    let hifp = try s.fen("hifp_pay") ?? 0
    let v = values(pool: pool, code: code, month: month, group: group, level: level)
    if month.count == 7, month.prefix(4) > latestYear { latestYear = String(month.prefix(4)) }
    let inpatient = try IndicatorAggregate.isInpatient(s)
    let psn = try !inpatient || detail ? s.string("psn_no") : nil
    guard inpatient else {
      withCell(v, code: code) { c in
        c.outpatient += 1
        if let psn { c.persons.insert(hash: PersonSet.hash(psn)) }
      }
      return
    }
    let status = try s.string("group_status")
    let weight = try s.fixed("weight", scale: 4)
    let points = try s.fixed("points", scale: 4)
    let days = try s.int("act_ipt_days")
    let caseClass = try s.string("case_class") ?? ""
    var items: (drug: Int64, material: Int64)? = nil
    if let r = s.rawValue("item_amts") { items = try ItemAmounts.read(r) }
    if let r = try s.fixed("cost_ratio", scale: 4) {
      costRatioBins[Int(min(max(r, 0) / 1000, 30))] += 1
    }
    let grouped = status == "grouped" && !group.isEmpty
    if grouped, groupNames[group] == nil, let name = try s.string("group_name") { groupNames[group] = name }
    withCell(v, code: code) { c in
      c.cases += 1
      if status != nil { c.groupTried += 1 }
      if grouped { c.grouped += 1 }
      if let weight, grouped {
        c.weightN += 1
        c.weightSum += weight
      }
      if let points {
        c.scored += 1
        c.points += points
        c.hifpScored += hifp
        switch caseClass {
        case "high": c.high += 1
        case "low": c.low += 1
        case "special": c.special += 1
        default: break
        }
      }
      c.medfee += medfee
      c.hifp += hifp
      c.costSquares += Int128(medfee) * Int128(medfee)
      if let items {
        c.itemBase += medfee
        c.drug += items.drug
        c.material += items.material
      }
      if grouped { c.byGroup[group, default: GroupSums()].add(days: days, cost: medfee, points: points, hifp: hifp) }
    }
    if grouped { groups[group, default: GroupSums()].add(days: days, cost: medfee, points: points, hifp: hifp) }
    if !month.isEmpty {
      var m = months[month] ?? MonthSums()
      m.cases += 1
      m.medfee += medfee
      m.hifp += hifp
      months[month] = m
    }
    if detail {
      if !pool.isEmpty { institutionPools[code, default: []].insert(pool) }
      let line = CaseLine(
        setlID: try s.string("setl_id") ?? "", psnNo: psn ?? "", group: group, caseClass: caseClass, points: points,
        medfee: medfee, hifp: hifp)
      lines[code, default: []].append(line)
    }
  }

  private mutating func addClearing(_ s: RecordScanner) throws {
    let code = try s.code("fixmedins_code") ?? ""
    let pool = try s.code("pool") ?? ""
    let v = values(pool: pool, code: code, month: "", group: "", level: registry[code]?.level ?? "")
    // The numerator of mi-clear's settle_ratio (MIClearing `paymentForRatio`): the DIP/DRG payment before
    // deductions and returns, compared with the 按项目 amount.
    let payment =
      try (s.fen("assessed_amt") ?? 0) + (s.fen("carve_out_amt") ?? 0) + (s.fen("special_case_amt") ?? 0)
      + (s.fen("surplus_adj_amt") ?? 0)
    let cases = try s.int("cases") ?? 0
    let points = try s.fixed("points", scale: 4) ?? 0
    let clearing = try s.fen("clearing_amt") ?? 0
    let payable = try s.fen("payable_amt") ?? 0
    let ffs = try s.fen("ffs_amt") ?? 0
    if let period = try s.string("period"), period.count >= 4, period.prefix(4) > latestYear {
      latestYear = String(period.prefix(4))
    }
    withCell(v, code: code) { c in
      c.clearings += 1
      c.clearCases += cases
      c.clearPoints += points
      c.clearingAmt += clearing
      c.payableAmt += payable
      c.ffsAmt += ffs
      c.ratioPayment += payment
    }
    if detail && !pool.isEmpty { institutionPools[code, default: []].insert(pool) }
  }

  private mutating func addCapitation(_ s: RecordScanner) throws {
    let code = try s.code("fixmedins_code") ?? ""
    let pool = try s.code("pool") ?? ""
    let v = values(pool: pool, code: code, month: "", group: "", level: registry[code]?.level ?? "")
    let settlements = try s.int("setl_cnt") ?? 0
    let payout = try s.fen("payout_amt") ?? 0
    let clearing = try s.fen("clearing_amt") ?? 0
    withCell(v, code: code) { c in
      c.capitations += 1
      c.capSettlements += settlements
      c.capPayout += payout
      c.capClearing += clearing
    }
  }

  private mutating func addPool(_ s: RecordScanner) throws {
    let pool = try s.code("pool") ?? ""
    // mi-capita's pool records carry the year and T (total_amt); mi-clear's the period and the payable amount.
    let source = s.has("total_amt") ? "capitation" : "clearing"
    var p = PoolSums()
    p.source = source
    p.budget = try s.fen("budget_amt") ?? 0
    p.payment = try (source == "capitation" ? s.fen("payout_amt") : s.fen("payable_amt")) ?? 0
    p.clearing = try s.fen("clearing_amt") ?? 0
    p.pointValue = try s.fixed("point_value", scale: 6).map { Fixed(raw: $0, scale: 6) }
    pools["\(source)\u{1F}\(pool)"] = p
  }

  private mutating func addFinding(_ s: RecordScanner) throws {
    let rule = try s.string("rule_id") ?? ""
    let amount = try s.fen("vola_amt") ?? 0
    var r = rules[rule] ?? RuleSums()
    if r.name.isEmpty { r.name = try s.string("rule_name") ?? "" }
    r.findings += 1
    r.amount += amount
    rules[rule] = r
  }

  /// Adds everything another aggregate holds (a worker's byte range of the input).
  public mutating func merge(_ o: IndicatorAggregate) throws {
    for (k, c) in o.cells {
      cells[k, default: CellStats()].merge(c)
      if cellValues[k] == nil { cellValues[k] = o.cellValues[k] }
    }
    for (g, s) in o.groups { groups[g, default: GroupSums()].merge(s) }
    // Names and pool records are taken in an order-free way (`least`, `greater`), as partials merge.
    for (g, n) in o.groupNames { groupNames[g] = Self.least(groupNames[g], n) }
    for (m, s) in o.months {
      months[m, default: MonthSums()].cases += s.cases
      months[m]!.medfee += s.medfee
      months[m]!.hifp += s.hifp
    }
    for (k, p) in o.pools { pools[k] = pools[k].map { Self.greater($0, p) } ?? p }
    for (k, r) in o.rules {
      var mine = rules[k] ?? RuleSums()
      mine.name = Self.least(mine.name, r.name)
      mine.findings += r.findings
      mine.amount += r.amount
      rules[k] = mine
    }
    for k in costRatioBins.indices { costRatioBins[k] += o.costRatioBins[k] }
    if o.latestYear > latestYear { latestYear = o.latestYear }
    for (k, n) in o.ignored { ignored[k, default: 0] += n }
    for (k, l) in o.lines { lines[k, default: []] += l }
    for (k, p) in o.institutionPools { institutionPools[k, default: []].formUnion(p) }
    for (k, c) in o.institutions { institutions[k, default: CellStats()].merge(c) }
  }

  /// The summary-line parts naming the records left out, by kind.
  public var ignoredSummary: [String] {
    ignored.keys.sorted(by: SumAggregate.byteOrder).map { "ignored kind \($0) \(ignored[$0]!)" }
  }
}

/// The drug and material parts of a case's `item_amts` (医疗收费项目类别 → amount, SCHEMA.md): 西药费 09, 中药饮片费
/// 10 and 中成药费 11 are drugs (药占比); 卫生材料费 08 is material (耗占比).
enum ItemAmounts {
  /// Reads the object's members; a value that is not an amount names the field `item_amts`.
  static func read(_ raw: UnsafeRawBufferPointer) throws(FieldError) -> (drug: Int64, material: Int64) {
    var drug: Int64 = 0
    var material: Int64 = 0
    let n = raw.count
    var i = 0
    func skipSpace() { while i < n, [0x20, 0x09, 0x0A, 0x0D].contains(raw[i]) { i += 1 } }
    skipSpace()
    guard i < n else { return (0, 0) }
    if raw[i] == UInt8(ascii: "n") { return (0, 0) }
    guard raw[i] == UInt8(ascii: "{") else { throw FieldError("item_amts", "expected an object of amounts by 收费项目类别") }
    i += 1
    while true {
      skipSpace()
      guard i < n else { break }
      if raw[i] == UInt8(ascii: "}") { break }
      if raw[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard raw[i] == UInt8(ascii: "\"") else { throw FieldError("item_amts", "expected a category code in quotes") }
      let ks = i + 1
      i = ks
      while i < n, raw[i] != UInt8(ascii: "\"") { i += 1 }
      let key = String(decoding: UnsafeRawBufferPointer(rebasing: raw[ks..<min(i, n)]), as: UTF8.self)
      i += 1
      skipSpace()
      guard i < n, raw[i] == UInt8(ascii: ":") else { throw FieldError("item_amts", "expected ':' after \"\(key)\"") }
      i += 1
      skipSpace()
      var vs = i
      while i < n, raw[i] != UInt8(ascii: ","), raw[i] != UInt8(ascii: "}") { i += 1 }
      var ve = i
      while ve > vs, [0x20, 0x09].contains(raw[ve - 1]) { ve -= 1 }
      if ve - vs >= 2, raw[vs] == UInt8(ascii: "\""), raw[ve - 1] == UInt8(ascii: "\"") {
        vs += 1
        ve -= 1
      }
      guard let v = Fixed.parseRaw(UnsafeRawBufferPointer(rebasing: raw[vs..<ve]), scale: 2) else {
        throw FieldError("item_amts", "category \"\(key)\": expected an amount in yuan with at most two decimals")
      }
      switch key {
      case "09", "10", "11": drug += v
      case "08": material += v
      default: break
      }
    }
    return (drug, material)
  }
}
