import MICore

/// The difference of two versions whose changes are more than their code lists (DIP catalogs: groups and scores;
/// DRG schemes: groups, rules and code lists), as `mi-catalog diff` prints it.
public enum ReferenceDiff {
  /// The change lines of `a` → `b` (both of one kind), or `nil` for a kind compared by its codes alone.
  public static func lines(_ ws: Workspace, _ a: RefSet, _ b: RefSet) throws -> [String]? {
    switch a.kind {
    case DIPCatalog.kind:
      return DIPCatalog.diff(try DIPCatalog.load(ws, name: a.name), try DIPCatalog.load(ws, name: b.name))
    case DRGSchemeStore.kind:
      return try DRGSchemeDiff.diff(ws, a, b)
    default: return nil
    }
  }
}
