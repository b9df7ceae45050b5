import Foundation
import MICore
import TOMLKit

/// Engine-wide settings of a rule set (`[settings]`).
public struct AuditSettings: Sendable {
  /// med_type prefixes of inpatient settlements (SCHEMA.md: 21–29 and 52).
  public var inpatientMedTypes: [String]
  /// med_type prefixes of emergency settlements (kp-mdtrt `emergency`).
  public var emergencyMedTypes: [String]

  /// The defaults of SCHEMA.md and examples/audit/rules.toml.
  public init(
    inpatientMedTypes: [String] = ["21", "22", "23", "24", "25", "26", "27", "28", "29", "52"],
    emergencyMedTypes: [String] = ["13"]
  ) {
    self.inpatientMedTypes = inpatientMedTypes
    self.emergencyMedTypes = emergencyMedTypes
  }

  /// Whether a med_type is inpatient (prefix match).
  public func isInpatient(_ medType: String?) -> Bool {
    guard let m = medType else { return false }
    return inpatientMedTypes.contains { m.hasPrefix($0) }
  }

  /// Whether a med_type is emergency (prefix match).
  public func isEmergency(_ medType: String?) -> Bool {
    guard let m = medType else { return false }
    return emergencyMedTypes.contains { m.hasPrefix($0) }
  }
}

/// A rule set: the settings and the rules in file order (issue 14 item 1, audit-spec "The rule-set file").
public struct RuleSet: Sendable {
  /// The rule-set name (version) or file name, for messages and the summary.
  public var name: String
  public var settings: AuditSettings
  /// Every rule, enabled or not, in file order (`index` is the position).
  public var rules: [RuleSpec]
  /// The raw `[points]` section is OPS's: kept as TOML text of the whole file.
  public var text: String

  /// The rules that run.
  public var enabled: [RuleSpec] { rules.filter(\.enabled) }

  /// The keys of a `[[rule]]` table that every rule has; the others are the type's parameters.
  static let commonKeys: Set<String> = ["id", "type", "name", "gz_code", "sev_deg", "amt_mode", "enabled", "example"]
  /// The keys of a `[[rule.example]]`.
  static let exampleKeys: Set<String> = ["note", "cases", "fees", "previous", "expect", "vola_amt"]

  /// Reads a rule set from its TOML text. `origin` decides the exit status of its errors: 2 for a file named on
  /// the command line, 3 for a stored version. Relative paths in parameters are read from `baseDirectory`.
  public init(
    text: String, name: String, origin: Params.Origin = .file, baseDirectory: String? = nil
  ) throws(MIError) {
    self.name = name
    self.text = text
    func fail(_ line: Int?, _ m: String) -> MIError {
      let t = "\(name)\(line.map { ":\($0)" } ?? ""): \(m)"
      return origin == .file ? .usage(t) : .reference(t)
    }
    let root: TOMLTable
    do {
      root = try TOMLTable(string: text)
    } catch let e as TOMLParseError {
      throw fail(e.source.begin.line, e.description)
    } catch {
      throw fail(nil, "\(error)")
    }
    let lines = RuleSetLines(text)
    for k in root.keys.sorted() where !["settings", "rule", "points"].contains(k) {
      throw fail(lines.topKey(k), "unknown table or key \"\(k)\" (expected settings, rule, points)")
    }
    var settings = AuditSettings()
    if let s = root["settings"] {
      guard let t = s.table else { throw fail(lines.topKey("settings"), "settings: expected a table") }
      for k in t.keys.sorted() {
        guard let v = t[k], let a = RuleSet.value(v), case .array(let arr) = a else {
          throw fail(lines.settingsKey(k), "settings: key \"\(k)\": expected an array of strings")
        }
        let strs = arr.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
        guard strs.count == arr.count else {
          throw fail(lines.settingsKey(k), "settings: key \"\(k)\": expected an array of strings")
        }
        switch k {
        case "inpatient_med_types": settings.inpatientMedTypes = strs
        case "emergency_med_types": settings.emergencyMedTypes = strs
        default: throw fail(lines.settingsKey(k), "settings: unknown key \"\(k)\"")
        }
      }
    }
    self.settings = settings
    var rules: [RuleSpec] = []
    if let r = root["rule"] {
      guard let arr = r.array else { throw fail(lines.topKey("rule"), "rule: expected [[rule]] tables") }
      var seen: [String: Int] = [:]
      for (i, e) in arr.enumerated() {
        guard let t = e.table else { throw fail(lines.topKey("rule"), "rule: expected [[rule]] tables") }
        let spec = try RuleSet.rule(
          t, index: i, lines: lines, name: name, origin: origin, baseDirectory: baseDirectory, fail: fail)
        if let prev = seen[spec.id] {
          throw fail(spec.line, "rule \(spec.id): the id is used twice (also at line \(prev))")
        }
        seen[spec.id] = spec.line
        rules.append(spec)
      }
    }
    self.rules = rules
  }

  /// Reads one `[[rule]]` table.
  private static func rule(
    _ t: TOMLTable, index: Int, lines: RuleSetLines, name: String, origin: Params.Origin,
    baseDirectory: String?, fail: (Int?, String) -> MIError
  ) throws(MIError) -> RuleSpec {
    let line = lines.ruleHeader(index)
    let keyLines = lines.ruleKeys(index)
    func str(_ k: String, required: Bool) throws(MIError) -> String? {
      guard let v = t[k] else {
        if required { throw fail(line, "rule \(index + 1): key \"\(k)\" is required") }
        return nil
      }
      guard let s = v.string, !s.isEmpty else {
        throw fail(keyLines[k] ?? line, "rule \(index + 1): key \"\(k)\": expected a non-empty string")
      }
      return s
    }
    let id = try str("id", required: true)!
    let type = try str("type", required: true)!
    let ruleName = try str("name", required: true)!
    let sev = try str("sev_deg", required: false) ?? "明确违规"
    guard sev == "明确违规" || sev == "可疑" else {
      throw fail(keyLines["sev_deg"], "rule \(id): key \"sev_deg\": expected 明确违规 or 可疑, found \"\(sev)\"")
    }
    let amtText = try str("amt_mode", required: false) ?? "line"
    guard let amt = AmountMode(rawValue: amtText) else {
      throw fail(
        keyLines["amt_mode"], "rule \(id): key \"amt_mode\": expected excess, line or none, found \"\(amtText)\"")
    }
    var spec = RuleSpec(
      index: index, id: id, type: type, name: ruleName, sevDeg: sev, amtMode: amt, source: name, line: line,
      origin: origin)
    spec.keyLines = keyLines
    spec.baseDirectory = baseDirectory
    spec.gzCode = try str("gz_code", required: false)
    if let e = t["enabled"] {
      guard let b = e.bool else {
        throw fail(keyLines["enabled"], "rule \(id): key \"enabled\": expected true or false")
      }
      spec.enabled = b
    }
    for k in t.keys where !commonKeys.contains(k) {
      guard let v = t[k], let rv = value(v) else {
        throw fail(keyLines[k] ?? line, "rule \(id): key \"\(k)\": unsupported value")
      }
      spec.params[k] = rv
    }
    if let ex = t["example"] {
      guard let arr = ex.array else { throw fail(line, "rule \(id): example: expected [[rule.example]] tables") }
      for (j, e) in arr.enumerated() {
        let exLine = lines.exampleHeader(index, j) ?? line
        guard let et = e.table else { throw fail(exLine, "rule \(id): example: expected [[rule.example]] tables") }
        spec.examples.append(try example(et, rule: id, line: exLine, fail: fail))
      }
    }
    return spec
  }

  /// Reads one `[[rule.example]]`.
  private static func example(
    _ t: TOMLTable, rule id: String, line: Int, fail: (Int?, String) -> MIError
  ) throws(MIError) -> RuleExample {
    for k in t.keys.sorted() where !exampleKeys.contains(k) {
      throw fail(
        line, "rule \(id): example: unknown key \"\(k)\" (expected \(exampleKeys.sorted().joined(separator: ", ")))")
    }
    func text(_ k: String) throws(MIError) -> String {
      guard let v = t[k] else { return "" }
      guard let s = v.string else { throw fail(line, "rule \(id): example: key \"\(k)\": expected a string") }
      return s
    }
    guard let expect = t["expect"]?.int, expect >= 0 else {
      throw fail(line, "rule \(id): example: key \"expect\": a count of findings (0 or more) is required")
    }
    var amt: Int64? = nil
    if let v = t["vola_amt"] {
      guard let s = v.string, let f = Money.parse(s) else {
        throw fail(line, "rule \(id): example: key \"vola_amt\": expected an amount in yuan as a string (\"12.00\")")
      }
      amt = f
    }
    return RuleExample(
      note: try text("note"), cases: try text("cases"), fees: try text("fees"), previous: try text("previous"),
      expect: expect, volaAmt: amt, line: line)
  }

  /// A TOML value as a rule parameter; numbers keep their exact decimal text.
  static func value(_ v: TOMLValueConvertible) -> RuleValue? {
    if let s = v.string { return .string(s) }
    if let b = v.bool { return .bool(b) }
    if let i = v.int { return .number(String(i)) }
    if let d = v.double {
      guard d.isFinite else { return nil }
      let s = d.description
      return s.contains("e") ? nil : .number(s)
    }
    if let a = v.array {
      var out: [RuleValue] = []
      for e in a {
        guard let x = value(e) else { return nil }
        out.append(x)
      }
      return .array(out)
    }
    if let t = v.table {
      var out: [String: RuleValue] = [:]
      for k in t.keys {
        guard let e = t[k], let x = value(e) else { return nil }
        out[k] = x
      }
      return .table(out)
    }
    return nil
  }
}

/// Line numbers of a rule-set text: TOMLKit keeps no positions for values, so headers and keys are found by a
/// scan of the text (multi-line strings skipped).
struct RuleSetLines {
  /// Per `[[rule]]`: its header line, its keys' lines and its examples' header lines.
  private var rules: [(header: Int, keys: [String: Int], examples: [Int])] = []
  private var top: [String: Int] = [:]
  private var settings: [String: Int] = [:]

  init(_ text: String) {
    var section = ""
    var inMultiline: String? = nil
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let n = i + 1
      let t = raw.trimmingCharacters(in: .whitespaces)
      if let close = inMultiline {
        if t.contains(close) { inMultiline = nil }
        continue
      }
      if t.isEmpty || t.hasPrefix("#") { continue }
      if t.hasPrefix("[") {
        let name = t.filter { $0 != "[" && $0 != "]" && $0 != " " }.split(separator: "#").first.map(String.init) ?? ""
        section = name
        switch name {
        case "rule": rules.append((n, [:], []))
        case "rule.example": if !rules.isEmpty { rules[rules.count - 1].examples.append(n) }
        default: if top[name] == nil { top[name] = n }
        }
        continue
      }
      guard let eq = t.firstIndex(of: "=") else { continue }
      let key = t[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
      let rest = t[t.index(after: eq)...].trimmingCharacters(in: .whitespaces)
      for delim in ["'''", "\"\"\""] where rest.hasPrefix(delim) {
        if !rest.dropFirst(3).contains(delim) { inMultiline = delim }
      }
      switch section {
      case "": if top[key] == nil { top[key] = n }
      case "settings": settings[key] = n
      case "rule": if !rules.isEmpty { rules[rules.count - 1].keys[key] = n }
      default: break
      }
    }
  }

  func topKey(_ k: String) -> Int? { top[k] }
  func settingsKey(_ k: String) -> Int? { settings[k] }
  func ruleHeader(_ i: Int) -> Int { i < rules.count ? rules[i].header : 0 }
  func ruleKeys(_ i: Int) -> [String: Int] { i < rules.count ? rules[i].keys : [:] }
  func exampleHeader(_ i: Int, _ j: Int) -> Int? {
    i < rules.count && j < rules[i].examples.count ? rules[i].examples[j] : nil
  }
}
