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

/// One integer field of the normalised record R: missing, an integer, or present but not an integer.
struct DRGNumber {
  /// 0 missing, 1 integer, 2 not an integer.
  var state: UInt8 = 0
  /// The integer when `state == 1`.
  var value: Int64 = 0
}

/// Evaluation stopped on a value that is not an integer, or on a missing value in a check (FORMAT.md §2, §5.6).
struct DRGBadValue: Error {
  /// Which field of R.
  var field: DRGField
  /// Whether it was missing (only in checks) rather than malformed.
  var missing: Bool
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
public final class DRGGrouper {
  /// The compiled scheme.
  public let engine: DRGEngine
  /// Collect a readable trace of the decision (`--explain`).
  public var explain = false
  /// The trace of the last case (with `explain`).
  public private(set) var trace: [String] = []
  /// Warnings of the last case: codes absent from the dictionaries, sex/diagnosis conflicts.
  public private(set) var warnings: [String] = []

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
  private var sexSpecific: Bool {
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
  private let inDictionary: UnsafeMutableBufferPointer<UInt8>
  /// Sex of a diagnosis by code id.
  private let sexOfDx: UnsafeMutableBufferPointer<Int32>
  /// Check conditions.
  private let checkWhen: UnsafeMutableBufferPointer<Int32>
  /// MDC entry, rules, QY.
  private let mdcHot: UnsafeMutableBufferPointer<DRGMDCHot>
  /// Rule entry and DRGs.
  private let ruleHot: UnsafeMutableBufferPointer<DRGRuleHot>
  /// DRG conditions.
  private let drgWhen: UnsafeMutableBufferPointer<Int32>
  /// Code and gender look-ups.
  private let codeLookup: DRGCodeLookup
  private let genderLookup: DRGCodeLookup

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
  private func listHas(_ l: Int32, _ id: Int32) -> Bool {
    if id < 0 { return false }
    return bits[Int(id) &* wordsPerCode &+ Int(l >> 6)] & (1 << UInt64(l & 63)) != 0
  }

  // MARK: - Reading a case

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

  private func reset() {
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

  private func setGender(_ g: String?) {
    guard let g, !g.isEmpty else { return }
    genderText = g
    gender = -2
    let bytes = Array(g.utf8)
    for (i, known) in engine.genders.enumerated() where known == bytes { gender = Int32(i) }
  }

  private func read(_ s: RecordScanner) throws(FieldError) {
    reset()
    // `as StaticString` picks the scanner's allocation-free overload (a bare literal would pick the String one).
    if let i = s.index("gend" as StaticString) { readGender(s, i) }
    age = number(s, s.index("age" as StaticString), "age")
    if let i = s.index("nwb_age" as StaticString) {
      ageDays = number(s, i, "nwb_age")
    }
    if ageDays.state == 0 && age.state == 1 && age.value >= 1 { ageDays = DRGNumber(state: 1, value: age.value &* 365) }
    weight = number(s, s.index("nwb_bir_wt" as StaticString), "nwb_bir_wt")
    if let i = s.index("diag_codes" as StaticString) { try readCodes(s, i, "diag_codes", into: &dx, isDx: true) }
    if dx.isEmpty { dx.append(-1) }  // FORMAT.md §2: an absent or empty list is [""], matching nothing
    if let i = s.index("oprn_codes" as StaticString) { try readCodes(s, i, "oprn_codes", into: &px, isDx: false) }
    noteSexConflicts()
  }

  @inline(__always)
  private func number(_ s: RecordScanner, _ i: Int?, _ field: String) -> DRGNumber {
    guard let i else { return DRGNumber() }
    do {
      guard let v = try s.int(at: i, field: field) else { return DRGNumber() }
      return DRGNumber(state: 1, value: v)
    } catch {
      return DRGNumber(state: 2, value: 0)
    }
  }

  private func readGender(_ s: RecordScanner, _ i: Int) {
    let raw = s.rawValue(i)
    guard raw.count >= 2, raw[0] == UInt8(ascii: "\"") else {
      // A number (`1`, `1.0`) or another type: normalised through the scanner's code reading.
      setGender(
        (try? s.code(at: i, field: "gend"))
          ?? (raw.first == UInt8(ascii: "n") ? nil : String(decoding: raw, as: UTF8.self)))
      return
    }
    let body = UnsafeRawBufferPointer(rebasing: raw[1..<(raw.count - 1)])
    if body.isEmpty { return }
    if body.contains(UInt8(ascii: "\\")) {
      setGender(try? s.code(at: i, field: "gend"))
      return
    }
    gender = genderLookup.lookup(body.baseAddress!, body.count).id
    if gender >= 0 { return }
    gender = -2
    genderText = String(decoding: body, as: UTF8.self)
  }

  /// Reads an array of codes straight from the line's bytes; escapes and numbers go through the scanner.
  private func readCodes(
    _ s: RecordScanner, _ i: Int, _ field: String, into out: inout DRGCodeList, isDx: Bool
  ) throws(FieldError) {
    let raw = s.rawValue(i)
    guard let base = raw.baseAddress, raw.count > 0 else { return }
    if raw[0] == UInt8(ascii: "n") { return }
    guard raw[0] == UInt8(ascii: "[") else {
      _ = try s.forEachString(at: i, field: field) { _ in }  // throws the scanner's own message
      return
    }
    let n = raw.count
    var p = 1
    @inline(__always) func space() {
      while p < n, raw[p] == 0x20 || raw[p] == 0x09 || raw[p] == 0x0A || raw[p] == 0x0D { p += 1 }
    }
    space()
    if p < n && raw[p] == UInt8(ascii: "]") { return }
    while p < n {
      guard raw[p] == UInt8(ascii: "\"") else { return try readCodesSlowly(s, i, field, into: &out, isDx: isDx) }
      let start = p + 1
      var e = start
      while e < n && raw[e] != UInt8(ascii: "\"") {
        if raw[e] == UInt8(ascii: "\\") { return try readCodesSlowly(s, i, field, into: &out, isDx: isDx) }
        e += 1
      }
      let (id, attributes) = codeLookup.lookup(base + start, e - start)
      out.append(id)
      if isDx && attributes >= 4 { sexSpecific = true }
      if id < 0 || attributes & (isDx ? 1 : 2) == 0 {
        noteCode(String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<e]), as: UTF8.self), id, dx: isDx)
      }
      p = e + 1
      space()
      if p < n && raw[p] == UInt8(ascii: ",") {
        p += 1
        space()
        continue
      }
      return
    }
  }

  private func readCodesSlowly(
    _ s: RecordScanner, _ i: Int, _ field: String, into out: inout DRGCodeList, isDx: Bool
  ) throws(FieldError) {
    out.removeAll()
    var codes: [String] = []
    _ = try s.forEachString(at: i, field: field) { codes.append($0) }
    // Warnings of the fast pass for this field are dropped and made again here.
    warnings.removeAll { $0.hasPrefix(isDx ? DRGWarning.dxPrefix : DRGWarning.pxPrefix) }
    sexSpecific = true
    for c in codes {
      let id = engine.codes.lookup(c)
      out.append(id)
      noteCode(c, id, dx: isDx)
    }
  }

  private func noteCode(_ code: String, _ id: Int32, dx isDx: Bool) {
    guard engine.hasDictionaries else { return }
    if id >= 0 && inDictionary[Int(id)] & (isDx ? 1 : 2) != 0 { return }
    warnings.append(isDx ? DRGWarning.dx(code) : DRGWarning.px(code))
  }

  private func noteSexConflicts() {
    guard gender >= 0 && sexSpecific else { return }
    for id in dx where id >= 0 {
      let need = sexOfDx[Int(id)]
      if need >= 0 && need != gender && engine.genders[Int(need)].count == 1 && engine.genders[Int(gender)].count == 1 {
        let g = String(decoding: engine.genders[Int(gender)], as: UTF8.self)
        let n = String(decoding: engine.genders[Int(need)], as: UTF8.self)
        warnings.append(DRGWarning.sex(engine.codes.code(id), mdc: engine.sexMDC[need] ?? "", need: n, gender: g))
      }
    }
  }

  // MARK: - Grouping (FORMAT.md §6)

  private func groupR() -> DRGResult {
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

  // MARK: - Explaining

  private func code(_ id: Int32) -> String { id >= 0 ? engine.codes.code(id) : "?" }

  private func usesComorbidity(_ n: Int32) -> Bool {
    let node = engine.nodes[Int(n)]
    switch node.op {
    case .hasMCC, .hasMCCOrCC: return true
    case .all, .any: return (node.a..<(node.a + node.b)).contains { usesComorbidity(engine.kids[Int($0)]) }
    case .not: return usesComorbidity(node.a)
    default: return false
    }
  }

  /// One trace line per secondary diagnosis that is an MCC or CC: counted, or removed by which exclusion table.
  private func explainComorbidity() {
    let e = engine
    guard dx.count >= 2 else {
      trace.append("no secondary diagnoses: no CC or MCC")
      return
    }
    let excl = dx[0] >= 0 ? e.exclusionTable[Int(dx[0])] : -1
    var any = false
    for k in 1..<dx.count where dx[k] >= 0 {
      let id = dx[k]
      for (kind, table) in [("MCC", e.mccTable), ("CC", e.ccTable)] {
        let t = table[Int(id)]
        guard t >= 0 else { continue }
        any = true
        let tname = e.exclusionNames[Int(t)]
        if excl >= 0 && excl == t {
          trace.append(
            "\(kind) \(code(id)) (table \(tname)) excluded: principal \(code(dx[0])) has exclusion table \(tname)")
        } else {
          trace.append("\(kind) \(code(id)) (table \(tname)) counts")
        }
      }
    }
    if !any { trace.append("no secondary diagnosis is a CC or MCC") }
  }

  /// The condition as text, with what it found in this case: `principal_dx_in GZ1.adrg_zd [K22.301]`.
  func describe(_ n: Int32) -> String {
    let e = engine
    let node = e.nodes[Int(n)]
    let value = (try? eval(n)).map { $0 ? "✓" : "✗" } ?? "!"
    func list() -> String { e.listIds[Int(node.a)] }
    func found(_ ids: [Int32]) -> String {
      let hits = ids.filter { listHas(node.a, $0) }.map(code)
      return hits.isEmpty ? value : "[\(hits.joined(separator: ", "))]"
    }
    switch node.op {
    case .always: return "always"
    case .all, .any:
      let parts = (node.a..<(node.a + node.b)).map { describe(e.kids[Int($0)]) }
      return "\(node.op == .all ? "all" : "any")(\(parts.joined(separator: "; ")))"
    case .not: return "not(\(describe(node.a))) \(value)"
    case .principalDx: return "principal_dx_in \(list()) \(found([dx[0]]))"
    case .anyDx: return "any_dx_in \(list()) \(found(Array(dx)))"
    case .secondaryDx: return "secondary_dx_in \(list()) \(found(Array(dx.dropFirst())))"
    case .principalProc: return "principal_proc_in \(list()) \(found(Array(px.prefix(1))))"
    case .anyProc: return "any_proc_in \(list()) \(found(Array(px)))"
    case .procLabel:
      let t = e.labels[Int(node.a)]
      let hits = px.filter { $0 >= 0 && t[Int($0)] == node.b }.map(code)
      return "proc_label \(e.tableIds[Int(node.a)])=\(e.labelNames[Int(node.b)]) "
        + (hits.isEmpty ? value : "[\(hits.joined(separator: ", "))]")
    case .dxLabelCountGE:
      let t = e.labels[Int(node.a)]
      var seen: [String] = []
      for id in dx where id >= 0 && t[Int(id)] >= 0 {
        let l = e.labelNames[Int(t[Int(id)])]
        if !seen.contains(l) { seen.append(l) }
      }
      return "dx_label_count_ge \(e.tableIds[Int(node.a)]) \(node.v) [\(seen.joined(separator: ", "))] \(value)"
    case .gender: return "gender \(String(decoding: e.genders[Int(node.a)], as: UTF8.self)) \(value)"
    case .ageEq: return "age_eq \(node.v) \(value)"
    case .ageGt: return "age_gt \(node.v) \(value)"
    case .ageLe: return "age_le \(node.v) \(value)"
    case .ageDaysLe, .ageDaysLeStrict: return "age_days_le \(node.v) \(value)"
    case .ageEqStrict: return "age_eq \(node.v) \(value)"
    case .hasWeight: return "has_weight \(value)"
    case .weightLt: return "weight_lt \(node.v) \(value)"
    case .weightGe: return "weight_ge \(node.v) \(value)"
    case .hasMCC: return "has_mcc \(value)"
    case .hasMCCOrCC: return "has_mcc_or_cc \(value)"
    case .missing: return "missing \(DRGField(rawValue: node.a)!.name) \(value)"
    case .genderIn: return "gender_in \(value) (gend \(genderText.isEmpty ? "missing" : genderText))"
    case .noDx: return "no_dx \(value)"
    }
  }
}

/// The texts of `group_warnings`.
enum DRGWarning {
  /// Start of a diagnosis-dictionary warning.
  static let dxPrefix = "诊断编码不在诊断字典中："
  /// Start of a procedure-dictionary warning.
  static let pxPrefix = "手术操作编码不在手术操作字典中："

  /// A diagnosis code absent from the dictionary.
  static func dx(_ code: String) -> String { dxPrefix + code }
  /// A procedure code absent from the dictionary.
  static func px(_ code: String) -> String { pxPrefix + code }
  /// A diagnosis that only one sex can have.
  static func sex(_ code: String, mdc: String, need: String, gender: String) -> String {
    "诊断与性别不符：\(code) 属 \(mdc)（性别 \(need)），病人性别 \(gender)"
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

/// A growable list of code ids in plain memory (the codes of R), reused case after case.
struct DRGCodeList: Sequence {
  /// The ids.
  private(set) var base: UnsafeMutablePointer<Int32>
  /// Number of ids.
  private(set) var count = 0
  /// Allocated room.
  private var capacity = 64

  /// Creates an empty list.
  init() { base = UnsafeMutablePointer<Int32>.allocate(capacity: 64) }

  /// Releases the memory (the owner's deinit).
  func free() { base.deallocate() }

  /// Whether the list is empty.
  var isEmpty: Bool { count == 0 }

  /// Id `i`.
  @inline(__always) subscript(i: Int) -> Int32 { base[i] }

  /// Appends an id, growing the room when full.
  @inline(__always)
  mutating func append(_ id: Int32) {
    if count == capacity {
      let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: capacity * 2)
      bigger.update(from: base, count: count)
      base.deallocate()
      base = bigger
      capacity *= 2
    }
    base[count] = id
    count += 1
  }

  /// Empties the list, keeping its room.
  mutating func removeAll() { count = 0 }

  /// Iterates the ids.
  func makeIterator() -> UnsafeBufferPointer<Int32>.Iterator {
    UnsafeBufferPointer(start: base, count: count).makeIterator()
  }
}

/// The normalised record R (FORMAT.md §2) of the case being grouped, and the CC/MCC results cached for it.
struct DRGRecord {
  /// `R.gender`: -1 missing, -2 a value the scheme never names, else a gender id.
  var gender: Int32 = -1
  /// `R.age`.
  var age = DRGNumber()
  /// `R.age_days`.
  var ageDays = DRGNumber()
  /// `R.weight`.
  var weight = DRGNumber()
  /// `R.dx` as code ids (-1 unknown).
  var dx = DRGCodeList()
  /// `R.px` as code ids.
  var px = DRGCodeList()
  /// Cached `counts(R, mcc)`: -1 not computed yet, 0 false, 1 true.
  var mccCache: Int8 = -1
  /// Some diagnosis belongs to one sex only (worth checking for a conflict).
  var sexSpecific = false
  /// Cached `counts(R, cc)`.
  var ccCache: Int8 = -1
}
