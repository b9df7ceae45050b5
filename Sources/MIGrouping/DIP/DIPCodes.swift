import MICore

/// The operation attribute (手术操作属性) classes that comprehensive DIP groups (综合病种) are split by (DOMAIN.md §1.3).
public enum OperationClass: String, CaseIterable, Sendable, Comparable {
  /// 相关手术组: 手术 or 介入 (DIP3 p.45: 介入 counts as 手术).
  case surgery = "相关手术"
  /// 治疗性操作组.
  case therapeutic = "治疗性操作"
  /// 诊断性操作组.
  case diagnostic = "诊断性操作"
  /// 内科诊疗组: no operation, or one whose class is none of the above.
  case medical = "内科诊疗"

  /// One letter used in comprehensive group codes (`K35_S`).
  public var letter: String {
    switch self {
    case .surgery: "S"
    case .therapeutic: "T"
    case .diagnostic: "D"
    case .medical: "M"
    }
  }

  /// The fallback order of DIP3 pp.44–47: 相关手术, 治疗性, 诊断性, 内科诊疗.
  public var rank: Int {
    switch self {
    case .surgery: 0
    case .therapeutic: 1
    case .diagnostic: 2
    case .medical: 3
    }
  }

  /// Orders classes by the fallback order.
  public static func < (a: OperationClass, b: OperationClass) -> Bool { a.rank < b.rank }

  /// Parses a class as a catalog or a procedure-class dictionary names it: the Chinese terms with or without
  /// 组, the raw dictionary classes 手术 and 介入 (both → 相关手术), the letters S/T/D/M, or the English words
  /// surgery, interventional, therapeutic, diagnostic, medical.
  public init?(parsing text: String) {
    var t = text
    if t.hasSuffix("组") { t.removeLast() }
    switch t.lowercased() {
    case "相关手术", "手术", "介入", "s", "surgery", "interventional": self = .surgery
    case "治疗性操作", "治疗性", "t", "therapeutic": self = .therapeutic
    case "诊断性操作", "诊断性", "d", "diagnostic": self = .diagnostic
    case "内科诊疗", "内科", "m", "medical": self = .medical
    default: return nil
    }
  }
}

/// Diagnosis code keys used by DIP: the 4-character 亚目 (core groups) and the 3-character 类目 (comprehensive).
public enum DIPCodes {
  /// The 亚目 of a 医保版 ICD-10 code: the category, the dot and the first character after it (`K35.800` →
  /// `K35.8`, `I10.x00` → `I10.x`); a code written without the dot (`K358`) gets one. Nil for a bare category.
  @inline(__always)
  public static func subcategory(_ dx: String) -> String? {
    var d = dx
    return d.withUTF8 { u -> String? in
      if u.count >= 5 && u[3] == UInt8(ascii: ".") {
        return String(decoding: UnsafeBufferPointer(rebasing: u[0..<5]), as: UTF8.self)
      }
      if u.count >= 4 && u[3] != UInt8(ascii: ".") {
        var b = Array(u[0..<3])
        b.append(UInt8(ascii: "."))
        b.append(u[3])
        return String(decoding: b, as: UTF8.self)
      }
      return nil
    }
  }

  /// The 类目 (first three characters) of a diagnosis code; nil when shorter.
  @inline(__always)
  public static func category(_ dx: String) -> String? {
    var d = dx
    return d.withUTF8 { u -> String? in
      u.count >= 3 ? String(decoding: UnsafeBufferPointer(rebasing: u[0..<3]), as: UTF8.self) : nil
    }
  }

  /// Whether `key` has the shape of a 亚目 key (`K35.8`).
  public static func isSubcategoryKey(_ key: String) -> Bool {
    let u = Array(key.utf8)
    return u.count == 5 && u[3] == UInt8(ascii: ".") && u.allSatisfy { $0 > 0x20 && $0 < 0x7F }
  }

  /// Whether `key` has the shape of a 类目 key (`K35`).
  public static func isCategoryKey(_ key: String) -> Bool {
    let u = Array(key.utf8)
    return u.count == 3 && u.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ".") }
  }

  /// The code of a derived core group: 亚目, `_`, then the operation expression, or `C` for 保守治疗
  /// (`K35.8_47.0100`, `K35.8_47.0100+36.0600`, `K35.8_C`).
  public static func coreCode(dxKey: String, expression: String) -> String {
    dxKey + "_" + (expression.isEmpty ? "C" : expression)
  }

  /// The code of a comprehensive group: 类目, `_`, the class letter (`K35_S`).
  public static func comprehensiveCode(category: String, opClass: OperationClass) -> String {
    category + "_" + opClass.letter
  }
}

/// An operation expression of a core group: alternatives separated by `/`, each a `+`-joined list whose first code
/// is the principal operation and the rest related operations (`+` binds tighter: `A+B/C` = (A and B) or C).
/// The empty expression is 保守治疗 (no operation).
public struct OperationExpression: Sendable, Equatable {
  /// One alternative: the principal operation and the related operations that must accompany it.
  public struct Alternative: Sendable, Equatable {
    /// The principal operation (主要手术操作).
    public var principal: String
    /// Related operations (相关手术操作), sorted.
    public var related: [String]

    /// Creates an alternative.
    public init(principal: String, related: [String]) {
      self.principal = principal
      self.related = related.sorted()
    }
  }

  /// The alternatives; empty for 保守治疗.
  public var alternatives: [Alternative]

  /// The empty expression: 保守治疗.
  public static let conservative = OperationExpression(alternatives: [])

  /// Creates an expression from its alternatives.
  public init(alternatives: [Alternative]) {
    self.alternatives = alternatives
  }

  /// Parses an expression; an error message when an alternative or a code is empty.
  public init(parsing text: String) throws(FieldError) {
    let t = text.trimmingSpaces
    alternatives = []
    if t.isEmpty { return }
    for alt in t.split(separator: "/", omittingEmptySubsequences: false) {
      let codes = alt.split(separator: "+", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
      guard !codes.isEmpty, codes.allSatisfy({ !$0.isEmpty }) else {
        throw FieldError("oprn_expr", "empty operation code in '\(text)'")
      }
      alternatives.append(Alternative(principal: codes[0], related: Array(codes.dropFirst()).sorted()))
    }
  }

  /// The canonical text: alternatives in the order given, related operations sorted.
  public var text: String {
    alternatives.map { ([$0.principal] + $0.related).joined(separator: "+") }.joined(separator: "/")
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }
}

/// The ICD-9-CM-3 operation attribute dictionary (kind `proc-class`): procedure code → class.
///
/// Lookup is by the longest dictionary code that is a prefix of the case's code, down to four characters, so a
/// dictionary listing `47.01` classes `47.0100` and `47.0100x001` too.
public struct ProcClassTable: Sendable, Equatable {
  /// Classes by dictionary code, as the dictionary gives them (手术, 介入, 治疗性操作, 诊断性操作).
  public private(set) var raw: [String: String] = [:]
  private var classes: [String: OperationClass] = [:]
  private var maxLength = 0

  /// Creates an empty table (every operation then falls to 内科诊疗).
  public init() {}

  /// Whether the table has no entries.
  public var isEmpty: Bool { raw.isEmpty }
  /// The number of entries.
  public var count: Int { raw.count }

  /// Adds one code; nil when the class text is unknown.
  public mutating func add(code: String, rawClass: String) -> Bool {
    guard let c = OperationClass(parsing: rawClass) else { return false }
    raw[code] = rawClass
    classes[code] = c
    maxLength = max(maxLength, code.utf8.count)
    return true
  }

  /// The class of operation `code`, or nil when no dictionary code prefixes it.
  public func classOf(_ code: String) -> OperationClass? {
    if let c = classes[code] { return c }
    var u = Array(code.utf8.prefix(maxLength))
    while u.count >= 4 {
      if let c = classes[String(decoding: u, as: UTF8.self)] { return c }
      u.removeLast()
    }
    return nil
  }

  /// The table as TSV text (`code<TAB>class`, sorted by code), the form stored in a catalog version.
  public var tsv: String {
    raw.keys.sorted().map { "\($0)\t\(raw[$0]!)\n" }.joined()
  }

  /// Parses the TSV form written by `tsv`; a reference error names the first bad line.
  public init(tsv: String) throws(MIError) {
    var n = 0
    for line in tsv.split(separator: "\n") {
      n += 1
      let f = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard f.count >= 2, add(code: String(f[0]), rawClass: String(f[1])) else {
        throw MIError.reference("stored procedure-class table line \(n): bad entry '\(line)'")
      }
    }
  }
}
