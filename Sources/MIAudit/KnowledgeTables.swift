import MICore

/// The nine knowledge-point tables of ../shared/reference/audit (README.md there gives every column), their
/// headers as published, and their rows as the rules read them.
public enum KnowledgeTable: String, CaseIterable, Sendable {
  case sex = "kp-sex", age = "kp-age", insutype = "kp-insutype", mdtrt = "kp-mdtrt", level = "kp-level"
  case course = "kp-course", discount = "kp-discount", duplicate = "kp-duplicate", frequency = "kp-frequency"

  /// The file name (`kp-sex.tsv`).
  public var fileName: String { rawValue + ".tsv" }

  /// The header line, column by column; an import refuses a file whose header differs.
  public var header: [String] {
    let common = ["kp_id", "batch", "rule_class", "gz_code", "item_kind", "code", "name"]
    let tail = ["source_value", "source_text", "note"]
    switch self {
    case .sex: return common + ["allowed_sex"] + tail
    case .age:
      return common + ["age_group", "min_age", "max_age", "max_age_days", "text_min_age", "text_max_age"] + tail
    case .insutype: return common + ["allowed_insurance"] + tail
    case .mdtrt: return common + ["allowed_mdtrt"] + tail
    case .level: return common + ["min_level", "specialty_min_level", "applies_to"] + tail
    case .course:
      return common + ["max_days", "count_mode", "course_scope", "min_interval_days", "max_per_week"] + tail
    case .discount: return common + ["group_id", "group_name", "source_text", "note"]
    case .duplicate:
      return [
        "kp_id", "batch", "rule_class", "gz_code", "window", "main_code", "main_name", "sub_code", "sub_name",
        "source_window", "source_text", "note",
      ]
    case .frequency:
      return common + ["max_count", "count_unit", "period_days", "period_kind"] + tail
    }
  }

  /// The columns a row's check reads and a diff compares (besides kp_id, code and name).
  var ruleColumns: [String] {
    switch self {
    case .sex: return ["allowed_sex"]
    case .age: return ["age_group", "min_age", "max_age", "max_age_days"]
    case .insutype: return ["allowed_insurance"]
    case .mdtrt: return ["allowed_mdtrt"]
    case .level: return ["min_level", "specialty_min_level", "applies_to"]
    case .course: return ["max_days", "count_mode", "course_scope", "min_interval_days", "max_per_week"]
    case .discount: return ["group_id"]
    case .duplicate: return ["window"]
    case .frequency: return ["max_count", "count_unit", "period_days", "period_kind"]
    }
  }
}

/// The columns every knowledge point carries.
public struct KnowledgePoint: Sendable, Equatable {
  /// `<batch>:<table>:<n>`, cited by findings.
  public var kpID: String
  /// The FW1 code; nil for the classes LK25 added.
  public var gzCode: String?
  public var ruleClass: String
  /// The item's code (the 从项 for kp-duplicate).
  public var code: String
  /// The item's name as published.
  public var name: String
}

/// kp-sex (A01): the sex the item is restricted to.
public struct SexPoint: Sendable {
  public var point: KnowledgePoint
  /// "1" male, "2" female.
  public var allowedSex: String
}

/// kp-age (A02): the age band the item allows (completed years, inclusive; nil = no bound).
public struct AgePoint: Sendable {
  public var point: KnowledgePoint
  /// child, infant_toddler, neonate, working_age.
  public var group: String
  public var minAge: Int?
  public var maxAge: Int?
  /// neonate: at most this many completed days.
  public var maxAgeDays: Int?
}

/// kp-insutype (A03): the only fund that may pay.
public struct InsutypePoint: Sendable {
  public var point: KnowledgePoint
  /// work_injury or maternity.
  public var allowed: String
}

/// kp-mdtrt (A04): the settings the drug is paid in.
public struct MdtrtPoint: Sendable {
  public var point: KnowledgePoint
  public var inpatient: Bool
  public var emergency: Bool
  /// `allowed_mdtrt` as published (`inpatient|emergency`).
  public var allowedText: String
}

/// kp-level (A05): the lowest hospital grade allowed.
public struct LevelPoint: Sendable {
  public var point: KnowledgePoint
  public var minLevel: Int
  public var specialtyMinLevel: Int?
  /// Only the person's first prescription is restricted (applies_to first_prescription).
  public var firstPrescriptionOnly: Bool
}

/// kp-course (C03): days of payment allowed.
public struct CoursePoint: Sendable {
  public var point: KnowledgePoint
  public var maxDays: Int
  /// count_mode span_from_first_use (else days_used).
  public var spanFromFirstUse: Bool
  /// course_scope admission: counted per visit (else per person).
  public var perAdmission: Bool
  public var scope: String
}

/// kp-discount (B04): the same-incision group of an operation (a code may be in several groups).
public struct DiscountPoint: Sendable {
  public var point: KnowledgePoint
  public var groupID: String
  public var groupName: String
}

/// The windows of kp-duplicate (AUDIT.md §2.4).
public enum DuplicateWindow: String, Sendable {
  case sameVisit = "same-visit", sameDay = "same-day", sixHours = "6h", oneHour = "1h"
}

/// kp-duplicate (B02): the 从项 `point.code` must not be charged with the 主项 inside the window.
public struct DuplicatePoint: Sendable {
  public var point: KnowledgePoint
  public var window: DuplicateWindow
  public var mainCode: String
  public var mainName: String
  /// 频度 as published (单日, 单次就诊, 6小时, 同一小时).
  public var sourceWindow: String
}

/// kp-frequency (C01 calendar_day, C02 rolling).
public struct FrequencyPoint: Sendable {
  public var point: KnowledgePoint
  public var maxCount: Fixed
  /// day, hour (8-1) or times (8-4).
  public var countUnit: String
  public var periodDays: Int
  public var rolling: Bool
}
