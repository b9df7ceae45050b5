import Foundation
import MICore

/// DRG schemes in the workspace database: reference sets of kind `drg-scheme`, one per imported version.
///
/// A set holds three blobs, `scheme.json`, `dx.tsv` and `proc.tsv`, exactly as read from the scheme directory; its
/// SHA-256 is taken over the three files in that order, and its meta records the scheme's id and sizes.
public enum DRGSchemeStore {
  /// The reference-set kind.
  public static let kind = "drg-scheme"
  /// The files of a scheme directory, in the order they are hashed.
  public static let files = ["scheme.json", "dx.tsv", "proc.tsv"]

  /// What an import stored.
  public struct Imported: Sendable {
    /// The new reference set.
    public var set: RefSet
    /// MDCs, ADRG rules and DRGs of the scheme.
    public var mdcs: Int, rules: Int, drgs: Int
  }

  /// Reads and compiles scheme directory `dir` (refusing a bad scheme before anything is written) and stores it
  /// as version `name`.
  public static func importScheme(
    _ ws: Workspace, dir: String, name: String, replace: Bool
  ) throws(MIError) -> Imported {
    var blobs: [Data] = []
    for f in files {
      let path = (dir as NSString).appendingPathComponent(f)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw MIError.io("\(path): cannot read (a scheme directory holds scheme.json, dx.tsv and proc.tsv)")
      }
      blobs.append(data)
    }
    let engine: DRGEngine
    do {
      engine = try DRGEngine(name: name, scheme: blobs[0], dx: blobs[1], proc: blobs[2])
    } catch {
      throw MIError.reference("\(dir): \(error.message)")
    }
    var sha = SHA256()
    for b in blobs { b.withUnsafeBytes { sha.update($0) } }
    let digest = sha.hexDigest()
    let sizes = engine.sizes
    let dxCount = DRGDictionary.codes(blobs[1]).count
    let procCount = DRGDictionary.codes(blobs[2]).count
    var meta: [UInt8] = []
    var w = JSONWriter()
    w.begin(&meta)
    w.string("format", "mi-drg-scheme/1", &meta)
    w.string("id", engine.schemeId, &meta)
    w.string("title", engine.title, &meta)
    w.int("mdcs", Int64(sizes.mdcs), &meta)
    w.int("adrg_rules", Int64(sizes.rules), &meta)
    w.int("drgs", Int64(sizes.drgs), &meta)
    w.int("code_lists", Int64(engine.listIds.count), &meta)
    w.int("dx_codes", Int64(dxCount), &meta)
    w.int("proc_codes", Int64(procCount), &meta)
    meta.append(UInt8(ascii: "}"))
    let set = try ws.importSet(
      name: name, kind: kind, source: dir, sha256: digest, meta: String(decoding: meta, as: UTF8.self), replace: replace
    ) { db, id in
      for (f, b) in zip(files, blobs) { try Workspace.insertBlob(db, set: id, name: f, data: b) }
      return sizes.drgs
    }
    return Imported(set: set, mdcs: sizes.mdcs, rules: sizes.rules, drgs: sizes.drgs)
  }

  /// The raw files of version `name`.
  public static func files(_ ws: Workspace, _ set: RefSet) throws(MIError) -> (scheme: Data, dx: Data?, proc: Data?) {
    guard let scheme = try ws.blob(set, "scheme.json") else {
      throw MIError.reference("\(ws.path): drg-scheme '\(set.name)' has no scheme.json (re-import it)")
    }
    return (scheme, try ws.blob(set, "dx.tsv"), try ws.blob(set, "proc.tsv"))
  }

  /// Loads and compiles version `name` for grouping.
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> DRGEngine {
    let set = try ws.refSet(name, kind: kind)
    let f = try files(ws, set)
    do {
      return try DRGEngine(name: name, scheme: f.scheme, dx: f.dx, proc: f.proc)
    } catch {
      throw MIError.reference("\(ws.path): drg-scheme '\(name)': \(error.message)")
    }
  }
}
