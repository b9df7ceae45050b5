import MICore

extension ScoringParams {
  /// The [scoring] section for `mi-score`, checked as `mi-catalog import params` checks a version: a key of the
  /// section that no one reads is an error (a typo), and so is a params file (usage) or version (reference data
  /// of the workspace at `workspacePath`) without the section. `name` is the `--params` value.
  public static func loadForScoring(_ p: Params, name: String, workspacePath: String) throws(MIError) -> ScoringParams {
    let sp = try load(p)
    if let typo = p.unusedKeys().first(where: { $0.hasPrefix("scoring.") }) {
      throw p.invalid(typo, "unknown key: mi-score does not read it")
    }
    guard sp.present else {
      if p.origin == .file { throw MIError.usage("\(name): no [scoring] section") }
      throw MIError.reference("\(workspacePath): params '\(name)' has no [scoring] section")
    }
    return sp
  }

  /// The 特例单议 quota shares by scheme.
  public var specialShares: [Scheme: Fixed] { [.dip: dip.specialQuota, .drg: drg.specialQuota] }
}

extension SpecialReview {
  /// The summary items of a review, one per scheme seen: discharges, candidates, and the quota with its share.
  public func summary(shares: [Scheme: Fixed]) -> [String] {
    [Scheme.dip, .drg].compactMap { (s: Scheme) -> String? in
      guard let n = discharges[s] else { return nil }
      let q = quota(s, share: shares[s]!)
      let cands = candidates.filter { $0.scheme == s }.count
      return "\(s.rawValue.uppercased()) discharges \(n), candidates \(cands), quota \(q) (\(shares[s]!))"
    }
  }
}
