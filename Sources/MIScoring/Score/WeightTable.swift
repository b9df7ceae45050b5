import Foundation
import MICore

/// The weight (DRG RW) or score (DIP 分值) of one group, with what the benchmarks need.
public struct GroupWeight: Sendable, Equatable {
  /// RW or 分值, scale 4 (DESIGN.md §3).
  public var weight: Int64
  /// Last year's mean cost of the group in fen, by hospital level (`""`: all levels), for the
  /// `last-year-mean` benchmark.
  public var lastMeanFen: [String: Int64]

  /// A 基层病种 (the catalog's `dip_kind` is `basic`).
  public var basic: Bool

  /// Creates an entry.
  public init(weight: Int64, lastMeanFen: [String: Int64] = [:], basic: Bool = false) {
    self.weight = weight
    self.lastMeanFen = lastMeanFen
    self.basic = basic
  }
}

/// The weights of one catalog version: a DIP catalog (ref set kind `dip`) or a DRG weights table (kind
/// `drg-weights`), read from the workspace once at start-up.
///
/// Each code entry's attrs is a JSON object: the weight under `weight` (also accepted: `score`, `rw`), optionally
/// last year's mean cost under `mean_amt` (all levels) or `mean_amt_by_level` (`{"3": 12000.00}`), and for DIP
/// the group's `dip_kind` (`basic`: a 基层病种).
public struct WeightTable: Sendable {
  /// The version name (`dip-2024`), written nowhere but used in messages and checked against `group_scheme`.
  public var name: String
  /// DIP or DRG.
  public var scheme: Scheme
  /// Entries by group code.
  public var groups: [String: GroupWeight]
  /// 医疗机构调节系数 by hospital level that the catalog carries (DIP `hosp-coef` entries), scale 4 raw.
  public var levelCoefs: [String: Int64]
  /// 辅助分型调节系数 by auxiliary entry code that the catalog carries (DIP `aux` entries), scale 4 raw.
  public var auxCoefs: [String: Int64]
  /// The multiplier the weights carry (the version's `scale`: DIP ×1000, ×100 or ×1; DRG 1, or 100 for a point
  /// scheme). DRG high bands compare the relative weight, weight ÷ scale.
  public var scale: Int64

  /// Creates a table.
  public init(
    name: String, scheme: Scheme, groups: [String: GroupWeight], levelCoefs: [String: Int64] = [:],
    auxCoefs: [String: Int64] = [:], scale: Int64 = 1
  ) {
    self.name = name
    self.scheme = scheme
    self.groups = groups
    self.levelCoefs = levelCoefs
    self.auxCoefs = auxCoefs
    self.scale = scale
  }

  /// Loads a version: a DIP catalog (kind `dip`) or DRG weights (kind `drg-weights`).
  ///
  /// A DIP catalog is read from its code entries as MIGrouping's `DIPCatalog` stores them: groups by code with
  /// `score` (in the catalog's own scale: ×1000, ×100 or ×1 travels with it, DOMAIN.md §2.1) and `mean_amt`;
  /// auxiliary entries as `aux:CODE` with `coef`; level coefficients as `hosp-coef:LV` with `coef`. Reading the
  /// entries directly keeps scoring independent of the grouping engine's in-memory model.
  public static func load(_ ws: Workspace, name: String, scheme: Scheme) throws(MIError) -> WeightTable {
    let kind = scheme == .dip ? "dip" : "drg-weights"
    let set = try ws.refSet(name, kind: kind)
    var table = try parse(try ws.codes(set), name: name, scheme: scheme, source: "\(ws.path): \(kind) '\(name)'")
    table.scale = versionScale(set.meta) ?? (scheme == .dip ? 1000 : 1)
    return table
  }

  /// The `scale` member of a version's meta (its version entry), if any.
  static func versionScale(_ meta: String) -> Int64? {
    var text = meta
    let scanner = RecordScanner()
    let v: Int64?? = try? text.withUTF8 { buf -> Int64? in
      try scanner.parse(UnsafeRawBufferPointer(buf))
      return try scanner.int("scale")
    }
    guard let s = v ?? nil, s >= 1 else { return nil }
    return s
  }

  /// Reads the weight and last-year means of one entry's attrs; nil when it has no weight.
  ///
  /// The closure given to `withUTF8` throws untyped errors: a typed-throws closure through this rethrowing
  /// call crashes the Swift 6.3.1 compiler in IRGen ("SmallVector unable to grow").
  static func parseAttrs(_ attrs: String, _ scanner: RecordScanner, _ nested: RecordScanner) throws -> GroupWeight? {
    var text = attrs
    return try text.withUTF8 { buf -> GroupWeight? in
      try scanner.parse(UnsafeRawBufferPointer(buf))
      guard
        let w = try scanner.fixed("weight", scale: 4) ?? scanner.fixed("score", scale: 4)
          ?? scanner.fixed("rw", scale: 4)
      else { return nil }
      var means: [String: Int64] = [:]
      if let all = try scanner.fen("mean_amt") { means[""] = all }
      if let i = scanner.index("mean_amt_by_level") {
        let raw = scanner.rawValue(i)
        if raw.first == UInt8(ascii: "{") {
          try nested.parse(raw)
          for j in nested.members.indices {
            let level = nested.key(j)
            if let v = try nested.fen(level) { means[level] = v }
          }
        }
      }
      let basic = try scanner.string("dip_kind") == "basic"
      return GroupWeight(weight: w, lastMeanFen: means, basic: basic)
    }
  }

  /// An error of attrs parsing as text: `field "x": message` for a field error.
  static func describe(_ error: Error) -> String {
    guard let e = error as? FieldError else { return "\(error)" }
    return "\(e.field.map { "field \"\($0)\": " } ?? "")\(e.message)"
  }

  /// Reads `coef` (scale 4) from attrs.
  static func parseCoef(_ attrs: String, _ scanner: RecordScanner) throws -> Int64? {
    var text = attrs
    return try text.withUTF8 { buf -> Int64? in
      try scanner.parse(UnsafeRawBufferPointer(buf))
      return try scanner.fixed("coef", scale: 4)
    }
  }

  /// Builds a table from code entries; an entry without a usable weight is a reference error naming it.
  public static func parse(_ entries: [CodeEntry], name: String, scheme: Scheme, source: String) throws(MIError)
    -> WeightTable
  {
    var groups: [String: GroupWeight] = [:]
    groups.reserveCapacity(entries.count)
    let scanner = RecordScanner()
    let nested = RecordScanner()
    var levelCoefs: [String: Int64] = [:]
    var auxCoefs: [String: Int64] = [:]
    for e in entries {
      let bad = { (m: String) in MIError.reference("\(source): code '\(e.code)': \(m)") }
      guard let attrs = e.attrs else { throw bad("no attributes (the weight is missing)") }
      if scheme == .dip, e.code.hasPrefix("aux:") || e.code.hasPrefix("hosp-coef:") {
        let coef: Int64?
        do { coef = try parseCoef(attrs, scanner) } catch { throw bad("attrs: \(describe(error))") }
        guard let coef, coef > 0 else { throw bad("attrs have no coefficient greater than 0 (\"coef\")") }
        if e.code.hasPrefix("aux:") {
          auxCoefs[String(e.code.dropFirst(4))] = coef
        } else {
          levelCoefs[String(e.code.dropFirst(10))] = coef
        }
        continue
      }
      let parsed: GroupWeight?
      do {
        parsed = try parseAttrs(attrs, scanner, nested)
      } catch let error as FieldError {
        throw bad("attrs: \(error.field.map { "field \"\($0)\": " } ?? "")\(error.message)")
      } catch {
        throw bad("attrs: \(error)")
      }
      guard let parsed else { throw bad("attrs have no weight (expected \"weight\", \"score\" or \"rw\")") }
      guard parsed.weight > 0 else { throw bad("weight must be greater than 0") }
      groups[e.code] = parsed
    }
    guard !groups.isEmpty else { throw MIError.reference("\(source): the version has no groups") }
    return WeightTable(name: name, scheme: scheme, groups: groups, levelCoefs: levelCoefs, auxCoefs: auxCoefs)
  }
}
