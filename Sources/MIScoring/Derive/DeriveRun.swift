import Foundation
import MICore

/// `mi-score derive` once its flags are read: read the history (or with `--merge` the partials) into a `Deriver`,
/// then write partial records (`--partial`), or finish: the report to standard error, the catalog or weights to
/// the output and, with `--import NAME`, into the workspace.
public struct DeriveRun {
  /// The derivation's options.
  public var options: DeriveOptions
  /// The history files (standard input when empty).
  public var inputs: [String]
  /// The output, rejects and progress flags.
  public var stream: StreamOptions
  /// `--partial`, `--merge`.
  public var partial = false, merge = false
  /// `--import NAME` and `--replace`.
  public var importName: String?, replace = false
  /// `--lang en`: the report's Chinese terms in English.
  public var english = false

  /// Creates a run.
  public init(options: DeriveOptions, inputs: [String], stream: StreamOptions) {
    self.options = options
    self.inputs = inputs
    self.stream = stream
  }

  /// The report's Chinese terms and their English labels for `--lang en`.
  public static let english = [
    ("核心病种", "core groups"), ("综合病种", "comprehensive groups"), ("基层病种", "basic-group"),
    ("医疗机构调节系数", "hospital coefficients"), ("内科诊疗组", "medical group"), ("辅助分型", "auxiliary subtypes"),
  ]

  /// Runs the derivation; `ws` is the workspace when a flag needs one (`--import`).
  public func run(_ ws: Workspace?) throws {
    var deriver = Deriver(options: options)
    let records = try RecordStream(inputs: inputs, options: stream)
    var digest: SHA256? = nil
    try records.aggregate(into: &deriver, merge: merge, digest: &digest)
    if partial {
      // Partial aggregates are exact (every cost in fen), so merging them reproduces a single run byte for byte.
      try records.emitPartials(of: &deriver)
      try records.finish()
      return
    }
    let result = try deriver.finish()
    for line in result.report {
      // Report labels are the bureau's Chinese terms; --lang en swaps them for English ones.
      let text = english ? Self.english.reduce(line) { $0.replacingOccurrences(of: $1.0, with: $1.1) } : line
      Diagnostics.line("\(Diagnostics.tool): \(text)")
    }
    let lines = try store(result, ws)
    if importName == nil || stream.output != nil {
      for l in lines { try records.emit(line: l) }
    }
    try records.finish()
  }

  /// The catalog entries (dip) or weights (drg) of `result`, stored as version `--import` when given.
  private func store(_ result: DeriveResult, _ ws: Workspace?) throws -> [[UInt8]] {
    let name = importName ?? "derived"
    let source = inputs.isEmpty ? "-" : inputs.joined(separator: " ")
    if options.method == .dip {
      let cat = result.catalog(name: name, scale: options.scale, procClasses: options.procClasses)
      let lines = cat.entryLines()
      if let ws, importName != nil {
        // The version's sha256 is that of its review NDJSON: the catalog content itself.
        let sha = SHA256.hex(Data(lines.joined()))
        let set = try cat.store(in: ws, source: source, sha256: sha, replace: replace)
        Diagnostics.line("\(Diagnostics.tool): stored \(set.entries) dip entries as '\(set.name)'")
      }
      return lines
    }
    let weights = DRGWeights(
      scale: options.scale,
      entries: result.groups.map {
        DRGWeights.Entry(
          code: $0.code, weight: $0.group.score, caseCount: $0.group.caseCount, meanFen: $0.group.meanFen,
          cv: $0.group.cv)
      }, versionInfo: result.versionInfo)
    let lines = weights.entryLines()
    if let ws, let n = importName {
      let sha = SHA256.hex(Data(lines.joined()))
      let set = try weights.store(in: ws, name: n, source: source, sha256: sha, replace: replace)
      Diagnostics.line("\(Diagnostics.tool): stored \(set.entries) DRG weights as '\(set.name)'")
    }
    return lines
  }
}
