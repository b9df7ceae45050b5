import Foundation
import MICore

/// The four outcomes of grouping (FORMAT.md §3).
public enum DRGStatus: Int, CaseIterable, Sendable {
  /// 分组成功.
  case grouped
  /// 歧义病案 (a QY group).
  case ambiguous
  /// 无法入组.
  case ungroupable
  /// 信息校验不通过.
  case invalid

  /// The value of `group_status`.
  public var name: String {
    switch self {
    case .grouped: return "grouped"
    case .ambiguous: return "ambiguous"
    case .ungroupable: return "ungroupable"
    case .invalid: return "invalid"
    }
  }
}

/// The result of grouping one case.
public struct DRGResult: Sendable, Equatable {
  /// The status.
  public var status: DRGStatus
  /// MDC index (grouped: the MDC whose rule produced it; ambiguous: the QY MDC), or -1.
  var mdc: Int = -1
  /// ADRG rule index, or -1.
  var rule: Int = -1
  /// DRG index, or -1 (also -1 when `use_adrg_code` gave the ADRG code as DRG).
  var drg: Int = -1
  /// The reason of an invalid case (other statuses take theirs from the scheme).
  public var invalidReason: String? = nil
}

/// Groups cases with a compiled scheme: the algorithm of FORMAT.md §6–§9, one case at a time.
///
/// A grouper holds the normalised record R of the current case in reusable buffers, so grouping a case allocates
/// nothing unless it has something unusual to report (an invalid reason, a warning, a trace). Not thread-safe: use
/// one grouper per thread.
///
/// This file groups R; building R from a record is `DRGCaseReading.swift`, the `--explain` trace `DRGExplain.swift`,
/// and R itself `DRGRecord.swift`.
public final class DRGGrouper {
  /// The compiled scheme.
  public let engine: DRGEngine
  /// Collect a readable trace of the decision (`--explain`).
  public var explain = false
  /// The trace of the last case (with `explain`).
  public internal(set) var trace: [String] = []
  /// Warnings of the last case: codes absent from the dictionaries, sex/diagnosis conflicts.
  public internal(set) var warnings: [String] = []

  /// The text of `R.gender` when present (kept for reasons and warnings).
  var genderText = ""
  /// R itself lives in plain memory: the record path reads it through a pointer, which needs no dynamic
  /// exclusivity checks (a class's stored properties do; they showed up at 5 % of the profile).
  private let r: UnsafeMutablePointer<DRGRecord>
  /// `R.gender`: -1 missing, -2 a value the scheme never names, else a gender id.
  var gender: Int32 {
    get { r.pointee.gender }
    set { r.pointee.gender = newValue }
  }
  /// `R.age`.
  var age: DRGNumber {
    get { r.pointee.age }
    set { r.pointee.age = newValue }
  }
  /// `R.age_days`.
  var ageDays: DRGNumber {
    get { r.pointee.ageDays }
    set { r.pointee.ageDays = newValue }
  }
  /// `R.weight`.
  var weight: DRGNumber {
    get { r.pointee.weight }
    set { r.pointee.weight = newValue }
  }
  /// `R.dx` as code ids (-1 unknown).
  var dx: DRGCodeList {
    get { r.pointee.dx }
    set { r.pointee.dx = newValue }
  }
  /// `R.px` as code ids.
  var px: DRGCodeList {
    get { r.pointee.px }
    set { r.pointee.px = newValue }
  }
  /// Cached `counts(R, mcc)` / `counts(R, cc)`: -1 not computed yet, 0 false, 1 true.
  private var mccCache: Int8 {
    get { r.pointee.mccCache }
    set { r.pointee.mccCache = newValue }
  }
  private var ccCache: Int8 {
    get { r.pointee.ccCache }
    set { r.pointee.ccCache = newValue }
  }
  /// Some diagnosis belongs to one sex only.
  var sexSpecific: Bool {
    get { r.pointee.sexSpecific }
    set { r.pointee.sexSpecific = newValue }
  }
  /// Scratch for distinct labels.
  private var labelScratch: [Int32] = []

  // The engine's hot tables, copied once into plain memory: the record path then reads them without reference
  // counting or exclusivity checks (measured: copying MDC and rule structs that hold strings per case cost
  // several microseconds a case).
  /// Condition nodes.
  private let nodes: UnsafeMutableBufferPointer<DRGNode>
  /// Children of all/any.
  private let kids: UnsafeMutableBufferPointer<Int32>
  /// Code list bit sets.
  private let bits: UnsafeMutableBufferPointer<UInt64>
  /// Words per code.
  private let wordsPerCode: Int
  /// MCC, CC and exclusion tables by code id.
  private let mccTable, ccTable, exclusionTable: UnsafeMutableBufferPointer<Int32>
  /// Dictionary flags by code id.
  let inDictionary: UnsafeMutableBufferPointer<UInt8>
  /// Sex of a diagnosis by code id.
  let sexOfDx: UnsafeMutableBufferPointer<Int32>
  /// Check conditions.
  private let checkWhen: UnsafeMutableBufferPointer<Int32>
  /// MDC entry, rules, QY.
  private let mdcHot: UnsafeMutableBufferPointer<DRGMDCHot>
  /// Rule entry and DRGs.
  private let ruleHot: UnsafeMutableBufferPointer<DRGRuleHot>
  /// DRG conditions.
  private let drgWhen: UnsafeMutableBufferPointer<Int32>
  /// Code and gender look-ups.
  let codeLookup: DRGCodeLookup
  let genderLookup: DRGCodeLookup

  /// Creates a grouper for `engine`.
  public init(engine: DRGEngine) {
    self.engine = engine
    r = UnsafeMutablePointer<DRGRecord>.allocate(capacity: 1)
    r.initialize(to: DRGRecord())
    labelScratch.reserveCapacity(16)
    func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
      let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
      _ = p.initialize(from: a)
      return p
    }
    nodes = copy(engine.nodes)
    kids = copy(engine.kids)
    bits = copy(engine.bits)
    wordsPerCode = engine.wordsPerCode
    mccTable = copy(engine.mccTable)
    ccTable = copy(engine.ccTable)
    exclusionTable = copy(engine.exclusionTable)
    inDictionary = copy(engine.inDictionary)
    sexOfDx = copy(engine.sexOfDx)
    checkWhen = copy(engine.checks.map(\.when))
    mdcHot = copy(
      engine.mdcs.map {
        DRGMDCHot(
          entry: $0.entry, first: Int32($0.first), count: Int32($0.count), qyEnabled: $0.qyEnabled,
          qyAfter: Int32($0.qyAfter), qyWhen: $0.qyWhen)
      })
    ruleHot = copy(
      engine.rules.map {
        DRGRuleHot(entry: $0.entry, first: Int32($0.first), count: Int32($0.count), useADRGCode: $0.useADRGCode)
      })
    drgWhen = copy(engine.drgs.map(\.when))
    codeLookup = engine.codes.view
    genderLookup = engine.genderTable.view
  }

  deinit {
    nodes.deallocate()
    kids.deallocate()
    bits.deallocate()
    mccTable.deallocate()
    ccTable.deallocate()
    exclusionTable.deallocate()
    inDictionary.deallocate()
    sexOfDx.deallocate()
    checkWhen.deallocate()
    mdcHot.deallocate()
    ruleHot.deallocate()
    drgWhen.deallocate()
    r.pointee.dx.free()
    r.pointee.px.free()
    r.deallocate()
  }

  /// Whether list `l` holds code `id`.
  @inline(__always)
  func listHas(_ l: Int32, _ id: Int32) -> Bool {
    if id < 0 { return false }
    return bits[Int(id) &* wordsPerCode &+ Int(l >> 6)] & (1 << UInt64(l & 63)) != 0
  }

  // MARK: - Grouping a case

  /// Builds R from the current record (FORMAT.md §2) and groups it.
  ///
  /// Throws `FieldError` only for codes fields of the wrong JSON type (not an array of codes); every other oddity
  /// of a case becomes its status, reason or warnings.
  public func group(_ scanner: RecordScanner) throws(FieldError) -> DRGResult {
    try read(scanner)
    return groupR()
  }

  /// Groups a case given as values (tests and library callers). `gender` nil is missing.
  public func group(
    gender: String?, age: Int64?, ageDays: Int64? = nil, weight: Int64? = nil, dx: [String], px: [String]
  ) -> DRGResult {
    reset()
    setGender(gender)
    self.age = age.map { DRGNumber(state: 1, value: $0) } ?? DRGNumber()
    if let ageDays {
      self.ageDays = DRGNumber(state: 1, value: ageDays)
    } else if let age, age >= 1 {
      self.ageDays = DRGNumber(state: 1, value: age * 365)
    }
    self.weight = weight.map { DRGNumber(state: 1, value: $0) } ?? DRGNumber()
    for c in dx {
      let id = engine.codes.lookup(c)
      self.dx.append(id)
      noteCode(c, id, dx: true)
    }
    for c in px {
      let id = engine.codes.lookup(c)
      self.px.append(id)
      noteCode(c, id, dx: false)
    }
    if self.dx.isEmpty { self.dx.append(-1) }
    sexSpecific = true
    noteSexConflicts()
    return groupR()
  }

  /// Empties R and the warnings and trace of the last case.
  func reset() {
    gender = -1
    genderText = ""
    age = DRGNumber()
    ageDays = DRGNumber()
    weight = DRGNumber()
    dx.removeAll()
    px.removeAll()
    mccCache = -1
    ccCache = -1
    sexSpecific = false
    if !warnings.isEmpty { warnings.removeAll() }
    if !trace.isEmpty { trace.removeAll() }
  }

  // MARK: - Grouping (FORMAT.md §6)

  func groupR() -> DRGResult {
    let e = engine
    do {
      for ci in 0..<checkWhen.count where try eval(checkWhen[ci]) {
        let c = e.checks[ci]
        if explain { trace.append("check \(c.id): \(describe(c.when))") }
        return DRGResult(
          status: .invalid, invalidReason: c.reason.replacingOccurrences(of: "{gender}", with: genderText))
      }
      if explain { trace.append("checks passed (\(e.checks.count))") }
      for mi in 0..<mdcHot.count {
        let m = mdcHot[mi]
        guard try eval(m.entry) else { continue }
        if explain { trace.append("\(e.mdcs[mi].code) entered: \(describe(m.entry))") }
        for k in 0..<Int(m.count) {
          if m.qyEnabled && k == Int(m.qyAfter), try eval(m.qyWhen) {
            if explain { trace.append("\(e.mdcs[mi].code) \(e.mdcs[mi].qyCode) ambiguous: \(describe(m.qyWhen))") }
            return DRGResult(status: .ambiguous, mdc: mi)
          }
          let ri = Int(m.first) + k
          let r = ruleHot[ri]
          guard try eval(r.entry) else { continue }
          if explain { trace.append("ADRG \(e.rules[ri].code) (rule \(e.rules[ri].id)) matched: \(describe(r.entry))") }
          for di in Int(r.first)..<Int(r.first + r.count) where try eval(drgWhen[di]) {
            if explain {
              trace.append("DRG \(e.drgs[di].code) \(e.drgs[di].name): \(describe(e.drgs[di].when))")
              if usesComorbidity(e.drgs[di].when) || r.count > 1 { explainComorbidity() }
            }
            return DRGResult(status: .grouped, mdc: mi, rule: ri, drg: di)
          }
          if r.useADRGCode {
            if explain {
              trace.append("no DRG condition of \(e.rules[ri].code) holds: the ADRG code is the DRG (on_no_drg)")
            }
            return DRGResult(status: .grouped, mdc: mi, rule: ri)
          }
          if explain { trace.append("no DRG condition of \(e.rules[ri].code) holds: next ADRG rule (on_no_drg)") }
        }
        if m.qyEnabled && m.qyAfter == m.count, try eval(m.qyWhen) {
          if explain { trace.append("\(e.mdcs[mi].code) \(e.mdcs[mi].qyCode) ambiguous: \(describe(m.qyWhen))") }
          return DRGResult(status: .ambiguous, mdc: mi)
        }
        if explain { trace.append("\(e.mdcs[mi].code): no ADRG rule applies; next MDC") }
      }
      if explain { trace.append("no MDC takes the case") }
      return DRGResult(status: .ungroupable)
    } catch {
      let reason = e.errorReason.replacingOccurrences(
        of: "{error}", with: "\(error.field.inputField) \(error.missing ? "为空" : "不是整数")")
      if explain { trace.append("\(error.field.name) is \(error.missing ? "missing" : "not an integer"): \(reason)") }
      return DRGResult(status: .invalid, invalidReason: reason)
    }
  }

  // MARK: - Conditions (FORMAT.md §5)

  /// Evaluates condition node `n` on R.
  func eval(_ n: Int32) throws(DRGBadValue) -> Bool {
    let node = nodes[Int(n)]
    switch node.op {
    case .always: return true
    case .all:
      for k in node.a..<(node.a + node.b) where !(try eval(kids[Int(k)])) { return false }
      return true
    case .any:
      for k in node.a..<(node.a + node.b) where try eval(kids[Int(k)]) { return true }
      return false
    case .not: return !(try eval(node.a))
    case .principalDx: return listHas(node.a, dx[0])
    case .anyDx:
      for id in dx where listHas(node.a, id) { return true }
      return false
    case .secondaryDx:
      for k in 1..<max(dx.count, 1) where listHas(node.a, dx[k]) { return true }
      return false
    case .principalProc: return !px.isEmpty && listHas(node.a, px[0])
    case .anyProc:
      for id in px where listHas(node.a, id) { return true }
      return false
    case .procLabel:
      let t = engine.labels[Int(node.a)]
      for id in px where id >= 0 && t[Int(id)] == node.b { return true }
      return false
    case .dxLabelCountGE:
      return distinctLabels(Int(node.a)) >= node.v
    case .gender: return gender == node.a
    case .ageEq: return try compare(age, .age) { $0 == node.v }
    case .ageGt: return try compare(age, .age) { $0 > node.v }
    case .ageLe: return try compare(age, .age) { $0 <= node.v }
    case .ageDaysLe: return try compare(ageDays, .ageDays) { $0 <= node.v }
    case .hasWeight: return weight.state == 2 || (weight.state == 1 && weight.value != 0)
    case .weightLt: return try compare(weight, .weight) { $0 < node.v }
    case .weightGe: return try compare(weight, .weight) { $0 >= node.v }
    case .hasMCC: return hasMCC()
    case .hasMCCOrCC: return hasMCC() || hasCC()
    case .missing:
      switch DRGField(rawValue: node.a)! {
      case .gender: return gender == -1
      case .age: return age.state == 0
      case .ageDays: return ageDays.state == 0
      case .weight: return weight.state == 0
      }
    case .genderIn: return gender >= 0 && node.v & (1 << Int64(gender)) != 0
    case .noDx: return dx.isEmpty
    case .ageEqStrict:
      guard age.state == 1 else { throw DRGBadValue(field: .age, missing: age.state == 0) }
      return age.value == node.v
    case .ageDaysLeStrict:
      guard ageDays.state == 1 else { throw DRGBadValue(field: .ageDays, missing: ageDays.state == 0) }
      return ageDays.value <= node.v
    }
  }

  @inline(__always)
  private func compare(_ x: DRGNumber, _ f: DRGField, _ test: (Int64) -> Bool) throws(DRGBadValue) -> Bool {
    switch x.state {
    case 0: return false
    case 1: return test(x.value)
    default: throw DRGBadValue(field: f, missing: false)
    }
  }

  private func distinctLabels(_ t: Int) -> Int64 {
    let table = engine.labels[t]
    labelScratch.removeAll(keepingCapacity: true)
    for id in dx where id >= 0 {
      let l = table[Int(id)]
      if l >= 0 && !labelScratch.contains(l) { labelScratch.append(l) }
    }
    return Int64(labelScratch.count)
  }

  // MARK: - CC and MCC (FORMAT.md §7)

  private func hasMCC() -> Bool {
    if mccCache < 0 { mccCache = counts(mccTable) ? 1 : 0 }
    return mccCache == 1
  }

  private func hasCC() -> Bool {
    if ccCache < 0 { ccCache = counts(ccTable) ? 1 : 0 }
    return ccCache == 1
  }

  /// Whether some secondary diagnosis is in `table` and not removed by the principal's exclusion table.
  private func counts(_ table: UnsafeMutableBufferPointer<Int32>) -> Bool {
    guard dx.count >= 2 else { return false }
    let excl = dx[0] >= 0 ? exclusionTable[Int(dx[0])] : -1
    for k in 1..<dx.count {
      let id = dx[k]
      guard id >= 0 else { continue }
      let t = table[Int(id)]
      if t >= 0 && !(excl >= 0 && excl == t) { return true }
    }
    return false
  }
}

/// The hot part of an MDC: what grouping reads per case.
struct DRGMDCHot {
  /// Entry condition.
  var entry: Int32
  /// First rule index and number of rules.
  var first: Int32, count: Int32
  /// QY switched on.
  var qyEnabled: Bool
  /// QY position and condition.
  var qyAfter: Int32, qyWhen: Int32
}

/// The hot part of an ADRG rule.
struct DRGRuleHot {
  /// Entry condition.
  var entry: Int32
  /// First DRG index and number of DRGs.
  var first: Int32, count: Int32
  /// `on_no_drg == "use_adrg_code"`.
  var useADRGCode: Bool
}
