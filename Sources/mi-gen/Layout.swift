import ArgumentParser
import Foundation
import MICommandLine
import MIConv
import MICore
import MISynth

/// `--layout` and `--format` of `mi-gen cases`: the records as NDJSON, or as tables a bureau would hand over.
struct LayoutOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Record layout: canonical (SCHEMA.md) or platform (setl_d and the settlement list's long tables, -o PREFIX).",
      valueName: "layout"))
  var layout: String = "canonical"
  @Option(help: ArgumentHelp("Output format: ndjson, csv, tsv or xlsx.", valueName: "format"))
  var format: String = "ndjson"
  @Option(help: ArgumentHelp("Text encoding of csv and tsv tables: utf-8 or gb18030.", valueName: "enc"))
  var encoding: String = "utf-8"
  @Option(
    help: ArgumentHelp(
      "Directory of the platform layouts (default: $MI_LAYOUTS, else ../shared/reference/platform).",
      valueName: "dir"))
  var layouts: String?

  func validate() throws {
    guard ["canonical", "platform"].contains(layout) else {
      throw ValidationError("--layout must be canonical or platform")
    }
    guard ["ndjson", "csv", "tsv", "xlsx"].contains(format) else {
      throw ValidationError("--format must be ndjson, csv, tsv or xlsx")
    }
    guard ["utf-8", "gb18030"].contains(encoding.lowercased()) else {
      throw ValidationError("--encoding must be utf-8 or gb18030")
    }
    if layout == "platform" && format == "ndjson" {
      throw ValidationError("--layout platform writes tables: give --format csv, tsv or xlsx")
    }
  }

  /// Runs `generate` as asked: straight to the output for NDJSON, else into a temporary NDJSON file converted
  /// into the tables (canonical: one table at -o; platform: three, at -o PREFIX.setl_d.csv …).
  func run(_ synth: SynthOptions, _ generate: (SynthOptions) throws -> Void) throws {
    if format == "ndjson" { return try generate(synth) }
    guard let output = synth.output else {
      throw ValidationError("--format \(format) writes files: give -o (for --layout platform, a prefix)")
    }
    let temp = FileManager.default.temporaryDirectory.appendingPathComponent("mi-gen-\(getpid()).ndjson").path
    defer { try? FileManager.default.removeItem(atPath: temp) }
    var toTemp = synth
    toTemp.output = temp
    try generate(toTemp)
    let gb = encoding.lowercased() == "gb18030"
    if layout == "platform" {
      let paths = try PlatformExtract.writeCases(
        input: temp, prefix: output, format: PlatformExtract.Format(rawValue: format)!, gb18030: gb, layouts: layouts)
      Diagnostics.line("mi-gen: wrote \(paths.joined(separator: ", "))")
      return
    }
    var o = ExportOptions()
    o.gb18030 = gb
    o.delimiter = format == "tsv" ? 0x09 : UInt8(ascii: ",")
    let stream = StreamOptions(output: output)
    if format == "xlsx" {
      try ToXLSX.run(paths: [temp], options: o, stream: stream)
    } else {
      try ToCSV.run(paths: [temp], options: o, stream: stream)
    }
  }
}
