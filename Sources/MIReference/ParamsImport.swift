import Foundation
import MICore

/// Storing a policy-parameters file (TOML) as a workspace version of kind `params`, as it is (comments included).
public enum ParamsImport {
  /// The file's bytes and its text; a file that is not UTF-8 is a usage error that says how to convert it.
  public static func read(_ file: String) throws(MIError) -> (data: Data, text: String) {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
      throw MIError.io("\(file): \(error.localizedDescription)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw MIError.usage("\(file): not UTF-8 text (convert it with iconv -f gb18030 -t utf-8)")
    }
    return (data, text)
  }

  /// Stores `data`, read from `file` and checked, as blob params.toml of version `name`; returns the version's
  /// name and the SHA-256 of the bytes.
  public static func store(
    _ data: Data, file: String, name: String, replace: Bool, in ws: Workspace
  ) throws(MIError) -> (set: RefSet, sha256: String) {
    let sha = SHA256.hex(data)
    let set = try ws.importSet(name: name, kind: "params", source: file, sha256: sha, replace: replace) { db, id in
      try Workspace.insertBlob(db, set: id, name: "params.toml", data: data)
      return 1
    }
    return (set, sha)
  }
}
