import MICore

/// What `--by` groups indicators by.
public enum Dimension: String, CaseIterable, Sendable {
  /// The pool (险种: `insutype` of a case, `pool` of a clearing or capitation record).
  case pool
  /// The institution.
  case fixmedins_code
  /// The settlement month `yyyy-MM` (from `setl_time`).
  case month
  /// The DRG group or DIP 病种.
  case group_code
  /// The hospital level (the case's `hosp_lv`, else the registry's).
  case hosp_lv

  /// The column label.
  var column: Column {
    switch self {
    case .pool: return Column("pool", "险种/资金池", "pool")
    case .fixmedins_code: return Column("fixmedins_code", "机构编码", "institution")
    case .month: return Column("month", "月份", "month")
    case .group_code: return Column("group_code", "病组", "group")
    case .hosp_lv: return Column("hosp_lv", "医院等级", "level")
    }
  }

  /// Parses `--by pool,month`: known names, no repeats; an empty list is one group over everything.
  public static func parse(_ text: String) throws(MIError) -> [Dimension] {
    var out: [Dimension] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let name = part.trimmingCharacters(in: .whitespaces)
      guard let d = Dimension(rawValue: name) else {
        throw MIError.usage(
          "--by: unknown dimension '\(name)' (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      if out.contains(d) { throw MIError.usage("--by: '\(name)' is given twice") }
      out.append(d)
    }
    return out
  }
}

/// The hospital registry as a report needs it: names beside codes, levels for `--by hosp_lv`, the payment method
/// for the institution coverage (覆盖率) of DOMAIN.md §6.
public struct HospitalInfo: Sendable, Equatable {
  /// 定点医药机构名称.
  public var name: String
  /// 医院等级.
  public var level: String
  /// `DRG`, `DIP` or `按项目`.
  public var payment: String

  /// Creates an entry.
  public init(name: String, level: String, payment: String) {
    self.name = name
    self.level = level
    self.payment = payment
  }
}

/// Reads `yyyy-MM` from the start of a settlement time (`2024-03-01 10:00:00`); nil when it does not start so.
func monthOf(_ text: String) -> String? {
  let b = Array(text.utf8.prefix(7))
  guard b.count == 7, b[4] == UInt8(ascii: "-") else { return nil }
  for i in [0, 1, 2, 3, 5, 6] where !(b[i] >= 48 && b[i] <= 57) { return nil }
  return String(decoding: b, as: UTF8.self)
}
