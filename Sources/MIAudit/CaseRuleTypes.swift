/// The case, person and provider rule types (audit-spec "CASE"; CASE owns this file): every type reads cases only
/// (and the --previous period's) and runs before the fee pass. The formulas, parameters and state of each are in
/// Sources/MIAudit/CaseRules and in the man page section "CASE, PERSON AND PROVIDER RULES".
public enum CaseRuleTypes {
  /// Type name → factory.
  public static let all: [String: CaseRuleFactory] = [
    "outpatient-during-stay": { try OutpatientDuringStay($0, $1) },
    "overlapping-stays": { try OverlappingStays($0, $1) },
    "readmission": { try Readmission($0, $1) },
    "frequent-admission": { try FrequentAdmission($0, $1) },
    "low-standard-admission": { try LowStandardAdmission($0, $1) },
    "list-quality": { try ListQuality($0, $1) },
    "cost-outlier": { try CostOutlier($0, $1) },
    "upcoding-indicator": { try UpcodingIndicator($0, $1) },
    "ratio": { try RatioIndicator($0, $1) },
    "dual-control": { try DualControl($0, $1) },
    "growth": { try Growth($0, $1) },
    "high-cost-case": { try HighCostCase($0, $1) },
  ]
}
