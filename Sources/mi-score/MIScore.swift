import ArgumentParser
import MICommandLine
import MICore

/// `mi-score`: weights, 分值 and points for every grouped case; 特例单议 review lists; catalog derivation.
struct MIScore: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-score",
    abstract: "Score grouped cases: weight, coefficient, outlier class and points under a params version.",
    discussion: """
      Scoring is the default subcommand: 'mi-score --params P --catalog C' is 'mi-score score …'. It streams: \
      each grouped case (from mi-group) is written back with weight, coef, case_class, points, benchmark_amt, \
      cost_ratio, score_rule and, above the special threshold, special_candidate: true.

      Example: group a month, score it, list the 特例单议 candidates within the 5‰ quota:
        mi-group --dip dip-2024 cases-2024-03.ndjson \\
          | mi-score --params params-2024 --catalog dip-2024 > scored.ndjson
        mi-score special --params params-2024 --quota scored.ndjson > review.ndjson
      """,
    version: MIVersion.current,
    subcommands: [Score.self, Derive.self, Special.self],
    defaultSubcommand: Score.self)
}
