/// CORE's fee-line rule types (audit-spec "Rule catalogue", CORE).
public enum FeeRuleTypes {
  public static let all: [String: FeeRuleFactory] = [:]
}
