import Foundation
import MICore

/// What a workspace holds, as `mi-catalog list`, `show` and `export` write it: tab-separated text, or a version's
/// content in the shape it was imported in.
public enum RefSetText {
  /// `mi-catalog list`: a header and one line per version (name, kind, entries, import time, the first 12 hex
  /// digits of the SHA-256, source), sorted as the workspace lists them.
  public static func list(_ ws: Workspace, kind: String?) throws(MIError) -> [String] {
    var lines = ["name\tkind\tentries\timported_at\tsha256\tsource"]
    for s in try ws.refSets(kind: kind) {
      lines.append("\(s.name)\t\(s.kind)\t\(s.entries)\t\(s.importedAt)\t\(s.sha256.prefix(12))\t\(s.source)")
    }
    return lines
  }

  /// `mi-catalog show NAME`: one `key<TAB>value` line per fact, the files line when the version keeps files.
  public static func show(_ ws: Workspace, _ s: RefSet) throws(MIError) -> String {
    var text = """
      name\t\(s.name)
      kind\t\(s.kind)
      entries\t\(s.entries)
      imported_at\t\(s.importedAt)
      sha256\t\(s.sha256)
      source\t\(s.source)
      meta\t\(s.meta)

      """
    let blobs = try ws.blobNames(s)
    if !blobs.isEmpty { text += "files\t\(blobs.joined(separator: " "))\n" }
    return text
  }

  /// `mi-catalog export NAME [--file FILE]`: a code set as TSV with a header, a set kept as one file as that file,
  /// the named `file` of a set kept as several. Naming no file of a set kept as several is a usage error.
  public static func export(_ ws: Workspace, _ s: RefSet, file: String?) throws(MIError) -> [UInt8] {
    let name = s.name
    let blobs = try ws.blobNames(s)
    if let file {
      guard let data = try ws.blob(s, file) else {
        throw MIError.usage("'\(name)' has no file '\(file)' (has: \(blobs.joined(separator: ", ")))")
      }
      return [UInt8](data)
    }
    let codes = try ws.codes(s)
    if codes.isEmpty && blobs.count == 1 { return [UInt8](try ws.blob(s, blobs[0]) ?? Data()) }
    if codes.isEmpty && !blobs.isEmpty {
      throw MIError.usage("'\(name)' is kept as files; name one with --file (\(blobs.joined(separator: ", ")))")
    }
    var bytes: [UInt8] = []
    for line in CodeExport.tsvLines(codes, columns: CodeExport.importedColumns(s.meta)) {
      bytes.append(contentsOf: Array((line + "\n").utf8))
    }
    return bytes
  }
}
