/// The version of mi-tools, printed by `--version` and recorded with every posted ledger run.
public enum MIVersion {
  public static let current = "0.9.0"
}
