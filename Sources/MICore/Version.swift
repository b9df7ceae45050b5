/// The version of mi-tools: what `--version` prints, and what a posted ledger run records beside the params
/// version and the input's SHA-256, so that every paid amount can be traced to the program that computed it.
public enum MIVersion {
  /// The release, as `MAJOR.MINOR.PATCH` (semantic versioning): raise it with every change of results or formats.
  public static let current = "0.9.0"
}
