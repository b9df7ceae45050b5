import Foundation
import MICore

/// The per-case scoring filter: reads grouped cases, writes each one enriched with its score (DESIGN.md §2).
///
/// A pure stream filter (flat memory): the weights, parameters, registry and approval list are loaded once; each
/// record is scanned, scored and copied with the scoring fields replaced.
public final class ScoreFilter {
  /// The fields mi-score writes; old values of these are dropped, so re-scoring replaces rather than duplicates.
  public static let ownedFields = [
    "weight", "coef", "case_class", "points", "benchmark_amt", "cost_ratio", "score_rule", "special_candidate",
    "special_approval", "score_params",
  ]

  let scorer: CaseScorer
  let levels: [String: String]
  let approved: Set<String>
  let owned = FieldSet(ScoreFilter.ownedFields)
  let needsStay: Bool
  let needsInsutype: Bool
  let needsAux: Bool
  let schemeJSON: [UInt8]
  /// The hospitals with their own coefficient and the per-diem departments, as JSON string bytes.
  let hospitalKeys: [([UInt8], String)]
  let departmentKeys: [([UInt8], String)]
  /// Cases written per class, for the summary.
  public private(set) var classCounts: [CaseClass: Int] = [:]
  /// Candidates for 特例单议 written.
  public private(set) var candidates = 0
  /// Approved setl_ids seen.
  public private(set) var approvedSeen: Set<String> = []
  /// Approved setl_ids seen whose approval did not apply, with the reason (the class they kept).
  public private(set) var approvedNotApplied: [String: String] = [:]
  /// Sum of points written, scale 4.
  public private(set) var totalPoints: Int64 = 0

  /// Creates the filter. `levels` maps fixmedins_code → hosp_lv for cases without `hosp_lv`; `approved` holds the
  /// setl_ids of approved 特例单议 cases.
  public init(scorer: CaseScorer, levels: [String: String] = [:], approved: Set<String> = []) {
    self.scorer = scorer
    self.levels = levels
    self.approved = approved
    needsStay = scorer.needsStay
    needsInsutype = scorer.needsInsutype
    needsAux = scorer.needsAux
    schemeJSON = JSONText.quoted(scorer.table.name)
    hospitalKeys = scorer.params.hospitalCoef.keys.sorted().map { (JSONText.quoted($0), $0) }
    departmentKeys = Set(scorer.params.perDiem.flatMap(\.departments)).sorted().map { (JSONText.quoted($0), $0) }
  }

  /// Reads the approval list: NDJSON records with `setl_id` (other fields ignored).
  public static func readApproved(_ path: String) throws(MIError) -> Set<String> {
    var out: Set<String> = []
    try SideFile.forEachRecord(path) { (scanner, _) throws(FieldError) in
      guard let id = try scanner.code("setl_id") else { throw FieldError("setl_id", "missing") }
      out.insert(id)
    }
    return out
  }

  /// Reads the scorer's input from the current record. Fields the parameters make irrelevant are not looked up
  /// (each lookup is a scan of the record's members).
  func input(_ s: RecordScanner) throws -> CaseInput {
    // Keys are StaticStrings (a string literal would pick the String overloads, which cost more per call), and
    // the common values are compared as raw JSON bytes before any String is made. Each lookup scans the
    // record's members, so only the fields the case needs are looked up.
    let code = try s.code(K.groupCode)
    let status: String
    if code != nil && scorer.table.scheme == .dip {
      // mi-group --dip writes a group code only for a grouped case (null when ungroupable or invalid).
      status = "grouped"
    } else if let raw = s.rawValue(K.groupStatus), JSONText.equals(raw, K.groupedJSON) {
      status = "grouped"
    } else {
      guard let st = try s.string(K.groupStatus) else {
        throw FieldError("group_status", "missing: group the cases with mi-group first")
      }
      status = st
    }
    if scorer.table.scheme == .dip, let raw = s.rawValue(K.groupScheme), !JSONText.equals(raw, schemeJSON),
      let scheme = try s.string(K.groupScheme), scheme != scorer.table.name
    {
      throw FieldError("group_scheme", "grouped with '\(scheme)', but the catalog is '\(scorer.table.name)'")
    }
    guard let cost = try s.fen(K.medfee) else { throw FieldError("medfee_sumamt", "missing") }
    guard cost >= 0 else { throw FieldError("medfee_sumamt", "negative amount (refunds are not scored)") }
    var level = try s.code(K.level)
    // The hospital code matters only for a hospital's own coefficient (a short list, matched on raw bytes) or to
    // find the level in the registry.
    var hospital: String? = nil
    if level == nil {
      hospital = try s.code(K.hospital)
      if let h = hospital { level = levels[h] }
    } else if !hospitalKeys.isEmpty {
      hospital = try listed(s, K.hospital, hospitalKeys)
    }
    // 基层病种 are known from the catalog's own dip_kind (which mi-group copies), so the record's is not read.
    var c = CaseInput(
      status: status, groupCode: code, dipKind: nil,
      aux: needsAux ? try s.code(K.dipAux) : nil, costFen: cost, level: level, hospital: hospital)
    if needsStay {
      // Only a case whose department or group a per-diem category lists needs its stay read.
      if !departmentKeys.isEmpty { c.department = try listed(s, K.department, departmentKeys) }
      if c.department != nil || (code.map { scorer.perDiemCodes.contains($0) } ?? false) {
        c.days = try s.int(K.days).map { Int($0) }
      }
    }
    if needsInsutype { c.insutype = try s.code(K.insutype) }
    if !approved.isEmpty, let id = try s.code(K.setlID), approved.contains(id) { c.approved = true }
    return c
  }

  /// The value of member `key` when it is one of `keys` (as the stored string), else nil: a plain JSON string is
  /// compared as bytes; anything else (escapes, a number) is read as a code first.
  func listed(_ s: RecordScanner, _ key: StaticString, _ keys: [([UInt8], String)]) throws -> String? {
    guard let raw = s.rawValue(key) else { return nil }
    if raw.first == UInt8(ascii: "\""), !raw.contains(UInt8(ascii: "\\")) { return JSONText.match(raw, keys) }
    guard let v = try s.code(key) else { return nil }
    return keys.first { $0.1 == v }?.1
  }

  /// The member names read and written, as StaticStrings.
  /// The output keys, encoded once.
  struct EncodedKeys {
    let weight = JSONWriter.encodedKey("weight")
    let coef = JSONWriter.encodedKey("coef")
    let caseClass = JSONWriter.encodedKey("case_class")
    let points = JSONWriter.encodedKey("points")
    let benchmark = JSONWriter.encodedKey("benchmark_amt")
    let costRatio = JSONWriter.encodedKey("cost_ratio")
    let scoreRule = JSONWriter.encodedKey("score_rule")
    let scoreParams = JSONWriter.encodedKey("score_params")
    let specialApproval = JSONWriter.encodedKey("special_approval")
  }

  enum K {
    static let groupStatus: StaticString = "group_status"
    static let groupScheme: StaticString = "group_scheme"
    static let medfee: StaticString = "medfee_sumamt"
    static let hospital: StaticString = "fixmedins_code"
    static let level: StaticString = "hosp_lv"
    static let groupCode: StaticString = "group_code"
    static let dipAux: StaticString = "dip_aux"
    static let days: StaticString = "act_ipt_days"
    static let department: StaticString = "dscg_caty"
    static let insutype: StaticString = "insutype"
    static let setlID: StaticString = "setl_id"
    static let special: StaticString = "special_candidate"
    static let groupedJSON = JSONText.quoted("grouped")
  }

  /// What one worker counted.
  final class Tally {
    var counts = [Int](repeating: 0, count: CaseClass.allCases.count)
    var candidates = 0
    var total: Int64 = 0
    var seen: Set<String> = []
    var notApplied: [String: String] = [:]
  }

  /// Why an approval does not apply to a case scored `caseClass`, or nil when it applies (the case is `special`).
  ///
  /// 特例单议 re-prices a grouped case against its group standard (DOMAIN.md §2.4); an ungrouped case has no group
  /// standard and a per-diem case is paid by its days, so their approval is listed as not applied (issue 12 item
  /// 5), never dropped silently.
  public static func approvalNotApplied(_ caseClass: CaseClass) -> String? {
    switch caseClass {
    case .special: return nil
    case .ungrouped: return "ungrouped"
    case .perDiem: return "per-diem"
    default: return caseClass.rawValue
    }
  }

  /// Scores every record of `stream` and writes it enriched, with `threads` workers (the same bytes for any
  /// count: each worker scores its records alone, and the counts are summed at the end).
  ///
  /// Long on purpose: the per-record writer is one closure, so the texts encoded once above stay captured locals of
  /// mi-score's hot loop.
  public func run(_ stream: RecordStream, threads: Int = 1) throws {
    var tallies: [Tally] = []
    defer {
      for (i, c) in CaseClass.allCases.enumerated() { classCounts[c] = tallies.reduce(0) { $0 + $1.counts[i] } }
      candidates = tallies.reduce(0) { $0 + $1.candidates }
      totalPoints = tallies.reduce(0) { $0 + $1.total }
      approvedSeen = tallies.reduce(into: []) { $0.formUnion($1.seen) }
      approvedNotApplied = tallies.reduce(into: [:]) { $0.merge($1.notApplied) { a, _ in a } }
    }
    // String values are escaped once here, not per record.
    let paramsJSON = JSONText.quoted(scorer.paramsName)
    let classJSON = CaseClass.allCases.map { JSONText.quoted($0.rawValue) }
    let normalRuleJSON = JSONText.quoted(scorer.ruleNormal)
    let keys = EncodedKeys()
    let appliedJSON = JSONText.quoted("applied")
    try stream.run(threads: threads) { _ in
      let t = Tally()
      tallies.append(t)
      var w = JSONWriter()
      var ruleJSON: [String: [UInt8]] = [:]
      return { s, b in
        let c = try self.input(s)
        let r = try self.scorer.score(c)
        var approval: [UInt8]? = nil
        if c.approved, let id = try s.code(K.setlID) {
          t.seen.insert(id)
          if let why = ScoreFilter.approvalNotApplied(r.caseClass) {
            t.notApplied[id] = why
            approval = JSONText.quoted("not-applied:" + why)
          } else {
            approval = appliedJSON
          }
        }
        let rule: [UInt8]
        if r.caseClass == .normal && r.rule == self.scorer.ruleNormal {
          rule = normalRuleJSON
        } else if let known = ruleJSON[r.rule] {
          rule = known
        } else {
          rule = JSONText.quoted(r.rule)
          ruleJSON[r.rule] = rule
        }
        // Nothing below throws.
        w.beginCopy(of: s, except: self.owned, into: &b)
        w.key(encoded: keys.weight, &b)
        JSONText.fixed(r.weight, scale: 4, &b)
        w.key(encoded: keys.coef, &b)
        JSONText.fixed(r.coef, scale: 4, &b)
        w.key(encoded: keys.caseClass, &b)
        b.append(contentsOf: classJSON[r.caseClass.index])
        w.key(encoded: keys.points, &b)
        JSONText.fixed(r.points, scale: 4, &b)
        w.key(encoded: keys.benchmark, &b)
        JSONText.fixed(r.benchmarkFen, scale: 2, &b)
        w.key(encoded: keys.costRatio, &b)
        JSONText.fixed(r.costRatio, scale: 4, &b)
        w.key(encoded: keys.scoreRule, &b)
        b.append(contentsOf: rule)
        if r.specialCandidate { w.bool(K.special, true, &b) }
        if let approval {
          w.key(encoded: keys.specialApproval, &b)
          b.append(contentsOf: approval)
        }
        w.key(encoded: keys.scoreParams, &b)
        b.append(contentsOf: paramsJSON)
        w.end(&b)
        t.counts[r.caseClass.index] += 1
        if r.specialCandidate { t.candidates += 1 }
        t.total += r.points
        return .written
      }
    }
  }

  /// The summary parts: counts by class, candidates, total points.
  public var summary: [String] {
    let order: [CaseClass] = [.normal, .low, .high, .special, .ungrouped, .perDiem]
    var parts = order.map { "\($0.rawValue) \(classCounts[$0] ?? 0)" }
    parts.append("special candidates \(candidates)")
    if !approved.isEmpty {
      // Approvals that applied and those that did not are counted apart (issue 12 item 5).
      var text = "approved \(approvedSeen.count) of \(approved.count) found"
      let applied = approvedSeen.count - approvedNotApplied.count
      text += ": applied \(applied)"
      if !approvedNotApplied.isEmpty {
        var reasons: [String: Int] = [:]
        for why in approvedNotApplied.values { reasons[why, default: 0] += 1 }
        let list = reasons.keys.sorted().map { "\($0) \(reasons[$0]!)" }.joined(separator: " · ")
        text +=
          " · not applied \(approvedNotApplied.count) (\(list); setl_id \(approvedNotApplied.keys.sorted().joined(separator: " ")))"
      }
      parts.append(text)
    }
    parts.append("points \(Fixed(raw: totalPoints, scale: 4))")
    return [parts.joined(separator: ", ")]
  }
}
