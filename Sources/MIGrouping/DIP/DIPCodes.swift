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

  /// Whether `code` has the shape of a 医保版 ICD-10 code after normalisation: a capital letter, two digits, then
  /// nothing or printable ASCII without spaces (`K35`, `K35.800`, `I10.x00x002`, `M51.000+G99.2*`).
  public static func isDiagnosisCode(_ code: String) -> Bool {
    var c = code
    return c.withUTF8 { u in
      guard u.count >= 3, u[0] >= 0x41 && u[0] <= 0x5A, u[1] >= 0x30 && u[1] <= 0x39, u[2] >= 0x30 && u[2] <= 0x39
      else { return false }
      for b in u[3...] where b <= 0x20 || b >= 0x7F { return false }
      return true
    }
  }

  /// A diagnosis code as 医保版 ICD-10 writes it (issue 12 item 7): surrounding spaces (ASCII whitespace, U+3000)
  /// removed, the letter that starts a code (first, or after `+` in a dagger-asterisk pair) upper case, any other
  /// letter (the `x` of `I10.x00`, `A01.000x001`) lower case. Nil when the code is already so (the usual case:
  /// one pass over its bytes, nothing allocated).
  @inline(__always)
  public static func normalizedDiagnosis(_ code: String) -> String? {
    normalized(code, upperAtStart: true)
  }

  /// An operation code as 医保版 ICD-9-CM-3 writes it: surrounding spaces removed, letters (the `x` of
  /// `47.0100x001`) lower case. Nil when the code is already so.
  @inline(__always)
  public static func normalizedOperation(_ code: String) -> String? {
    normalized(code, upperAtStart: false)
  }

  @inline(__always)
  static func normalized(_ code: String, upperAtStart: Bool) -> String? {
    var c = code
    return c.withUTF8 { u -> String? in
      func isSpace(_ i: Int) -> Int {  // the width of a space at i, 0 when none
        let b = u[i]
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { return 1 }
        if b == 0xE3 && i + 2 < u.count && u[i + 1] == 0x80 && u[i + 2] == 0x80 { return 3 }
        return 0
      }
      func wanted(_ b: UInt8, _ i: Int, _ start: Int) -> UInt8 {
        let upper = upperAtStart && (i == start || u[i - 1] == UInt8(ascii: "+"))
        if upper, b >= 0x61 && b <= 0x7A { return b - 0x20 }
        if !upper, b >= 0x41 && b <= 0x5A { return b + 0x20 }
        return b
      }
      var start = 0
      var end = u.count
      var clean = true
      if end > 0 && (isSpace(0) > 0 || (u[end - 1] <= 0x20 || u[end - 1] == 0x80)) { clean = false }
      if clean {
        for i in 0..<end where wanted(u[i], i, 0) != u[i] {
          clean = false
          break
        }
      }
      if clean { return nil }
      while start < end {
        let w = isSpace(start)
        if w == 0 { break }
        start += w
      }
      while end > start {
        if u[end - 1] <= 0x20 && isSpace(end - 1) > 0 {
          end -= 1
        } else if end - start >= 3 && isSpace(end - 3) == 3 {
          end -= 3
        } else {
          break
        }
      }
      var out = [UInt8]()
      out.reserveCapacity(end - start)
      for i in start..<end { out.append(wanted(u[i], i, start)) }
      let text = String(decoding: out, as: UTF8.self)
      return text == code ? nil : text
    }
  }

  /// Normalises a case's codes in place, as both `mi-score derive` and `mi-group --dip` read them: each
  /// diagnosis by `normalizedDiagnosis`, each operation by `normalizedOperation`, and an operation code that is
  /// empty (or only spaces) dropped: it means "no operation" (issue 12 item 4), so `[""]` is a case without
  /// operations and `["", "47.0100"]` one whose principal operation is 47.0100. Returns whether a code's case
  /// or spaces changed (a dropped empty operation does not count).
  @inline(__always)
  public static func normalize(dx: inout [String], ops: inout [String]) -> Bool {
    var changed = false
    for i in dx.indices {
      if let n = normalizedDiagnosis(dx[i]) {
        dx[i] = n
        changed = true
      }
    }
    var hasEmpty = false
    for i in ops.indices {
      if let n = normalizedOperation(ops[i]) {
        if !n.isEmpty { changed = true }
        ops[i] = n
      }
      if ops[i].isEmpty { hasEmpty = true }
    }
    if hasEmpty { ops.removeAll { $0.isEmpty } }
    return changed
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
/// Lookup is by the longest dictionary code that is a prefix of the case's code, of any length, so a dictionary
/// listing `47.01` classes `47.0100` and `47.0100x001` too, and one listing `29` classes every `29.…` code
/// (mi-catalog(1): "a code takes the class of the longest listed prefix").
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

  /// The number of entries per class as the dictionary names it: 手术, 介入, 治疗性操作, 诊断性操作 in that order,
  /// then any other accepted spelling by name.
  public var countsByRawClass: [(String, Int)] {
    var n: [String: Int] = [:]
    for v in raw.values { n[v, default: 0] += 1 }
    let usual = ["手术", "介入", "治疗性操作", "诊断性操作"]
    return n.keys.sorted { a, b in
      let (ra, rb) = (usual.firstIndex(of: a) ?? usual.count, usual.firstIndex(of: b) ?? usual.count)
      return ra != rb ? ra < rb : a < b
    }.map { ($0, n[$0]!) }
  }

  /// Adds one code; nil when the class text is unknown.
  public mutating func add(code: String, rawClass: String) -> Bool {
    guard let c = OperationClass(parsing: rawClass) else { return false }
    raw[code] = rawClass
    // Looked up with the case's normalised code (lower-case letters, no spaces), so keyed the same way.
    let key = DIPCodes.normalizedOperation(code) ?? code
    classes[key] = c
    maxLength = max(maxLength, key.utf8.count)
    return true
  }

  /// The class of operation `code`, or nil when no dictionary code prefixes it.
  public func classOf(_ code: String) -> OperationClass? {
    if let c = classes[code] { return c }
    var u = Array(code.utf8.prefix(maxLength))
    // Every prefix length counts, down to one character: a chapter-level entry (`29  手术`) is as valid as a
    // full code (issue 12 item 1: a `while u.count >= 4` loop ignored it).
    while !u.isEmpty {
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
