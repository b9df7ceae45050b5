import Foundation
import MICore
import MIGrouping

/// How yearly figures are combined with the year weights (DOMAIN.md §2.1, §8 `weight_basis`; §9.1 shows both).
public enum WeightBasis: String, CaseIterable, Sendable {
  /// `m = Σ w_y × mean_y / Σ w_y` over the years the group has cases (§9.1: 11,600).
  case yearlyMeans = "yearly-means"
  /// `m = Σ w_y × cost_y / Σ w_y × n_y`: the weights apply to yearly totals and counts (§9.1: 11,666.6667).
  case totals
}

/// Trimming of extreme costs before averaging (DOMAIN.md §2.1 "Trimming", §8 `trim`, `trim_min_n`).
public enum Trim: Sendable, Equatable {
  /// No trimming.
  case none
  /// Drop the ⌊n × lo⌋ lowest and ⌊n × (1 − hi)⌋ highest costs of a group-year; bounds in per-mille
  /// (p2.5,p97.5 → 25, 975).
  case percentiles(lowPerMille: Int, highPerMille: Int)
  /// Drop costs farther than K standard deviations (population SD) from the group-year mean; K is a positive
  /// decimal with at most 2 places (`mean±3sd`, `mean±2.5sd`), scale 2.
  case sigma(Fixed)

  /// Mean ± `k` SD for a whole number `k`.
  public static func sd(_ k: Int) -> Trim { .sigma(Fixed(integer: Int64(k), scale: 2)) }

  /// Parses `none`, `pLO,pHI` (e.g. `p2.5,p97.5`, one decimal at most) or `mean±Ksd` (`mean+-3sd`, `3sd`,
  /// `mean±2.5sd`: K a positive decimal with at most two places).
  public init(parsing text: String) throws(MIError) {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    if t == "none" {
      self = .none
      return
    }
    if t.hasSuffix("sd") {
      var k = t.dropLast(2)
      for p in ["mean±", "mean+-", "mean+/-"] where k.hasPrefix(p) { k = k.dropFirst(p.count) }
      guard let f = Fixed(String(k), scale: 2), f.raw > 0 else {
        throw MIError.usage(
          "--trim: expected mean±Ksd with K a positive number of at most 2 decimals (e.g. mean±3sd, mean±2.5sd), "
            + "found '\(text)'")
      }
      self = .sigma(f)
      return
    }
    let parts = t.split(separator: ",")
    func perMille(_ s: Substring) -> Int? {
      guard s.hasPrefix("p"), let f = Fixed(String(s.dropFirst()), scale: 1) else { return nil }
      return Int(f.raw)
    }
    guard parts.count == 2, let lo = perMille(parts[0]), let hi = perMille(parts[1]), 0 <= lo, lo < hi, hi <= 1000
    else {
      throw MIError.usage("--trim: expected none, pLO,pHI (e.g. p2.5,p97.5) or mean±3sd, found '\(text)'")
    }
    self = .percentiles(lowPerMille: lo, highPerMille: hi)
  }

  /// The canonical text (`p2.5,p97.5`, `mean±3sd`, `none`).
  public var text: String {
    switch self {
    case .none: return "none"
    case .sigma(let k):
      // Shortest decimal text: 3, 2.5, 2.25.
      var d = k.description
      if d.contains(".") {
        while d.hasSuffix("0") { d.removeLast() }
        if d.hasSuffix(".") { d.removeLast() }
      }
      return "mean±\(d)sd"
    case .percentiles(let lo, let hi):
      func f(_ v: Int) -> String { v % 10 == 0 ? "\(v / 10)" : Fixed(raw: Int64(v), scale: 1).description }
      return "p\(f(lo)),p\(f(hi))"
    }
  }
}

/// What `mi-score derive` derives.
public enum DeriveMethod: String, CaseIterable, Sendable {
  /// A DIP catalog (groups, 分值, hospital-level coefficients).
  case dip
  /// DRG relative weights.
  case drg
}

/// The settings of a derivation (DOMAIN.md §8, area "derive"); defaults are the inventory's.
public struct DeriveOptions: Sendable {
  /// dip or drg.
  public var method: DeriveMethod = .dip
  /// Year weights oldest → newest (1:2:7, DIP3).
  public var yearWeights: [Int64] = [1, 2, 7]
  /// The derivation years, oldest first; nil = the distinct years found (there must be as many as weights).
  public var years: [Int]?
  /// How the weights combine yearly figures.
  public var weightBasis: WeightBasis = .yearlyMeans
  /// Trimming rule.
  public var trim: Trim = .percentiles(lowPerMille: 25, highPerMille: 975)
  /// Group-years with fewer cases are not trimmed (25, [S LQ]).
  public var trimMinN = 25
  /// Core threshold by case count (15 for a prefecture pool, DIP3 p.30); ignored when `coreCoverage` is set.
  public var coreThreshold = 15
  /// Core threshold by coverage, scale 4 (0.9500); nil = by count.
  public var coreCoverage: Int64?
  /// A related operation stays in the key when it lifts the mean by at least this, scale 4 (0.1000, DIP3 p.42).
  public var relatedUplift: Int64 = 1000
  /// The score scale (1000, 100, 1) for DIP; the weight multiplier for DRG (1, or 100 for a point scheme).
  public var scale: Int64 = 1000
  /// Comprehensive groups with fewer cases are dropped (their cases stay ungrouped).
  public var comprehensiveMin = 5
  /// Core groups with CV at most this are 基层病种 candidates, scale 4 (0.7000, DIP3 p.48).
  public var basicMaxCV: Int64 = 7000
  /// Make the candidates `basic` groups instead of only marking them.
  public var basicAuto = false
  /// Groups with CV above this are reported as subtyping candidates, scale 4 (1.0000).
  public var maxCV: Int64 = 10000
  /// The operation-class dictionary for comprehensive groups (DIP).
  public var procClasses = ProcClassTable()
  /// Auxiliary subtype definitions (辅助目录, DOMAIN.md §1.4) whose coefficients are derived (`--aux`).
  public var auxDefinitions: [DIPAux] = []
  /// A subtype needs at least this many last-year cases in a group (`aux_trigger`, local minimum).
  public var auxMinCases = 10
  /// A group needs at least this many last-year cases to be subtyped (`aux_trigger`, local minimum).
  public var auxMinGroupCases = 30
  /// The subtype's CV must be at least this much lower than the group's, scale 4 (0.2000: "CV −20%", DIP3 p.63).
  public var auxCVDrop: Int64 = 2_000
  /// Names for group names: diagnosis and operation dictionaries (code → name); empty = codes only.
  public var names = GroupNames()
  /// The hospital registry's levels (`fixmedins_code` → level), for cases without `hosp_lv` (`--hospitals`).
  public var hospitalLevels: [String: String] = [:]

  /// Creates the defaults.
  public init() {}

  /// Parses `1:2:7` (or `1,2,7`).
  public static func parseWeights(_ text: String) throws(MIError) -> [Int64] {
    let parts = text.split(whereSeparator: { $0 == ":" || $0 == "," })
    let w = parts.compactMap { Int64($0) }
    guard w.count == parts.count, !w.isEmpty, w.allSatisfy({ $0 > 0 && $0 < 1000 }) else {
      throw MIError.usage("--year-weights: expected positive integers like 1:2:7, found '\(text)'")
    }
    return w
  }
}

/// Diagnosis and operation names for derived group names (`K35.8 急性阑尾炎 · 腹腔镜下阑尾切除术`).
public struct GroupNames: Sendable {
  private var dx: [String: String] = [:]
  private var dxSorted: [String] = []
  private var proc: [String: String] = [:]

  /// No names.
  public init() {}

  /// Names from a diagnosis and an operation dictionary (code, name pairs).
  public init(dx: [(String, String)], proc: [(String, String)]) {
    for (c, n) in dx where !n.isEmpty { self.dx[c] = n }
    dxSorted = self.dx.keys.sorted()
    for (c, n) in proc where !n.isEmpty { self.proc[c] = n }
  }

  /// The name of a diagnosis key (亚目 or 类目): the key's own entry, else its `00` extension (`K35.8` → `K35.800`),
  /// else the first listed code under the key.
  public func diagnosis(_ key: String) -> String? {
    if let n = dx[key] ?? dx[key + "00"] ?? dx[key + "x00"] { return n }
    var lo = 0
    var hi = dxSorted.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if dxSorted[mid] < key { lo = mid + 1 } else { hi = mid }
    }
    return lo < dxSorted.count && dxSorted[lo].hasPrefix(key) ? dx[dxSorted[lo]] : nil
  }

  /// The name of an operation code.
  public func operation(_ code: String) -> String? { proc[code] }
}
