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
  private var writer = JSONWriter()
  private var dx: [String] = []
  private var ops: [String] = []

  /// Creates an enricher for `catalog`.
  public init(catalog: DIPCatalog, explain: Bool) {
    grouper = DIPGrouper(catalog: catalog)
    self.explain = explain
    needsFacts = !catalog.aux.isEmpty
  }

  /// 入组率 so far as a percentage with two decimals (`93.10%`), or `-` before any case.
  public var groupingRate: String {
    guard seen > 0 else { return "-" }
    return Fixed(raw: Fixed.mulDiv(Int64(grouped), 10_000, Int64(seen)), scale: 2).description + "%"
  }

  /// Groups the record in `s` and appends the enriched copy to `out`.
  public func enrich(_ s: RecordScanner, into out: inout [UInt8]) throws {
    dx.removeAll(keepingCapacity: true)
    ops.removeAll(keepingCapacity: true)
    if let i = s.index("diag_codes") { _ = try s.forEachString(at: i, field: "diag_codes") { dx.append($0) } }
    if let i = s.index("oprn_codes") { _ = try s.forEachString(at: i, field: "oprn_codes") { ops.append($0) } }
    let facts = needsFacts ? try DIPGrouper.facts(s) : DIPGrouper.CaseFacts()
    let r = grouper.group(dx: dx, ops: ops, facts: facts, explain: explain)
    seen += 1
    if r.status == "grouped" { grouped += 1 }
    writer.beginCopy(of: s, except: DIPEnricher.ownedFields, into: &out)
    writer.string("group_scheme", grouper.catalog.name, &out)
    writer.string("group_code", r.group?.code, &out)
    writer.string("group_name", r.group?.name, &out)
    writer.string("group_status", r.status, &out)
    writer.string("group_reason", r.reason, &out)
    writer.string("dip_kind", r.group?.kind.rawValue, &out)
    if let a = r.aux { writer.string("dip_aux", a.code, &out) }
    if explain { writer.strings("group_trace", r.trace, &out) }
    writer.end(&out)
  }
}
