import MICore

/// Enriches case records with their DIP group: the record loop's per-case work for `mi-group --dip`.
///
/// Reads `diag_codes`, `oprn_codes` and, for auxiliary entries, `age`, `nwb_age`, `icu_days`, `cci`,
/// `act_ipt_days`, `dscg_way`; writes `group_scheme`, `group_code`, `group_name`, `group_status`, `group_reason`,
/// `dip_kind`, `dip_aux` (when an auxiliary entry applies) and `group_trace` (with `explain`).
public final class DIPEnricher {
  /// Every field the enricher may write: old values are dropped, so re-runs replace rather than duplicate.
  public static let ownedFields = FieldSet([
    "group_scheme", "group_code", "group_name", "group_status", "group_reason", "dip_kind", "dip_aux", "group_trace",
    "mdc", "adrg",
  ])

  private let grouper: DIPGrouper
  private let explain: Bool
  private let needsFacts: Bool
  /// Cases grouped so far.
  public private(set) var grouped = 0
  /// Cases seen so far.
  public private(set) var seen = 0
  /// Cases with a code whose letter case or surrounding spaces were normalised (issue 12 item 7).
  public private(set) var normalized = 0
  private var dx: [String] = []
  private var ops: [String] = []
  /// The serialized fields after `group_scheme` (`,"group_code":…,"dip_kind":…`) per group and matching step:
  /// they are the same for every case of a group and step, so they are escaped once and then copied.
  private var suffixes: [[UInt8]?]

  /// Creates an enricher for `catalog`.
  public init(catalog: DIPCatalog, explain: Bool) {
    grouper = DIPGrouper(catalog: catalog)
    self.explain = explain
    needsFacts = !catalog.aux.isEmpty
    suffixes = Array(repeating: nil, count: catalog.groups.count * DIPMatchStep.allCases.count)
  }

  /// 入组率 so far as a percentage with two decimals (`93.10%`), or `-` before any case.
  public var groupingRate: String { DIPEnricher.groupingRate(grouped: grouped, seen: seen) }

  /// 入组率 of `grouped` cases out of `seen` (the sums over several enrichers).
  public static func groupingRate(grouped: Int, seen: Int) -> String {
    guard seen > 0 else { return "-" }
    return Fixed(raw: Fixed.mulDiv(Int64(grouped), 10_000, Int64(seen)), scale: 2).description + "%"
  }

  /// Groups the record in `s` and appends the enriched copy to `out`.
  public func enrich(_ s: RecordScanner, into out: inout [UInt8]) throws {
    // Local arrays and writer: touching class properties in the record loop costs an exclusivity check each time.
    var dx = self.dx
    var ops = self.ops
    self.dx = []
    self.ops = []
    defer {
      self.dx = dx
      self.ops = ops
    }
    dx.removeAll(keepingCapacity: true)
    ops.removeAll(keepingCapacity: true)
    if let i = s.index("diag_codes") { _ = try s.forEachString(at: i, field: "diag_codes") { dx.append($0) } }
    if let i = s.index("oprn_codes") { _ = try s.forEachString(at: i, field: "oprn_codes") { ops.append($0) } }
    let facts = needsFacts ? try DIPGrouper.facts(s) : DIPGrouper.CaseFacts()
    let r = grouper.group(dx: dx, ops: ops, facts: facts, explain: explain)
    seen += 1
    if r.normalized { normalized += 1 }
    var w = JSONWriter()
    w.beginCopy(of: s, except: DIPEnricher.ownedFields, into: &out)
    w.string("group_scheme", grouper.catalog.name, &out)
    if let gi = r.groupIndex, let step = r.step {
      grouped += 1
      let slot = gi * DIPMatchStep.allCases.count + DIPMatchStep.allCases.firstIndex(of: step)!
      if let cached = suffixes[slot] {
        out.append(contentsOf: cached)
      } else {
        var b: [UInt8] = []
        DIPEnricher.resultFields(r, &b)
        suffixes[slot] = b
        out.append(contentsOf: b)
      }
    } else {
      DIPEnricher.resultFields(r, &out)
    }
    if let a = r.aux { w.string("dip_aux", a.code, &out) }
    if explain { w.strings("group_trace", r.trace, &out) }
    w.end(&out)
  }

  /// Appends `,"group_code":…,"group_name":…,"group_status":…,"group_reason":…,"dip_kind":…`.
  static func resultFields(_ r: DIPResult, _ out: inout [UInt8]) {
    var w = JSONWriter()
    // A writer that has "written" a member puts the comma before the next one; a throwaway key does that.
    var scratch: [UInt8] = []
    w.begin(&scratch)
    w.key("x", &scratch)
    w.string("group_code", r.group?.code, &out)
    w.string("group_name", r.group?.name, &out)
    w.string("group_status", r.status, &out)
    w.string("group_reason", r.reason, &out)
    w.string("dip_kind", r.group?.kind.rawValue, &out)
  }
}
