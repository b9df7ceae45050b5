/// CORE's fee-line rule types (audit-spec "Rule catalogue", CORE): one per knowledge table, plus the seeds'.
public enum FeeRuleTypes {
  public static let all: [String: FeeRuleFactory] = [
    "kp-sex": { try KpSexRule($0, $1) },
    "kp-age": { try KpAgeRule($0, $1) },
    "kp-insutype": { try KpInsutypeRule($0, $1) },
    "kp-mdtrt": { try KpMdtrtRule($0, $1) },
    "kp-level": { try KpLevelRule($0, $1) },
    "price-cap": { try PriceCapRule($0, $1) },
    "kp-duplicate": { try DuplicateRule.knowledge($0, $1) },
    "duplicate-pair": { try DuplicateRule.local($0, $1) },
    "kp-discount": { try DiscountRule($0, $1) },
    "kp-frequency": { try DayFrequencyRule.knowledge($0, $1) },
    "frequency": { try DayFrequencyRule.local($0, $1) },
    "kp-course": { try CourseRule($0, $1) },
    "fee-outside-stay": { try FeeOutsideStayRule($0, $1) },
    "bed-only-days": { try BedOnlyDaysRule($0, $1) },
    "registered-care": { try RegisteredCareRule($0, $1) },
    "designated-site-quota": { try DesignatedSiteRule($0, $1) },
    "dialysis": { try DialysisRule($0, $1) },
  ]
}
