import ArgumentParser
import Foundation
import MICommandLine
import MICore
import MIGrouping
import MIScoring

/// `mi-score derive`: derives a DIP catalog or DRG weights from historical cases.
struct Derive: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "derive",
    abstract: "Derive a DIP catalog (病种 and 分值) or DRG weights from three years of historical cases.",
    discussion: """
      Reads historical inpatient cases (year from setl_time, else dscg_time;
      total cost medfee_sumamt; for --method drg the DRG from group_code).
      DIP (DIP3 pp.30-58, DOMAIN.md 1.3, 2.1-2.2): keys are 亚目 + principal
      operation; a related operation stays in the key when it lifts the mean
      by --related-op-uplift; groups with --core-threshold cases (or the count
      reaching --core-coverage) are core, the rest comprehensive by 类目 x
      operation class (--proc-class). 分值 = m_i / M x --scale; CV per group;
      基层病种 candidates (CV <= --basic-max-cv); 医疗机构调节系数 by level.
      DRG: RW = group mean / pool mean per group_code.

      Years combine with --year-weights (oldest first) on yearly means or on
      totals (--weight-basis); costs are trimmed per group and year first.
      Scores and weights have 4 decimals, rounded half up once from exact
      integer means. The report goes to standard error; the catalog goes to
      standard output (or -o) as NDJSON "catalog-entry" lines for review, or
      into the workspace with --import NAME. Same history, same bytes.
      Memory grows with the groups, not the cases: trimming needs each
      group's costs, kept in an unlinked temporary file in $TMPDIR (else
      /tmp), about 24 bytes per case at the peak.
      --partial on slices of the history and --merge on the partials give
      the same result as one run (DESIGN.md 6). --aux FILE derives 辅助分型
      coefficients (subtype mean / group mean, last year) per core group.

      Example: derive from three years, review, store, group the next year
        for y in 2021 2022 2023; do
          mi-gen cases --count 300000 --seed $y --year $y; done > hist.ndjson
        mi-catalog import proc-class examples/dip/proc-class.tsv --name pc
        mi-score derive --proc-class pc --dx dx-yb2 --proc proc-yb2 \\
          -o dip.ndjson hist.ndjson
        mi-catalog import dip dip.ndjson --name dip-2024 --proc-class pc
        mi-gen cases --count 1000 --year 2024 | mi-group --dip dip-2024
      """)

  @Argument(help: ArgumentHelp("Historical case files (NDJSON, .gz; - or none for standard input).", valueName: "file"))
  var files: [String] = []

  @Option(help: ArgumentHelp("What to derive: dip (a DIP catalog) or drg (DRG weights).", valueName: "method"))
  var method: String = "dip"

  @Option(
    help: ArgumentHelp("Store the result as workspace version NAME (kind dip or drg-weights).", valueName: "name"))
  var `import`: String?

  @Flag(help: "Replace an existing version named by --import.")
  var replace = false

  @Option(
    help: ArgumentHelp(
      "Auxiliary subtype definitions (NDJSON aux entries) whose coefficients to derive.", valueName: "file"))
  var aux: String?

  @Option(help: ArgumentHelp("A subtype needs this many last-year cases in a group.", valueName: "n"))
  var auxMinCases: Int = 10

  @Option(help: ArgumentHelp("A group needs this many last-year cases to be subtyped.", valueName: "n"))
  var auxMinGroupCases: Int = 30

  @Option(help: ArgumentHelp("The subtype's CV must be this share lower than the group's.", valueName: "share"))
  var auxCVDrop: String = "0.20"

  /// `--partial`, `--merge`.
  @OptionGroup var distributed: PartialOptions

  @Option(
    help: ArgumentHelp(
      "Operation-class dictionary version (kind proc-class) for comprehensive groups.", valueName: "name"))
  var procClass: String?

  @Option(
    help: ArgumentHelp(
      "Hospital registry version: the level of cases without hosp_lv, for the level coefficients (dip).",
      valueName: "name"))
  var hospitals: String?

  @Option(help: ArgumentHelp("Diagnosis dictionary version (kind dx) for group names.", valueName: "name"))
  var dx: String?

  @Option(help: ArgumentHelp("Procedure dictionary version (kind proc) for group names.", valueName: "name"))
  var proc: String?

  @Option(help: ArgumentHelp("Year weights, oldest first.", valueName: "w:w:w"))
  var yearWeights: String = "1:2:7"

  @Option(help: ArgumentHelp("Derivation years, oldest first (default: the years found).", valueName: "yyyy,yyyy,…"))
  var years: String?

  @Option(help: ArgumentHelp("How weights combine years: yearly-means or totals.", valueName: "basis"))
  var weightBasis: String = "yearly-means"

  @Option(
    help: ArgumentHelp(
      "Trimming per group-year: pLO,pHI (p2.5,p97.5), mean±Ksd (K up to 2 decimals: mean±2.5sd), or none.",
      valueName: "rule"))
  var trim: String = "p2.5,p97.5"

  @Option(help: ArgumentHelp("Group-years with fewer cases are not trimmed.", valueName: "n"))
  var trimMinN: Int = 25

  @Option(help: ArgumentHelp("Core threshold in cases (15 prefecture, 50 province).", valueName: "n"))
  var coreThreshold: Int = 15

  @Option(help: ArgumentHelp("Core threshold by coverage instead: a share in (0, 1], e.g. 0.95.", valueName: "share"))
  var coreCoverage: String?

  @Option(
    help: ArgumentHelp("Keep a related operation in the key when it lifts the mean by this share.", valueName: "share"))
  var relatedOpUplift: String = "0.10"

  @Option(help: ArgumentHelp("Score scale: 1000, 100 or 1 (dip); weight multiplier (drg, default 1).", valueName: "n"))
  var scale: Int64?

  @Option(
    help: ArgumentHelp("Drop comprehensive groups with fewer cases (their cases stay ungrouped).", valueName: "n"))
  var comprehensiveMin: Int = 5

  @Option(help: ArgumentHelp("基层病种 candidates: core groups with CV at most this.", valueName: "cv"))
  var basicMaxCV: String = "0.7"

  @Flag(help: "Make the 基层病种 candidates basic groups (dip_kind basic) instead of only marking them.")
  var basicAuto = false

  @Option(help: ArgumentHelp("Report groups with CV above this as subtyping candidates.", valueName: "cv"))
  var maxCV: String = "1.0"

  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    var o = DeriveOptions()
    guard let m = DeriveMethod(rawValue: method) else { throw ValidationError("--method must be dip or drg") }
    o.method = m
    o.yearWeights = try DeriveOptions.parseWeights(yearWeights)
    if let years {
      let ys = years.split(separator: ",").compactMap { Int($0) }
      guard ys.count == years.split(separator: ",").count, ys == ys.sorted(), Set(ys).count == ys.count else {
        throw ValidationError("--years must list distinct years, oldest first (2021,2022,2023)")
      }
      o.years = ys
    }
    guard let basis = WeightBasis(rawValue: weightBasis) else {
      throw ValidationError("--weight-basis must be yearly-means or totals")
    }
    o.weightBasis = basis
    o.trim = try Trim(parsing: trim)
    o.trimMinN = trimMinN
    guard coreThreshold >= 1 else { throw ValidationError("--core-threshold must be at least 1") }
    o.coreThreshold = coreThreshold
    o.coreCoverage = try coreCoverage.map { text in
      // A share of the cases: 0 would make every group core and anything above 1 cannot be reached.
      let c = try share(text, "--core-coverage")
      guard c > 0 && c <= 10_000 else {
        throw ValidationError("--core-coverage must be a share above 0 and at most 1 (e.g. 0.95), found '\(text)'")
      }
      return c
    }
    o.relatedUplift = try share(relatedOpUplift, "--related-op-uplift")
    o.scale = scale ?? (m == .dip ? 1000 : 1)
    if m == .dip && !DIPCatalog.scales.contains(o.scale) { throw ValidationError("--scale must be 1000, 100 or 1") }
    guard o.scale > 0 else { throw ValidationError("--scale must be positive") }
    o.comprehensiveMin = max(1, comprehensiveMin)
    o.basicMaxCV = try share(basicMaxCV, "--basic-max-cv")
    o.basicAuto = basicAuto
    o.maxCV = try share(maxCV, "--max-cv")
    if let name = `import` { try VersionName.validate(name, flag: "--import") }
    let needsDB = procClass != nil || `import` != nil || dx != nil || proc != nil || hospitals != nil
    let ws: Workspace? = needsDB ? try common.workspace(`import` != nil ? .create : .read) : nil
    if let procClass, let ws { o.procClasses = try ProcClassTable.load(ws, name: procClass) }
    if let hospitals, let ws { o.hospitalLevels = try HospitalLevels.load(ws, name: hospitals) }
    if let ws, dx != nil || proc != nil {
      let d = try dx.map { try ws.codes(try ws.refSet($0, kind: "dx")).map { ($0.code, $0.name) } } ?? []
      let p = try proc.map { try ws.codes(try ws.refSet($0, kind: "proc")).map { ($0.code, $0.name) } } ?? []
      o.names = GroupNames(dx: d, proc: p)
    }

    let (partial, merge) = (distributed.partial, distributed.merge)
    guard !(partial && merge), !(partial && `import` != nil) else {
      throw ValidationError("--partial writes partial aggregates: it goes with neither --merge nor --import")
    }
    if let aux {
      guard m == .dip, !partial, !merge else {
        throw ValidationError("--aux goes with --method dip, without --partial or --merge")
      }
      o.auxDefinitions = try DIPCatalogReader.readAuxDefinitions(aux)
      o.auxMinCases = max(1, auxMinCases)
      o.auxMinGroupCases = max(1, auxMinGroupCases)
      o.auxCVDrop = try share(auxCVDrop, "--aux-cv-drop")
    }
    var run = DeriveRun(options: o, inputs: files, stream: common.stream)
    (run.partial, run.merge, run.importName, run.replace) = (partial, merge, `import`, replace)
    run.english = common.lang == .en
    try run.run(ws)
  }

  /// A share or CV given as a decimal (0.95), to scale 4.
  private func share(_ text: String, _ flag: String) throws -> Int64 {
    guard let f = Fixed(text, scale: 4), f.raw >= 0 else {
      throw ValidationError("\(flag) must be a decimal like 0.95")
    }
    return f.raw
  }
}
