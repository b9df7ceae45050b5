import Foundation
import MICore

/// Writes grouped cases: each input record byte for byte, then the grouping fields (DESIGN.md §2, FORMAT.md §3),
/// and keeps the counts per status for the closing summary.
public final class DRGEnricher {
  /// Every field `mi-group --scheme` may write; earlier values of these are dropped from the copy.
  public static let ownedFields = FieldSet([
    "group_scheme", "group_code", "group_name", "mdc", "adrg", "group_status", "group_reason", "group_warnings",
    "group_trace",
  ])

  /// The grouper.
  public let grouper: DRGGrouper
  /// Cases per status, indexed by `DRGStatus.rawValue`.
  public private(set) var statusCounts = [Int](repeating: 0, count: DRGStatus.allCases.count)
  /// `group_scheme` as JSON text.
  private let schemeJSON: [UInt8]
  /// Reasons as JSON text.
  private let ungroupableJSON: [UInt8]
  private let ambiguousJSON: [UInt8]
  /// Status names as JSON text.
  private let statusJSON: [[UInt8]]

  /// Creates an enricher for a compiled scheme; `explain` adds `group_trace`.
  public init(engine: DRGEngine, explain: Bool = false) {
    grouper = DRGGrouper(engine: engine)
    grouper.explain = explain
    func json(_ s: String) -> [UInt8] {
      var b: [UInt8] = []
      JSONWriter.appendString(s, to: &b)
      return b
    }
    schemeJSON = json(engine.name)
    ungroupableJSON = json(engine.ungroupableReason)
    ambiguousJSON = json(engine.ambiguousReason)
    statusJSON = DRGStatus.allCases.map { json($0.name) }
  }

  /// Groups the scanner's record and appends the enriched record to `out`.
  public func enrich(_ scanner: RecordScanner, into out: inout [UInt8]) throws(FieldError) {
    let r = try grouper.group(scanner)
    statusCounts[r.status.rawValue] += 1
    let e = grouper.engine
    var w = JSONWriter()
    w.beginCopy(of: scanner, except: DRGEnricher.ownedFields, into: &out)
    w.raw("group_scheme", schemeJSON, &out)
    switch r.status {
    case .grouped:
      let rule = e.rules[r.rule]
      if r.drg >= 0 {
        let d = e.drgs[r.drg]
        w.raw("group_code", d.codeJSON, &out)
        w.raw("group_name", d.nameJSON, &out)
        w.raw("mdc", d.mdcJSON, &out)
      } else {
        w.raw("group_code", rule.codeJSON, &out)
        w.string("group_name", nil, &out)
        w.raw("mdc", rule.mdcJSON, &out)
      }
      w.raw("adrg", rule.codeJSON, &out)
      w.raw("group_status", statusJSON[0], &out)
    case .ambiguous:
      let m = e.mdcs[r.mdc]
      w.raw("group_code", m.qyCodeJSON, &out)
      w.string("group_name", nil, &out)
      w.raw("mdc", m.codeJSON, &out)
      w.string("adrg", nil, &out)
      w.raw("group_status", statusJSON[1], &out)
      w.raw("group_reason", ambiguousJSON, &out)
    case .ungroupable, .invalid:
      w.string("group_code", nil, &out)
      w.string("group_name", nil, &out)
      w.string("mdc", nil, &out)
      w.string("adrg", nil, &out)
      w.raw("group_status", statusJSON[r.status.rawValue], &out)
      if r.status == .ungroupable {
        w.raw("group_reason", ungroupableJSON, &out)
      } else {
        w.string("group_reason", r.invalidReason ?? "", &out)
      }
    }
    if !grouper.warnings.isEmpty { w.strings("group_warnings", grouper.warnings, &out) }
    if grouper.explain { w.strings("group_trace", grouper.trace, &out) }
    w.end(&out)
  }

  /// The parts of the closing summary: counts per status and 入组率 (grouped / all valid cases), two decimals.
  public func summary() -> [String] {
    let grouped = statusCounts[DRGStatus.grouped.rawValue]
    let valid = statusCounts.reduce(0, +) - statusCounts[DRGStatus.invalid.rawValue]
    var parts = DRGStatus.allCases.map { "\($0.name) \(statusCounts[$0.rawValue])" }
    parts.append("入组率 \(DRGEnricher.percent(grouped, of: valid))")
    return parts
  }

  /// `part / whole` as a percentage with two decimals, rounded half up in integer arithmetic; `-` when whole is 0.
  public static func percent(_ part: Int, of whole: Int) -> String {
    guard whole > 0 else { return "-" }
    // Basis points ×10 then rounded: (part × 10000 × 2 + whole) / (2 × whole) = round-half-up of part/whole × 10000.
    let bp = (Int64(part) * 20000 + Int64(whole)) / (2 * Int64(whole))
    return "\(bp / 100).\(String(format: "%02d", Int(bp % 100)))%"
  }
}
