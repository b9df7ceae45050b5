import Foundation
import MICore

/// The codes the generator draws from: a diagnosis and a procedure dictionary.
struct Dictionaries {
  /// Diagnosis codes, in dictionary order.
  var dx: [String]
  /// Procedure codes, in dictionary order.
  var proc: [String]

  /// Loads a dictionary given as a TSV/CSV file or as the name of a version in the workspace.
  static func codes(_ spec: String, kind: String, db: String?) throws(MIError) -> [String] {
    if FileManager.default.fileExists(atPath: spec) {
      let table = try TableReader(path: spec)
      var out: [String] = []
      while let row = try table.nextRow() {
        if table.lineNumber == 1 && row.first?.lowercased() == "code" { continue }
        if let c = row.first, !c.isEmpty { out.append(c) }
      }
      guard !out.isEmpty else { throw MIError.reference("\(spec): no codes") }
      return out
    }
    let lower = spec.lowercased()
    if spec.contains("/") || lower.hasSuffix(".tsv") || lower.hasSuffix(".csv") {
      throw MIError.reference(
        "--\(kind) \(spec): no such file (name a dictionary file, or a \(kind) version in the workspace)")
    }
    let ws = try Workspace.open(db, access: .read)
    let codes = try ws.codes(try ws.refSet(spec, kind: kind)).map(\.code)
    guard !codes.isEmpty else { throw MIError.reference("\(spec): no codes") }
    return codes
  }
}

/// A disease profile: one principal diagnosis with its usual procedures, cost and length of stay.
///
/// Profiles are chosen from the dictionary by a fixed internal seed, not the run's seed, so every year and seed
/// of a bureau's generated history shares the same diseases: a catalog derived from generated history fits a
/// generated current year, as a real catalog fits a real pool.
struct Profile {
  /// Principal diagnosis.
  var dx: [UInt8]
  /// Candidate principal procedures; empty for a medical (conservative) profile.
  var procs: [[UInt8]]
  /// Probability that a case has a procedure at all.
  var surgicalRate: Double
  /// A related (secondary) procedure that raises cost when present.
  var related: [UInt8]?
  /// log of the median cost in yuan.
  var mu: Double
  /// Spread of log cost.
  var sigma: Double
  /// Mean length of stay in days.
  var los: Double
  /// 1 male only, 2 female only, 0 either.
  var sex: Int
  /// Newborn profile (age 0, days and birth weight).
  var newborn: Bool
}

/// The hospitals of a generated pool.
struct Hospital {
  /// fixmedins_code.
  var code: [UInt8]
  /// Level 1–3.
  var level: Int
  /// Relative case volume.
  var volume: Double
  /// Number of doctors.
  var doctors: Int
}

/// The generator's fixed world: profiles, hospitals, and the pool's 医保区划.
struct World {
  var profiles: [Profile]
  var profileWeights: [Double]
  var hospitals: [Hospital]
  var hospitalWeights: [Double]
  var secondaryDx: [[UInt8]]
  var admdvs: String

  /// Hospital codes: H + the pool's admdvs + a five-digit serial (the platform's 定点医药机构编号 shape).
  static func hospitalCode(_ admdvs: String, _ i: Int) -> [UInt8] {
    Array("H\(admdvs)\(String(format: "%05d", i + 1))".utf8)
  }

  /// Hospital level by position: about 8% level 3, 25% level 2, the rest level 1 (fixed, seed-independent).
  static func hospitalLevel(_ i: Int) -> Int {
    let r = stableHash("hospital-\(i)") % 100
    return r < 8 ? 3 : (r < 33 ? 2 : 1)
  }

  init(dictionaries d: Dictionaries, hospitals count: Int, admdvs: String, profileCount: Int = 800) {
    self.admdvs = admdvs
    var rng = SplitMix64(seed: 0x4D49_544F_4F4C_53)  // fixed: "MITOOLS"
    // Principal diagnoses: spread over the dictionary, one per 3-character category where possible, so that
    // both DIP core groups (亚目) and comprehensive groups (类目) have cases.
    var byCategory: [String: [String]] = [:]
    var categories: [String] = []
    for c in d.dx where !c.isEmpty {
      let cat = String(c.prefix(3))
      if byCategory[cat] == nil { categories.append(cat) }
      byCategory[cat, default: []].append(c)
    }
    var chosen: [String] = []
    var catOrder = categories
    for i in stride(from: catOrder.count - 1, to: 0, by: -1) { catOrder.swapAt(i, rng.below(i + 1)) }
    for cat in catOrder.prefix(profileCount) {
      let codes = byCategory[cat]!
      chosen.append(codes[rng.below(codes.count)])
    }
    var profiles: [Profile] = []
    var weights: [Double] = []
    var total = 0.0
    let procs = d.proc
    for (rank, code) in chosen.enumerated() {
      let first = code.first ?? "A"
      let surgical = procs.isEmpty ? 0 : rng.unit() * 0.8
      var pp: [[UInt8]] = []
      if surgical > 0.05 {
        let n = 1 + rng.below(2)
        for _ in 0..<n { pp.append(Array(procs[rng.below(procs.count)].utf8)) }
      }
      let related: [UInt8]? = !procs.isEmpty && rng.chance(0.3) ? Array(procs[rng.below(procs.count)].utf8) : nil
      let mu = log(2500 + rng.unit() * 20000) + surgical * 1.2
      profiles.append(
        Profile(
          dx: Array(code.utf8), procs: pp, surgicalRate: surgical, related: related, mu: mu,
          sigma: 0.3 + rng.unit() * 0.3, los: 3 + rng.unit() * 10, sex: first == "O" ? 2 : 0, newborn: first == "P"))
      // Zipf-like volumes: a few common diseases, a long tail.
      total += 1.0 / pow(Double(rank + 5), 0.9)
      weights.append(total)
    }
    self.profiles = profiles
    profileWeights = weights
    var hs: [Hospital] = []
    var hw: [Double] = []
    var htotal = 0.0
    for i in 0..<count {
      let level = World.hospitalLevel(i)
      let volume = level == 3 ? 8.0 : (level == 2 ? 3.0 : 1.0)
      htotal += volume
      hs.append(Hospital(code: World.hospitalCode(admdvs, i), level: level, volume: volume, doctors: level * 10 + 5))
      hw.append(htotal)
    }
    hospitals = hs
    hospitalWeights = hw
    secondaryDx = d.dx.map { Array($0.utf8) }
  }
}
