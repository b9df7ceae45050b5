import Foundation
import MICore
import MIGrouping

// The DIP derivation in named steps (DIP3; DOMAIN.md §1.3, §2.1): base keys → core threshold → related-operation
// splits → core groups → comprehensive groups → scores and 基层病种 candidates → report. Each step reads the
// deriver's buckets and returns what the next needs; `finishDIP` only chains them.

extension Deriver {
  /// A would-be core group: a base key (亚目 + principal operation), or one of its related operations kept in the
  /// key, with the fine keys whose cases it holds.
  struct DIPCandidate {
    var code: String
    var sub: String
    var op: String
    /// The related operation kept in the key, nil for the base group's rest.
    var rel: String?
    var keys: [FineKey]
    /// The related operation's uplift over the rest of the base group (scale 4).
    var uplift: Int64?
  }

  /// The figures of a DIP derivation that its report states.
  struct DIPTally {
    /// Cases of the derivation years.
    var total: Int64
    /// The core threshold (cases).
    var threshold: Int64
    /// Related-operation groups kept.
    var splits = 0
    /// Comprehensive groups dropped as too small, and their cases.
    var dropped = 0
    var droppedCases: Int64 = 0
    /// Leftover cases whose principal operation has no class.
    var unclassified: Int64 = 0
    /// Core groups with CV ≤ basic_max_cv.
    var basicCount = 0
  }

  /// The DIP derivation: related-operation splits, core threshold, comprehensive groups, scores, coefficients.
  func finishDIP(_ years: [Int]) throws(MIError) -> DeriveResult {
    let keys = fine.keys.sorted()
    let total = caseCount(keys, years)
    guard total > 0 else {
      throw MIError.usage("no historical cases in years \(years.map(String.init).joined(separator: ", "))")
    }
    let (bases, baseOrder, noSub) = baseKeys(keys)
    var tally = DIPTally(
      total: total, threshold: coreThresholdFor(baseOrder.map { caseCount(bases[$0]!, years) }, total: total))
    let candidates = try relatedSplits(bases, baseOrder, years, &tally)
    var (groups, leftover) = try coreGroups(candidates, years, threshold: tally.threshold)
    groups += try comprehensiveGroups(noSub + leftover, years, &tally)
    groups.removeAll { $0.stats.kept == 0 }
    groups.sort { $0.code < $1.code }
    let (pool, poolExact) = try poolMean(groups, years)
    tally.basicCount = scoreDIP(&groups, poolExact)
    let coefs = hospitalCoefficients(years)
    let aux = try auxiliaryEntries(groups, years)
    var result = DeriveResult(
      years: years, groups: groups, poolMeanMicroFen: pool, hospitalCoefs: coefs, coreThreshold: tally.threshold,
      report: dipReport(years, groups, pool, tally, coefs: coefs, aux: aux),
      versionInfo: versionInfo(years, pool, groups, threshold: tally.threshold))
    result.aux = aux
    return result
  }

  /// The cases of fine keys `ks` over `years` (untrimmed).
  func caseCount(_ ks: [FineKey], _ years: [Int]) -> Int64 {
    ks.reduce(0) { acc, k in acc + years.reduce(0) { $0 + store.count(fine[k]!, year: $1) } }
  }

  /// Base keys: 亚目 + principal operation (DIP3 basic rule), in the order of the sorted fine keys; codes without a
  /// 亚目 cannot be core and are returned apart.
  func baseKeys(_ keys: [FineKey]) -> (bases: [String: [FineKey]], order: [String], noSub: [FineKey]) {
    var bases: [String: [FineKey]] = [:]
    var baseOrder: [String] = []
    var noSub: [FineKey] = []
    for k in keys {
      if k.sub.isEmpty {
        noSub.append(k)
        continue
      }
      let b = DIPCodes.coreCode(dxKey: k.sub, expression: k.op)
      if bases[b] == nil { baseOrder.append(b) }
      bases[b, default: []].append(k)
    }
    return (bases, baseOrder, noSub)
  }

  /// Related-operation splits (DIP 2.0, DIP3 p.42): a related operation r keeps its own group when the cases
  /// with r cost at least (1 + related_op_uplift) × the mean of the base group's other cases, and are
  /// themselves at least the core threshold. A case with several qualifying r joins the one with the highest
  /// uplift (ties by code). Counts the splits in `tally`.
  func relatedSplits(
    _ bases: [String: [FineKey]], _ baseOrder: [String], _ years: [Int], _ tally: inout DIPTally
  ) throws(MIError) -> [DIPCandidate] {
    var candidates: [DIPCandidate] = []
    for b in baseOrder {
      let ks = bases[b]!
      let sub = ks[0].sub
      let op = ks[0].op
      let qualifying = op.isEmpty ? [:] : try qualifyingRelated(ks, years, threshold: tally.threshold)
      var byRel: [String: [FineKey]] = [:]
      var rest: [FineKey] = []
      for k in ks {
        let best = k.rel.filter { qualifying[$0] != nil }.max { a, c in
          qualifying[a]! != qualifying[c]! ? qualifying[a]! < qualifying[c]! : a > c
        }
        if let best { byRel[best, default: []].append(k) } else { rest.append(k) }
      }
      for r in byRel.keys.sorted() {
        tally.splits += 1
        // The uplift as reported (scale 4), rounded once from the exact ratio.
        let uplift = qualifying[r]!.rounded(times: 10_000) - 10_000
        candidates.append(
          DIPCandidate(
            code: DIPCodes.coreCode(dxKey: sub, expression: op + "+" + r), sub: sub, op: op, rel: r, keys: byRel[r]!,
            uplift: uplift))
      }
      if !rest.isEmpty { candidates.append(DIPCandidate(code: b, sub: sub, op: op, rel: nil, keys: rest, uplift: nil)) }
    }
    return candidates
  }

  /// The exact ratio (mean with r) ÷ (mean without r) of each related operation r of base group `ks` that
  /// qualifies for a split.
  func qualifyingRelated(_ ks: [FineKey], _ years: [Int], threshold: Int64) throws(MIError) -> [String: ExactFraction] {
    var qualifying: [String: ExactFraction] = [:]
    for r in Set(ks.flatMap(\.rel)).sorted() {
      let with = ks.filter { $0.rel.contains(r) }
      let without = ks.filter { !$0.rel.contains(r) }
      guard caseCount(with, years) >= threshold, !without.isEmpty else { continue }
      guard let mw = exactMean(try stats(with.map { fine[$0]! }, years: years)),
        let mo = exactMean(try stats(without.map { fine[$0]! }, years: years)), !mo.num.isZero
      else { continue }
      // "At least 10%" compared exactly, in integers (issue 12 item 2: a ratio rounded to 4 decimals first
      // counted +9.9999% as +10%).
      if mw.isAtLeast(mo, upliftRaw: options.relatedUplift) { qualifying[r] = mw.over(mo) }
    }
    return qualifying
  }

  /// Core groups: the candidates at or above the threshold, named from the dictionaries; the fine keys of the
  /// others are left over for the comprehensive groups.
  func coreGroups(_ candidates: [DIPCandidate], _ years: [Int], threshold: Int64) throws(MIError) -> (
    groups: [DerivedGroup], leftover: [FineKey]
  ) {
    var groups: [DerivedGroup] = []
    var leftover: [FineKey] = []
    for c in candidates {
      guard caseCount(c.keys, years) >= threshold else {
        leftover.append(contentsOf: c.keys)
        continue
      }
      let expr = OperationExpression(
        alternatives: c.op.isEmpty ? [] : [.init(principal: c.op, related: c.rel.map { [$0] } ?? [])])
      let dxName = options.names.diagnosis(c.sub).map { " " + $0 } ?? ""
      let opNames = ([c.op] + (c.rel.map { [$0] } ?? [])).map { options.names.operation($0) ?? $0 }
      let name = c.sub + dxName + " " + (c.op.isEmpty ? "保守治疗" : opNames.joined(separator: " + "))
      let g = DIPGroup(code: c.code, name: name, kind: .core, dxKey: c.sub, expression: expr, score: 0)
      groups.append(
        DerivedGroup(
          code: c.code, group: g, stats: try stats(c.keys.map { fine[$0]! }, years: years), relatedUplift: c.uplift,
          keys: c.keys))
    }
    return (groups, leftover)
  }

  /// Comprehensive groups: the leftover fine keys by 类目 and operation class (no class: 内科诊疗组); groups under
  /// comprehensive_min cases are dropped. Counts the dropped and unclassified cases in `tally`.
  func comprehensiveGroups(_ leftover: [FineKey], _ years: [Int], _ tally: inout DIPTally) throws(MIError)
    -> [DerivedGroup]
  {
    var comp: [String: [FineKey]] = [:]
    for k in leftover {
      var cls = OperationClass.medical
      if !k.op.isEmpty {
        if let c = options.procClasses.classOf(k.op) { cls = c } else { tally.unclassified += caseCount([k], years) }
      }
      comp[DIPCodes.comprehensiveCode(category: k.cat, opClass: cls), default: []].append(k)
    }
    var groups: [DerivedGroup] = []
    for code in comp.keys.sorted() {
      let ks = comp[code]!.sorted()
      let n = caseCount(ks, years)
      guard n >= Int64(options.comprehensiveMin) else {
        tally.dropped += 1
        tally.droppedCases += n
        continue
      }
      let cls = OperationClass.allCases.first { code.hasSuffix("_" + $0.letter) }!
      let g = DIPGroup(
        code: code,
        name: "\(ks[0].cat)\(options.names.diagnosis(ks[0].cat).map { " " + $0 } ?? "") 综合病种 \(cls.rawValue)组",
        kind: .comprehensive, dxKey: ks[0].cat, opClass: cls,
        score: 0)
      groups.append(
        DerivedGroup(code: code, group: g, stats: try stats(ks.map { fine[$0]! }, years: years), relatedUplift: nil))
    }
    return groups
  }

  /// Sets each group's 分值, case count, mean and CV, and marks the 基层病种 candidates (made basic with
  /// `basicAuto`); returns how many there are.
  func scoreDIP(_ groups: inout [DerivedGroup], _ poolExact: ExactFraction) -> Int {
    var basicCount = 0
    for i in groups.indices {
      let st = groups[i].stats
      groups[i].group.score = scoreOf(st, poolExact, scale: options.scale)
      groups[i].group.caseCount = st.untrimmed
      // mean_amt (the last-year-mean benchmark's source): rounded once, to the fen, from the exact mean.
      groups[i].group.meanFen = exactMean(st)!.rounded()
      groups[i].group.cv = st.cv
      if groups[i].group.kind == .core && st.cv <= options.basicMaxCV {
        basicCount += 1
        groups[i].group.basicCandidate = true
        if options.basicAuto { groups[i].group.kind = .basic }
      }
    }
    return basicCount
  }

  /// The report of a DIP derivation: the common lines, then core and comprehensive coverage, splits, CV, the
  /// hospital-level coefficients and the auxiliary subtypes.
  func dipReport(
    _ years: [Int], _ groups: [DerivedGroup], _ pool: Int64, _ tally: DIPTally, coefs: [String: Int64], aux: [DIPAux]
  ) -> [String] {
    var report = commonReport(years, groups, pool)
    let total = tally.total
    let core = groups.filter { $0.group.kind != .comprehensive }
    let coreCases = core.reduce(0) { $0 + $1.stats.untrimmed }
    let compGroups = groups.filter { $0.group.kind == .comprehensive }
    let compCases = compGroups.reduce(0) { $0 + $1.stats.untrimmed }
    report.append(
      "核心病种 \(core.count) (threshold \(tally.threshold) cases) covering \(pct(coreCases, total)) of cases; "
        + "综合病种 \(compGroups.count) covering \(pct(compCases, total)); dropped \(tally.dropped) small comprehensive "
        + "groups (< \(options.comprehensiveMin) cases: \(tally.droppedCases) cases, \(pct(tally.droppedCases, total)), "
        + "left ungrouped)")
    report.append(
      "related operations kept in the key: \(tally.splits) groups (uplift ≥ \(Fixed(raw: options.relatedUplift, scale: 4)))"
        + (tally.unclassified > 0
          ? "; \(tally.unclassified) leftover cases have a principal operation without a class (→ 内科诊疗组)" : ""))
    report.append(
      cvReport(groups) + "; 基层病种 candidates (CV ≤ \(Fixed(raw: options.basicMaxCV, scale: 4))): \(tally.basicCount)"
        + (options.basicAuto ? " (made basic)" : ""))
    if !coefs.isEmpty {
      report.append(
        "医疗机构调节系数 by level: "
          + coefs.keys.sorted().map { "\($0) \(Fixed(raw: coefs[$0]!, scale: 4))" }.joined(separator: " · "))
    }
    if !options.auxDefinitions.isEmpty {
      let subtyped = Set(aux.flatMap(\.groups)).count
      report.append(
        "辅助分型: \(aux.count) subtype coefficients over \(subtyped) core groups (trigger: last year ≥ "
          + "\(options.auxMinGroupCases) group cases, ≥ \(options.auxMinCases) subtype cases, CV "
          + "−\(Fixed(raw: options.auxCVDrop * 100, scale: 4).rescaled(to: 0))%)")
    }
    return report
  }
}
