import Foundation

/// The closed vocabulary of scheme conditions (FORMAT.md §5), compiled to one flat node array.
///
/// Conditions are evaluated by index into that array, so a case walks plain structs in contiguous memory: no
/// dictionary look-ups, no reference counting on the hot path.
enum DRGOp: UInt8 {
  /// `{"always": true}`.
  case always
  /// `{"all": [...]}`: children `kids[a ..< a+b]`.
  case all
  /// `{"any": [...]}`: children `kids[a ..< a+b]`.
  case any
  /// `{"not": c}`: child `a`.
  case not
  /// `{"principal_dx_in": L}`: list `a`.
  case principalDx
  /// `{"any_dx_in": L}`.
  case anyDx
  /// `{"secondary_dx_in": L}`.
  case secondaryDx
  /// `{"principal_proc_in": L}`.
  case principalProc
  /// `{"any_proc_in": L}`.
  case anyProc
  /// `{"proc_label": {table, label}}`: table `a`, label id `b`.
  case procLabel
  /// `{"dx_label_count_ge": {table, count}}`: table `a`, count `v`.
  case dxLabelCountGE
  /// `{"gender": G}`: gender id `a`.
  case gender
  /// `{"age_eq": n}`.
  case ageEq
  /// `{"age_gt": n}`.
  case ageGt
  /// `{"age_le": n}`.
  case ageLe
  /// `{"age_days_le": n}`.
  case ageDaysLe
  /// `{"has_weight": true}`.
  case hasWeight
  /// `{"weight_lt": n}`.
  case weightLt
  /// `{"weight_ge": n}`.
  case weightGe
  /// `{"has_mcc": true}`.
  case hasMCC
  /// `{"has_mcc_or_cc": true}`.
  case hasMCCOrCC
  /// Checks only: `{"missing": F}`: field `a` (see `DRGField`).
  case missing
  /// Checks only: `{"gender_in": [...]}`: bit mask of gender ids in `v`.
  case genderIn
  /// Checks only: `{"no_dx": true}`.
  case noDx
  /// Checks only: `age_eq`, where a missing age is an error rather than false (FORMAT.md §5.6).
  case ageEqStrict
  /// Checks only: `age_days_le`, missing is an error.
  case ageDaysLeStrict
}

/// The numeric and gender fields of the normalised record R that conditions read.
enum DRGField: Int32 {
  /// `R.gender`.
  case gender = 0
  /// `R.age`.
  case age = 1
  /// `R.age_days`.
  case ageDays = 2
  /// `R.weight`.
  case weight = 3

  /// The name FORMAT.md uses.
  var name: String {
    switch self {
    case .gender: return "gender"
    case .age: return "age"
    case .ageDays: return "age_days"
    case .weight: return "weight"
    }
  }

  /// The input field it comes from (for messages).
  var inputField: String {
    switch self {
    case .gender: return "gend"
    case .age: return "age"
    case .ageDays: return "nwb_age"
    case .weight: return "nwb_bir_wt"
    }
  }
}

/// One compiled condition.
struct DRGNode {
  /// What it tests.
  var op: DRGOp
  /// First operand (list, table, child start, gender id or field, by `op`).
  var a: Int32
  /// Second operand (child count, label id).
  var b: Int32
  /// Integer operand (ages, days, weights, counts, gender masks).
  var v: Int64
}

/// The condition keys an implementation of FORMAT.md §5 supports in grouping rules.
public let drgRuleVocabulary: Set<String> = [
  "always", "all", "any", "not", "principal_dx_in", "any_dx_in", "secondary_dx_in", "principal_proc_in",
  "any_proc_in", "proc_label", "dx_label_count_ge", "gender", "age_eq", "age_gt", "age_le", "age_days_le",
  "has_weight", "weight_lt", "weight_ge", "has_mcc", "has_mcc_or_cc",
]

/// The condition keys supported in checks (FORMAT.md §5.6).
public let drgCheckVocabulary: Set<String> = ["missing", "gender_in", "no_dx", "age_eq", "age_days_le", "all", "not"]
