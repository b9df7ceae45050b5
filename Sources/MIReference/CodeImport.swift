import MICore

/// Storing code entries (dictionaries, hospital registries, operation classes) as a new workspace version.
public enum CodeImport {
  /// Stores `entries`, read from `file`, as version `name` of `kind`; an empty list is refused before the
  /// workspace is opened (`workspace` opens it, creating it when needed). Returns the version and the file's SHA-256.
  public static func store(
    _ entries: [CodeEntry], kind: String, file: String, name: String, replace: Bool, meta: String = "{}",
    workspace: () throws -> Workspace
  ) throws -> (set: RefSet, sha256: String) {
    guard !entries.isEmpty else {
      throw MIError.reference("\(file): no entries; an empty \(kind) version is refused")
    }
    let sha = try SHA256.hex(file: file)
    let ws = try workspace()
    let set = try ws.importSet(name: name, kind: kind, source: file, sha256: sha, meta: meta, replace: replace) {
      db, id in
      try Workspace.insertCodes(db, set: id, entries)
      return entries.count
    }
    return (set, sha)
  }
}
