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
    "score_params",
  ]

  let scorer: CaseScorer
  let levels: [String: String]
  let approved: Set<String>
  let owned = FieldSet(ScoreFilter.ownedFields)
  /// Cases written per class, for the summary.
  public private(set) var classCounts: [CaseClass: Int] = [:]
  /// Candidates for 特例单议 written.
  public private(set) var candidates = 0
  /// Approved setl_ids seen.
  public private(set) var approvedSeen: Set<String> = []
  /// Sum of points written, scale 4.
  public private(set) var totalPoints: Int64 = 0

  /// Creates the filter. `levels` maps fixmedins_code → hosp_lv for cases without `hosp_lv`; `approved` holds the
  /// setl_ids of approved 特例单议 cases.
  public init(scorer: CaseScorer, levels: [String: String] = [:], approved: Set<String> = []) {
    self.scorer = scorer
    self.levels = levels
    self.approved = approved
  }

  /// Reads the approval list: NDJSON records with `setl_id` (other fields ignored).
  public static func readApproved(_ path: String) throws(MIError) -> Set<String> {
    let reader = try LineReader(path: path)
    let scanner = RecordScanner()
    var out: Set<String> = []
    while let line = try reader.nextLine() {
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      do {
        try scanner.parse(line)
        guard let id = try scanner.code("setl_id") else { throw FieldError("setl_id", "missing") }
        out.insert(id)
      } catch let error as FieldError {
        throw error.at(reader.name, reader.lineNumber)
      } catch {
        throw MIError.data(file: reader.name, line: reader.lineNumber, field: nil, message: "\(error)")
      }
    }
    return out
  }

  /// Reads the scorer's input from the current record.
  func input(_ s: RecordScanner) throws -> CaseInput {
    guard let status = try s.string("group_status") else {
      throw FieldError("group_status", "missing: group the cases with mi-group first")
    }
    if scorer.table.scheme == .dip, let scheme = try s.string("group_scheme"), scheme != scorer.table.name {
      throw FieldError("group_scheme", "grouped with '\(scheme)', but the catalog is '\(scorer.table.name)'")
    }
    guard let cost = try s.fen("medfee_sumamt") else { throw FieldError("medfee_sumamt", "missing") }
    guard cost >= 0 else { throw FieldError("medfee_sumamt", "negative amount (refunds are not scored)") }
    let hospital = try s.code("fixmedins_code")
    var level = try s.code("hosp_lv")
    if level == nil, let hospital { level = levels[hospital] }
    let setl = try s.code("setl_id")
    let days = try s.int("act_ipt_days")
    return CaseInput(
      status: status, groupCode: try s.code("group_code"), dipKind: try s.string("dip_kind"),
      aux: try s.code("dip_aux"), costFen: cost, level: level, hospital: hospital, days: days.map { Int($0) },
      department: try s.code("dscg_caty"), insutype: try s.code("insutype"),
      approved: setl.map { approved.contains($0) } ?? false)
  }

  /// Scores every record of `stream` and writes it enriched.
  public func run(_ stream: RecordStream) throws {
    var w = JSONWriter()
    let paramsName = scorer.paramsName
    try stream.run { s in
      let c = try input(s)
      let r = try scorer.score(c)
      if c.approved, let id = try s.code("setl_id") { approvedSeen.insert(id) }
      w.beginCopy(of: s, except: owned, into: &stream.out.buffer)
      w.fixed("weight", r.weight, scale: 4, &stream.out.buffer)
      w.fixed("coef", r.coef, scale: 4, &stream.out.buffer)
      w.string("case_class", r.caseClass.rawValue, &stream.out.buffer)
      w.fixed("points", r.points, scale: 4, &stream.out.buffer)
      w.fen("benchmark_amt", r.benchmarkFen, &stream.out.buffer)
      w.fixed("cost_ratio", r.costRatio, scale: 4, &stream.out.buffer)
      w.string("score_rule", r.rule, &stream.out.buffer)
      if r.specialCandidate { w.bool("special_candidate", true, &stream.out.buffer) }
      w.string("score_params", paramsName, &stream.out.buffer)
      w.end(&stream.out.buffer)
      classCounts[r.caseClass, default: 0] += 1
      if r.specialCandidate { candidates += 1 }
      totalPoints += r.points
      return .written
    }
  }

  /// The summary parts: counts by class, candidates, total points.
  public var summary: [String] {
    let order: [CaseClass] = [.normal, .low, .high, .special, .ungrouped, .perDiem]
    var parts = order.map { "\($0.rawValue) \(classCounts[$0] ?? 0)" }
    parts.append("special candidates \(candidates)")
    if !approved.isEmpty { parts.append("approved \(approvedSeen.count) of \(approved.count) found") }
    parts.append("points \(Fixed(raw: totalPoints, scale: 4))")
    return [parts.joined(separator: ", ")]
  }
}
