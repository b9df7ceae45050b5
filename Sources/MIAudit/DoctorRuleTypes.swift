/// The doctor rule types over fee lines (OPS owns this file).
public enum DoctorRuleTypes {
  public static let fee: [String: FeeRuleFactory] = [:]
}
