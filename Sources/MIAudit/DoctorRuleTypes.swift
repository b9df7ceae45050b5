/// The doctor rule types over fee lines (OPS owns this file): `suspended-doctor` (G02, AUDIT.md §4).
public enum DoctorRuleTypes {
  /// Type name → factory.
  public static let fee: [String: FeeRuleFactory] = [
    "suspended-doctor": { spec, context in try SuspendedDoctorRule(spec, context) }
  ]
}
