import MICore

/// The subcommands of `mi-audit` once ArgumentParser has read their flags: the checks of flag combinations, the
/// opening of rule sets, knowledge points and registries, the record loops and the report lines. The executable
/// only declares the flags and calls these (README, "Adding a tool": executables stay thin). A `workspace`
/// closure opens the workspace database the shared `--db` names, with the access asked for.
public enum AuditCommands {
  /// Opens the engine of `mi-audit run` and `test`: the rule set `rules` (a `.toml` file or a stored version), the
  /// knowledge points `kp` (a version or a directory) and the hospital levels of registry `hospitals`. The
  /// workspace is opened read-only at most once, when something is read from it.
  public static func engine(
    rules: String, kp: String?, hospitals: String?, workspace open: () throws(MIError) -> Workspace
  ) throws -> AuditEngine {
    var ws: Workspace? = nil
    func workspace() throws(MIError) -> Workspace {
      if let ws { return ws }
      let w = try open()
      ws = w
      return w
    }
    let ruleSet =
      RuleSetStore.isFile(rules) ? try RuleSetStore.file(rules) : try RuleSetStore.load(workspace(), name: rules)
    let knowledge = try kp.map { (k: String) throws(MIError) in try Knowledge.open(k, workspace: workspace) }
    let levels =
      try hospitals.map { (h: String) throws(MIError) in try HospitalLevels.load(workspace(), name: h) } ?? [:]
    // Rules that keep state in the workspace (the doctor points ledger) get it when one exists, even when the
    // rule set and the knowledge points come from files.
    let context = RuleContext(
      knowledge: knowledge, hospitals: levels, workspace: ws ?? (try? open()), settings: ruleSet.settings)
    return AuditEngine(ruleSet: ruleSet, context: context)
  }

  /// What is wrong with the input flags of `mi-audit run`, or nil.
  public static func runFlagError(cases: [String], fees: [String], previous: String?) -> String? {
    if cases.isEmpty && fees.isEmpty { return "give --cases FILE, --fees FILE or both" }
    if (cases + fees + [previous].compactMap { $0 }).filter({ $0 == "-" }).count > 1 {
      return "standard input (-) can be read once only"
    }
    return nil
  }

  /// `mi-audit run`: audits the case files `cases` and the fee-line files `fees` (`previous`: the previous
  /// period's cases), writes the findings to `-o` and the summary line to standard error.
  public static func run(
    _ engine: AuditEngine, cases: [String], fees: [String], previous: String?, stream o: StreamOptions
  ) throws {
    let out = try OutputFile(path: o.output)
    engine.rejects = try o.rejects.map { (p: String) throws(MIError) in try RejectSink(path: p) }
    let summary = try engine.run(
      cases: cases.map { .file($0) }, fees: fees.map { .file($0) }, previous: previous.map { [.file($0)] },
      output: out)
    try out.finish()
    try engine.rejects?.finish()
    Diagnostics.line("mi-audit: \(summary.line)")
  }

  /// `mi-audit test`: runs the examples of the engine's rule set (only the rules `ruleIDs` when some are named),
  /// one line per example to `output`; a failing example is refused (exit 1).
  public static func test(_ engine: AuditEngine, ruleIDs: [String], output: String?) throws {
    let outcomes = try RuleTester.run(
      engine.ruleSet, context: engine.context, only: ruleIDs.isEmpty ? nil : Set(ruleIDs))
    let out = try OutputFile(path: output)
    for o in outcomes { try out.write(o.line + "\n") }
    try out.finish()
    let failed = outcomes.filter { !$0.passed }.count
    Diagnostics.line("mi-audit: \(outcomes.count - failed) passed, \(failed) failed")
    if failed > 0 { throw MIError.refused("\(failed) example\(failed == 1 ? "" : "s") failed") }
  }

  /// What is wrong with the flags of `mi-audit doctors`, or nil.
  public static func doctorsFlagError(
    year: String, confirmed: String?, auto: Bool, post: Bool, force: Bool, cases: [String], inputs: [String]
  ) -> String? {
    if !Period.isYear(year) { return "--year must be YYYY, found '\(year)'" }
    if auto == (confirmed != nil) { return "give either --confirmed FILE or --auto" }
    if force && !post { return "--force applies to --post only" }
    let stdin = ([confirmed].compactMap { $0 } + cases).filter { $0 == "-" }.count
    if stdin > 1 || (stdin == 1 && (inputs.isEmpty || inputs.contains("-"))) {
      return "standard input (-) can be read once only: name the findings files"
    }
    return nil
  }

  /// `mi-audit doctors`: the confirmed findings of `inputs` (those of `confirmed`, or with `auto` every 明确违规
  /// one) of `year` into each doctor's points under the `[points]` section of `rules` (AUDIT.md §4); with `post`
  /// the points go to the ledger, the input digest covering the confirmed list, the case files and the findings.
  public static func doctors(
    year: String, rules: String, confirmed: String?, auto: Bool, cases: [String], post: Bool, force: Bool,
    inputs: [String], stream o: StreamOptions, workspace open: (Workspace.Access) throws(MIError) -> Workspace
  ) throws {
    let file = RuleSetStore.isFile(rules)
    let ws = post || !file ? try open(post ? .write : .read) : nil
    let ruleSet = file ? try RuleSetStore.file(rules) : try RuleSetStore.load(ws!, name: rules)
    let policy = try PointsPolicy.load(ruleSet, origin: file ? .file : .workspace)
    var digest: SHA256? = post ? SHA256() : nil
    var list: ConfirmedList? = nil
    if let confirmed { list = try ConfirmedList.read(confirmed, digest: &digest) }
    var doctors = CaseDoctors()
    for path in cases { try doctors.read(path, digest: &digest) }
    var points = DoctorPoints(policy: policy, year: year)
    let stream = try RecordStream(inputs: inputs, options: o)
    try stream.run { s in
      let f = try FindingRecord.read(s)
      if digest != nil {
        digest!.update(s.line)
        digest!.update(byte: 0x0A)
      }
      points.add(f, confirmed: auto ? f.sevDeg == FindingRecord.explicit : list!.confirms(f), cases: doctors)
      return .consumed
    }
    let ledger = PointsLedger(
      year: year, rules: rules, records: Int64(points.counts.events), outside: points.counts.otherYear,
      rejected: stream.counts.rejected, force: force)
    if post, let ws { try ledger.check(ws) }
    let standings = points.standings()
    for s in standings {
      try stream.emit { b in
        DoctorRecords.write(s, scheme: policy.scheme, into: &b); return 1
      }
    }
    var extra = DoctorRecords.summaryParts(points.counts, standings, unmatched: list?.unmatched)
    if post, let ws, var d = digest {
      extra.append("posted run \(try ledger.post(ws, inputSHA256: d.hexDigest(), standings: standings).id)")
    }
    try stream.finish(extra: extra)
  }

  /// What is wrong with the flags of `mi-audit summary`, or nil.
  public static func summaryFlagError(
    by: String, asAdjustments: Bool, period: String?, hospitals: String?, includeSuspect: Bool
  ) -> String? {
    if case .failure(let e) = FindingSummary.Dimension.parse(by) { return e.message }
    if asAdjustments {
      guard let period else { return "--as-adjustments needs --period YYYY or YYYY-MM" }
      guard Period.isYear(period) || Period.isMonth(period) else {
        return "--period must be YYYY or YYYY-MM, found '\(period)'"
      }
    } else {
      if period != nil { return "--period applies to --as-adjustments only" }
      if includeSuspect { return "--include-suspect applies to --as-adjustments only" }
      if hospitals != nil { return "--hospitals applies to --as-adjustments only" }
    }
    return nil
  }

  /// `mi-audit summary`: the findings of `inputs` totalled by the dimensions `by`; or, with `asAdjustments`, the
  /// deductions of `period` for mi-clear, only for the institutions of registry `hospitals` when it is given.
  public static func summary(
    by: String, asAdjustments: Bool, period: String?, hospitals: String?, includeSuspect: Bool, inputs: [String],
    stream o: StreamOptions, workspace open: () throws(MIError) -> Workspace
  ) throws {
    let dimensions = try FindingSummary.Dimension.parse(by).get()
    var registry: Set<String>? = nil
    if let hospitals {
      let ws = try open()
      registry = Set(try ws.codes(try ws.refSet(hospitals, kind: "hospitals")).map(\.code))
    }
    let stream = try RecordStream(inputs: inputs, options: o)
    if let period, asAdjustments {
      var adjustments = AdjustmentSummary(period: period, includeSuspect: includeSuspect)
      adjustments.institutions = registry
      try stream.run { s in
        adjustments.add(try FindingRecord.read(s))
        return .consumed
      }
      try stream.emit { b in adjustments.write(into: &b) }
      try stream.finish(extra: adjustments.summaryParts)
      return
    }
    var summary = FindingSummary(by: dimensions)
    try stream.run { s in
      summary.add(try FindingRecord.read(s))
      return .consumed
    }
    try stream.emit { b in summary.write(into: &b) }
    try stream.finish(extra: ["groups \(summary.groups.count)", "vola_amt \(Money.format(summary.total.volaAmt))"])
  }
}
