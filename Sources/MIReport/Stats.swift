import MICore

/// The exact totals of one cell of an indicator report (one combination of the `--by` values): sums of fen,
/// days and fixed-point units, and counts. Every indicator is a quotient of two of them (`Indicators.swift`).
struct CellStats: Sendable {
  // Inpatient cases (DOMAIN.md §6–§7).
  var cases: Int64 = 0
  var groupTried: Int64 = 0
  var grouped: Int64 = 0
  var scored: Int64 = 0
  var weightN: Int64 = 0
  var weightSum: Int64 = 0  // scale 4
  var points: Int64 = 0  // scale 4
  var medfee: Int64 = 0
  var hifp: Int64 = 0
  var hifpScored: Int64 = 0
  var costSquares: Int128 = 0
  var high: Int64 = 0
  var low: Int64 = 0
  var special: Int64 = 0
  var itemBase: Int64 = 0
  var drug: Int64 = 0
  var material: Int64 = 0
  /// Per group of the cell: grouped cases with their days and costs, for the consumption indices.
  var byGroup: [String: GroupSums] = [:]
  // Outpatient settlements and their distinct persons (人次人头比; inpatient cases add no person, so memory for
  // persons follows the outpatient data only).
  var outpatient: Int64 = 0
  var persons = PersonSet(capacity: 8)
  // Clearing records (mi-clear settle, kind "clearing").
  var clearings: Int64 = 0
  var clearCases: Int64 = 0
  var clearPoints: Int64 = 0  // scale 4
  var clearingAmt: Int64 = 0
  var payableAmt: Int64 = 0
  var ffsAmt: Int64 = 0
  var ratioPayment: Int64 = 0
  // Capitation records (mi-capita settle, kind "capitation").
  var capitations: Int64 = 0
  var capSettlements: Int64 = 0
  var capPayout: Int64 = 0
  var capClearing: Int64 = 0

  mutating func merge(_ o: CellStats) {
    cases += o.cases
    groupTried += o.groupTried
    grouped += o.grouped
    scored += o.scored
    weightN += o.weightN
    weightSum += o.weightSum
    points += o.points
    medfee += o.medfee
    hifp += o.hifp
    hifpScored += o.hifpScored
    costSquares += o.costSquares
    high += o.high
    low += o.low
    special += o.special
    itemBase += o.itemBase
    drug += o.drug
    material += o.material
    for (g, s) in o.byGroup { byGroup[g, default: GroupSums()].merge(s) }
    outpatient += o.outpatient
    persons.formUnion(o.persons)
    clearings += o.clearings
    clearCases += o.clearCases
    clearPoints += o.clearPoints
    clearingAmt += o.clearingAmt
    payableAmt += o.payableAmt
    ffsAmt += o.ffsAmt
    ratioPayment += o.ratioPayment
    capitations += o.capitations
    capSettlements += o.capSettlements
    capPayout += o.capPayout
    capClearing += o.capClearing
  }
}

/// Grouped cases of one group: count, cost (fen), points and fund; days of the cases that give them.
struct GroupSums: Sendable {
  var n: Int64 = 0
  var cost: Int64 = 0
  var daysN: Int64 = 0
  var days: Int64 = 0
  var points: Int64 = 0  // scale 4
  var hifp: Int64 = 0

  mutating func add(days d: Int64?, cost c: Int64, points p: Int64?, hifp h: Int64) {
    n += 1
    cost += c
    if let d {
      daysN += 1
      days += d
    }
    points += p ?? 0
    hifp += h
  }

  mutating func merge(_ o: GroupSums) {
    n += o.n
    cost += o.cost
    daysN += o.daysN
    days += o.days
    points += o.points
    hifp += o.hifp
  }
}

/// One month of the trend chart.
struct MonthSums: Sendable {
  var cases: Int64 = 0
  var medfee: Int64 = 0
  var hifp: Int64 = 0
}

/// One pool record (`kind: "pool"` of mi-clear settle or mi-capita settle): budget against payment.
struct PoolSums: Sendable {
  var source = ""
  var budget: Int64 = 0
  var payment: Int64 = 0
  var clearing: Int64 = 0
  var pointValue: Fixed? = nil
}

/// One audit rule's findings (`kind: "finding"` of mi-audit).
struct RuleSums: Sendable {
  var name = ""
  var findings: Int64 = 0
  var amount: Int64 = 0
}

/// One case line of the HTML drill-down (never a name or an ID number; `psn_no` is masked when rendered unless
/// `--show-personal`).
public struct CaseLine: Sendable, Equatable {
  /// 结算ID.
  public var setlID: String
  /// 人员编号 as read.
  public var psnNo: String
  /// The group.
  public var group: String
  /// The outlier class.
  public var caseClass: String
  /// Points (scale 4), if scored.
  public var points: Int64?
  /// 医疗费总额, fen.
  public var medfee: Int64
  /// 统筹基金支出, fen.
  public var hifp: Int64

  /// By group, then setl_id, then the other fields: a total order, so that lines the workers of `--threads`
  /// gathered in any order (a setl_id twice in one group included) are listed the same way.
  static func drillDownOrder(_ a: CaseLine, _ b: CaseLine) -> Bool {
    if a.group != b.group { return SumAggregate.byteOrder(a.group, b.group) }
    if a.setlID != b.setlID { return SumAggregate.byteOrder(a.setlID, b.setlID) }
    if a.psnNo != b.psnNo { return SumAggregate.byteOrder(a.psnNo, b.psnNo) }
    if a.caseClass != b.caseClass { return SumAggregate.byteOrder(a.caseClass, b.caseClass) }
    let ka = [a.medfee, a.hifp, a.points ?? Int64.min]
    let kb = [b.medfee, b.hifp, b.points ?? Int64.min]
    return ka.lexicographicallyPrecedes(kb)
  }
}
