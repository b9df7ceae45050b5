// mi-bench-core: the core alone, for scripts/bench-core.sh and the core's CLI tests. Reads NDJSON cases, scans
// their money fields into fen, checks the settlement identity medfee_sumamt = fund_pay_sumamt + psn_part_amt +
// hosp_part_amt, and re-emits each record enriched with the result: the work every tool does before its own.
import ArgumentParser
import MICommandLine
import MICore

/// The benchmark command.
struct BenchCore: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-bench-core",
    abstract: "Read cases, scan money into fen, re-emit them enriched with core_balanced (a benchmark of MICore).",
    version: MIVersion.current)

  @Argument(help: ArgumentHelp("Input files (- or none: standard input).", valueName: "file")) var files: [String] = []
  @Flag(
    help: "Print the SHA-256 of the inputs' lines, each with its newline, as --post records it (scripts/bench-hash.sh)."
  )
  var sha256 = false
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    if sha256 { return try hash() }
    let owned = FieldSet(["core_balanced"])
    var total: Int64 = 0
    var fund: Int64 = 0
    let stream = try RecordStream(inputs: files, options: common.stream)
    try stream.run { r in
      let medfee = try r.fen("medfee_sumamt") ?? 0
      let fundPart = try r.fen("fund_pay_sumamt") ?? 0
      let psn = try r.fen("psn_part_amt") ?? 0
      let hosp = try r.fen("hosp_part_amt") ?? 0
      total += medfee
      fund += fundPart
      var w = JSONWriter()
      w.beginCopy(of: r, except: owned, into: &stream.out.buffer)
      w.bool("core_balanced", medfee == fundPart + psn + hosp, &stream.out.buffer)
      w.end(&stream.out.buffer)
      return .written
    }
    try stream.finish(extra: ["medfee_sumamt \(Money.format(total))", "fund_pay_sumamt \(Money.format(fund))"])
  }

  /// The digest a --post run computes: every line and its newline, input after input.
  func hash() throws {
    var d = SHA256()
    for path in files.isEmpty ? ["-"] : files {
      let reader = try LineReader(path: path, validateUTF8: false)
      while let line = try reader.nextLine() {
        d.update(line)
        d.update(byte: 0x0A)
      }
    }
    let out = try OutputFile(path: common.output)
    try out.write(d.hexDigest() + "\n")
    try out.finish()
  }
}

Entry.main(BenchCore.self)
