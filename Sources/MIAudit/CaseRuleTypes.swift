/// The case, person and provider rule types (CASE owns this file).
public enum CaseRuleTypes {
  public static let all: [String: CaseRuleFactory] = [:]
}
