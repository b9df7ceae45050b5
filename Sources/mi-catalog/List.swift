import ArgumentParser
import Foundation
import MICommandLine
import MICore
import MIReference

/// `mi-catalog list`: the versions in the workspace.
struct List: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the reference versions in the workspace.",
    discussion: """
      One line per version: name, kind, entries, import time (UTC), the first 12 hex digits of the source's \
      SHA-256, and the source. Tab-separated, sorted by kind and name, so scripts can cut columns.

      Example:
        mi-catalog list --kind dx
      """)

  @Option(
    help: ArgumentHelp(
      "Only versions of this kind (dx, proc, dict, hospitals, drg-scheme, dip, params…).", valueName: "kind"))
  var kind: String?
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    let ws = try common.workspace(.read)
    let out = try OutputFile(path: common.output)
    try out.write("name\tkind\tentries\timported_at\tsha256\tsource\n")
    for s in try ws.refSets(kind: kind) {
      try out.write("\(s.name)\t\(s.kind)\t\(s.entries)\t\(s.importedAt)\t\(s.sha256.prefix(12))\t\(s.source)\n")
    }
    try out.finish()
  }
}

/// `mi-catalog show NAME`: one version's facts.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show one version: kind, source, SHA-256, import time, entries, and its facts.",
    discussion: """
      Example:
        mi-catalog show hospitals-2024
      """)

  @Argument(help: ArgumentHelp("The version's name.", valueName: "name")) var name: String
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    let ws = try common.workspace(.read)
    let s = try ws.refSet(name)
    let out = try OutputFile(path: common.output)
    try out.write(
      """
      name\t\(s.name)
      kind\t\(s.kind)
      entries\t\(s.entries)
      imported_at\t\(s.importedAt)
      sha256\t\(s.sha256)
      source\t\(s.source)
      meta\t\(s.meta)

      """)
    let blobs = try ws.blobNames(s)
    if !blobs.isEmpty { try out.write("files\t\(blobs.joined(separator: " "))\n") }
    try out.finish()
  }
}

/// `mi-catalog export NAME`: a version's content, in the shape it was imported in.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a version's entries to standard output (or -o FILE).",
    discussion: """
      Code sets are written as TSV with a header: code, name, and one column per attribute (hospitals:
      hosp_lv, admdvs, payment, start_date). Sets kept as files (params, schemes) are written as their file; \
      name one with --file when there are several.

      Example:
        mi-catalog export hospitals-2024 -o hospitals.tsv
      """)

  @Argument(help: ArgumentHelp("The version's name.", valueName: "name")) var name: String
  @Option(help: ArgumentHelp("For sets kept as files: which file to write.", valueName: "file")) var file: String?
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    let ws = try common.workspace(.read)
    let s = try ws.refSet(name)
    let out = try OutputFile(path: common.output)
    let blobs = try ws.blobNames(s)
    if let file {
      guard let data = try ws.blob(s, file) else {
        throw MIError.usage("'\(name)' has no file '\(file)' (has: \(blobs.joined(separator: ", ")))")
      }
      out.buffer.append(contentsOf: data)
    } else {
      let codes = try ws.codes(s)
      if codes.isEmpty && blobs.count == 1 {
        let data = try ws.blob(s, blobs[0]) ?? Data()
        out.buffer.append(contentsOf: data)
        try out.finish()
        return
      }
      if codes.isEmpty && !blobs.isEmpty {
        throw MIError.usage("'\(name)' is kept as files; name one with --file (\(blobs.joined(separator: ", ")))")
      }
      for line in CodeExport.tsvLines(codes) { try out.write(line + "\n") }
    }
    try out.finish()
  }
}
