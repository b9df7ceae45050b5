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
  /// Invalid cases are written field by field (their reason varies); these are their constant parts.
  private let schemeJSON: [UInt8]
  private let invalidJSON: [UInt8]
  /// The grouping fields of every other outcome, written once at start-up as one JSON text each (`,"group_scheme":
  /// …,"group_status":"grouped"`): a case then appends one precomputed tail, without escaping or reference
  /// counting. Tails of DRGs come first (by DRG index), then `use_adrg_code` tails (by rule), then QY tails (by MDC),
  /// then the ungroupable tail.
  private let tails: UnsafeMutableBufferPointer<UInt8>
  /// Start and end of each tail in `tails`.
  private let spans: UnsafeMutableBufferPointer<Int>
  /// First span index of the rule, MDC and ungroupable tails.
  private let ruleBase: Int, mdcBase: Int, ungroupableIndex: Int

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
    invalidJSON = json(DRGStatus.invalid.name)
    var text: [UInt8] = []
    var bounds: [Int] = []
    func tail(code: [UInt8]?, name: [UInt8]?, mdc: [UInt8]?, adrg: [UInt8]?, status: DRGStatus, reason: String?) {
      let null = Array("null".utf8)
      let start = text.count
      text.append(UInt8(ascii: ","))  // a tail continues the copied object
      var w = JSONWriter()
      w.raw("group_scheme", json(engine.name), &text)
      w.raw("group_code", code ?? null, &text)
      w.raw("group_name", name ?? null, &text)
      w.raw("mdc", mdc ?? null, &text)
      w.raw("adrg", adrg ?? null, &text)
      w.raw("group_status", json(status.name), &text)
      if let reason { w.raw("group_reason", json(reason), &text) }
      bounds.append(start)
      bounds.append(text.count)
    }
    for (di, d) in engine.drgs.enumerated() {
      // A DRG belongs to exactly one rule (rules list their own DRGs), so its ADRG is fixed.
      let rule = engine.rules.first { di >= $0.first && di < $0.first + $0.count }!
      tail(code: d.codeJSON, name: d.nameJSON, mdc: d.mdcJSON, adrg: rule.codeJSON, status: .grouped, reason: nil)
    }
    ruleBase = bounds.count / 2
    for r in engine.rules {
      tail(code: r.codeJSON, name: nil, mdc: r.mdcJSON, adrg: r.codeJSON, status: .grouped, reason: nil)
    }
    mdcBase = bounds.count / 2
    for m in engine.mdcs {
      tail(
        code: m.qyCodeJSON, name: nil, mdc: m.codeJSON, adrg: nil, status: .ambiguous, reason: engine.ambiguousReason)
    }
    ungroupableIndex = bounds.count / 2
    tail(code: nil, name: nil, mdc: nil, adrg: nil, status: .ungroupable, reason: engine.ungroupableReason)
    tails = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
    _ = tails.initialize(from: text)
    spans = UnsafeMutableBufferPointer<Int>.allocate(capacity: bounds.count)
    _ = spans.initialize(from: bounds)
  }

  deinit {
    tails.deallocate()
    spans.deallocate()
  }

  /// Groups the scanner's record and appends the enriched record to `out`.
  public func enrich(_ scanner: RecordScanner, into out: inout [UInt8]) throws(FieldError) {
    let r = try grouper.group(scanner)
    statusCounts[r.status.rawValue] += 1
    var w = JSONWriter()
    let mark = out.count
    w.beginCopy(of: scanner, except: DRGEnricher.ownedFields, into: &out)
    let copiedNothing = out.count == mark + 1
    let t: Int
    switch r.status {
    case .grouped: t = r.drg >= 0 ? r.drg : ruleBase + r.rule
    case .ambiguous: t = mdcBase + r.mdc
    case .ungroupable: t = ungroupableIndex
    case .invalid: t = -1
    }
    if t >= 0 {
      // Each tail starts with a comma; an object whose members were all dropped takes the tail without it.
      let start = spans[2 * t] + (copiedNothing ? 1 : 0)
      out.append(contentsOf: UnsafeMutableBufferPointer(rebasing: tails[start..<spans[2 * t + 1]]))
    } else {
      if !copiedNothing { out.append(UInt8(ascii: ",")) }
      var v = JSONWriter()
      v.raw("group_scheme", schemeJSON, &out)
      v.string("group_code", nil, &out)
      v.string("group_name", nil, &out)
      v.string("mdc", nil, &out)
      v.string("adrg", nil, &out)
      v.raw("group_status", invalidJSON, &out)
      v.string("group_reason", r.invalidReason ?? "", &out)
    }
    if !grouper.warnings.isEmpty {
      out.append(UInt8(ascii: ","))
      var v = JSONWriter()
      v.strings("group_warnings", grouper.warnings, &out)
    }
    if grouper.explain {
      out.append(UInt8(ascii: ","))
      var v = JSONWriter()
      v.strings("group_trace", grouper.trace, &out)
    }
    w.end(&out)
  }

  /// The parts of the closing summary: counts per status and 入组率 (grouped / all valid cases), two decimals.
  public func summary() -> [String] { DRGEnricher.summary([self]) }

  /// The summary of several enrichers' cases together (the workers of one run); `rateLabel` names the 入组率
  /// (`--lang en`: "grouping rate").
  public static func summary(_ enrichers: [DRGEnricher], rateLabel: String = "入组率") -> [String] {
    var statusCounts = [Int](repeating: 0, count: DRGStatus.allCases.count)
    for e in enrichers { for i in statusCounts.indices { statusCounts[i] += e.statusCounts[i] } }
    let grouped = statusCounts[DRGStatus.grouped.rawValue]
    let valid = statusCounts.reduce(0, +) - statusCounts[DRGStatus.invalid.rawValue]
    var parts = DRGStatus.allCases.map { "\($0.name) \(statusCounts[$0.rawValue])" }
    parts.append("\(rateLabel) \(DRGEnricher.percent(grouped, of: valid))")
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
