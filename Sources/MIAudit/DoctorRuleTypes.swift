/// The doctor rule types over fee lines (OPS owns this file): `suspended-doctor` (G02, AUDIT.md §4).
public enum DoctorRuleTypes {
  /// Type name → factory.
  public static let fee: [String: FeeRuleFactory] = [
    "suspended-doctor": { spec, context in try SuspendedDoctorRule(spec, context) }
  ]

  /// The types that read the workspace's points ledger: a run whose rule set enables one opens the workspace
  /// database when there is one, even if nothing else needs it.
  public static let readingLedger: Set<String> = ["suspended-doctor"]
}
