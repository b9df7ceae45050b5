import ArgumentParser
import MICommandLine
import MICore
import MIScoring

/// `mi-score special`: the pool's 特例单议 candidates, ranked by cost ratio, within the quota (DOMAIN.md §2.4).
struct Special: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List 特例单议 candidates of scored cases, ranked by cost ratio, within the quota.",
    discussion: """
      Reads scored cases (mi-score output) of one pool and period, counts its discharges per scheme, and writes \
      one record per candidate (special_candidate: true), highest cost_ratio first (ties by setl_id), with \
      kind "special-candidate", rank and within_quota. The quota is ⌊discharges × special_quota⌋: 5‰ of DIP and \
      5% of DRG discharges unless the params say otherwise. With --quota only the candidates within it are \
      written. Only keys and amounts are written, never personal data. Holds the candidates in memory, not the \
      cases.

      The reviewed list goes back to scoring as --approved: those cases become case_class special.

      Example:
        mi-score special --params params-2024 --quota scored.ndjson > review.ndjson
        mi-score --params params-2024 --catalog dip-2024 --approved approved.ndjson \\
          grouped.ndjson
      """)

  @Option(
    help: ArgumentHelp(
      "Params version or .toml file whose special_quota applies (default 0.005 DIP, 0.05 DRG).",
      valueName: "name|file"))
  var params: String?
  @Flag(help: "Write only the candidates within the quota.")
  var quota = false
  @Argument(help: ArgumentHelp("Scored case files (NDJSON, .gz); standard input when none or -.", valueName: "file"))
  var files: [String] = []
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    var sp = ScoringParams.defaults
    if let params { sp = try ScoringParams.load(try common.params(params, needsWorkspace: false).0) }
    let shares = sp.specialShares
    let stream = try RecordStream(inputs: files, options: common.stream)
    var review = SpecialReview()
    try stream.run { s in
      review.count(try SpecialReview.scheme(of: s))
      if let c = try SpecialReview.candidate(s) { review.add(c) }
      return .consumed
    }
    var w = JSONWriter()
    for (c, rank, within) in review.ranked(shares: shares) where within || !quota {
      try stream.emit { b in
        SpecialReview.write(c, rank: rank, withinQuota: within, &w, into: &b)
        return 1
      }
    }
    try stream.finish(extra: review.summary(shares: shares))
  }
}
