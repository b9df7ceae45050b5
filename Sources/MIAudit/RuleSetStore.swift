import Foundation
import MICore

/// Rule sets and hospital levels in the workspace: a rule set is a reference set of kind `audit-rules` holding
/// its TOML text as blob `rules.toml` (mi-catalog import audit-rules).
public enum RuleSetStore {
  public static let kind = "audit-rules"
  public static let blobName = "rules.toml"

  /// Whether `spec` names a rule-set file rather than a stored version: an existing file ending in `.toml`.
  public static func isFile(_ spec: String) -> Bool {
    spec.hasSuffix(".toml") && FileManager.default.fileExists(atPath: spec)
  }

  /// Reads a rule-set file (relative parameter paths are read from its directory).
  public static func file(_ path: String) throws(MIError) -> RuleSet {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw MIError.io("\(path): cannot read the rule set: \(systemMessage())")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw MIError.usage("\(path): the rule set is not UTF-8 text")
    }
    let dir = (path as NSString).deletingLastPathComponent
    return try RuleSet(text: text, name: path, origin: .file, baseDirectory: dir.isEmpty ? "." : dir)
  }

  /// Loads a stored rule-set version.
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> RuleSet {
    let set = try ws.refSet(name, kind: kind)
    guard let data = try ws.blob(set, blobName), let text = String(data: data, encoding: .utf8) else {
      throw MIError.reference("\(ws.path): audit-rules '\(name)' has no TOML text")
    }
    // Relative parameter paths (registrations) are read from the directory the file was imported from.
    var base: String? = nil
    var meta = set.meta
    let scanner = RecordScanner()
    meta.withUTF8 { b in
      if (try? scanner.parse(UnsafeRawBufferPointer(b))) != nil {
        base = (try? scanner.string("base_directory")) ?? nil
      }
    }
    return try RuleSet(text: text, name: name, origin: .workspace, baseDirectory: base)
  }
}
