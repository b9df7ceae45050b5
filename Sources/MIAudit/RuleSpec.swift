import MICore

/// A parameter value of a rule table, taken from TOML; numbers keep their exact decimal text.
public enum RuleValue: Sendable, Equatable {
  case string(String)
  case number(String)
  case bool(Bool)
  case array([RuleValue])
  case table([String: RuleValue])
}

/// One `[[rule]]` of a rule set: its identity, severity and amount mode, and its type-specific parameters.
///
/// The accessors name the rule id, the line and the key in their errors, and record the keys read, so that the
/// rule set can refuse a key that the rule's type does not read (a typo that would silently fall back to a
/// default).
public struct RuleSpec: Sendable {
  /// The rule's position in the rule set (output order).
  public var index: Int
  public var id: String
  public var type: String
  public var name: String
  public var gzCode: String?
  public var sevDeg: String
  public var amtMode: AmountMode
  public var enabled: Bool
  /// The type-specific keys of the rule table.
  public var params: [String: RuleValue]
  /// The examples of the rule (`[[rule.example]]`).
  public var examples: [RuleExample]
  /// Where the rule is written: the rule-set name (or file) and the line of its `[[rule]]` header.
  public var source: String
  public var line: Int
  /// The line of each key of the rule table.
  public var keyLines: [String: Int]
  /// Whether a bad value is a usage error (a file on the command line) or a reference error (a stored set).
  public var origin: Params.Origin
  /// The directory that relative paths in parameters are read from (the rule-set file's, or the current one).
  public var baseDirectory: String?
  private let read = ReadKeys()

  /// A rule with its identity; parameters and examples are added by the rule-set reader.
  public init(
    index: Int, id: String, type: String, name: String, sevDeg: String, amtMode: AmountMode,
    source: String = "rules", line: Int = 0, origin: Params.Origin = .file
  ) {
    self.index = index
    self.id = id
    self.type = type
    self.name = name
    self.sevDeg = sevDeg
    self.amtMode = amtMode
    self.enabled = true
    self.params = [:]
    self.examples = []
    self.source = source
    self.line = line
    self.keyLines = [:]
    self.origin = origin
  }

  /// An error about `key` of this rule: `rules.toml:12: rule A01: key "x": …`.
  public func invalid(_ key: String?, _ message: String) -> MIError {
    let at = (key.flatMap { keyLines[$0] } ?? line)
    let k = key.map { " key \"\($0)\":" } ?? ""
    let text = "\(source):\(at): rule \(id):\(k) \(message)"
    return origin == .file ? .usage(text) : .reference(text)
  }

  private func value(_ key: String) -> RuleValue? {
    read.insert(key)
    return params[key]
  }

  /// A parameter as it is written (for shapes the typed accessors do not read), marked as read.
  public func raw(_ key: String) -> RuleValue? { value(key) }

  /// An integer parameter.
  public func int(_ key: String, default def: Int?) throws(MIError) -> Int {
    guard let v = value(key) else {
      guard let def else { throw invalid(key, "required") }
      return def
    }
    guard case .number(let t) = v, let i = Int(t) else { throw invalid(key, "expected an integer") }
    return i
  }

  /// A fixed-point parameter at `scale` from a number or numeric string; more decimals are an error.
  public func fixed(_ key: String, scale: Int, default def: Fixed?) throws(MIError) -> Fixed {
    guard let v = value(key) else {
      guard let def else { throw invalid(key, "required") }
      return def
    }
    let text: String
    switch v {
    case .number(let t), .string(let t): text = t
    default: throw invalid(key, "expected a number")
    }
    guard let f = Fixed(text, scale: scale) else {
      throw invalid(key, "expected a number with at most \(scale) decimals, found \"\(text)\"")
    }
    return f
  }

  /// A string parameter.
  public func string(_ key: String, default def: String?) throws(MIError) -> String {
    guard let s = try optionalString(key) else {
      guard let def else { throw invalid(key, "required") }
      return def
    }
    return s
  }

  /// An array of strings.
  public func strings(_ key: String, default def: [String]?) throws(MIError) -> [String] {
    guard let v = value(key) else {
      guard let def else { throw invalid(key, "required") }
      return def
    }
    guard case .array(let a) = v else { throw invalid(key, "expected an array of strings") }
    var out: [String] = []
    for e in a {
      guard case .string(let s) = e else { throw invalid(key, "expected an array of strings") }
      out.append(s)
    }
    return out
  }

  /// A string parameter, nil when absent.
  public func optionalString(_ key: String) throws(MIError) -> String? {
    guard let v = value(key) else { return nil }
    guard case .string(let s) = v else { throw invalid(key, "expected a string in double quotes") }
    return s
  }

  /// A boolean parameter.
  public func bool(_ key: String, default def: Bool) throws(MIError) -> Bool {
    guard let v = value(key) else { return def }
    guard case .bool(let b) = v else { throw invalid(key, "expected true or false") }
    return b
  }

  /// A table of strings to strings (`level_grades = { "3" = 3 }` reads each value's text).
  public func table(_ key: String) throws(MIError) -> [String: String]? {
    guard let v = value(key) else { return nil }
    guard case .table(let t) = v else { throw invalid(key, "expected a table") }
    var out: [String: String] = [:]
    for (k, e) in t {
      switch e {
      case .string(let s), .number(let s): out[k] = s
      default: throw invalid(key, "expected a table of strings or numbers")
      }
    }
    return out
  }

  /// One of a closed set of strings.
  public func choice(_ key: String, _ choices: [String], default def: String) throws(MIError) -> String {
    let s = try string(key, default: def)
    guard choices.contains(s) else {
      throw invalid(key, "expected one of \(choices.joined(separator: ", ")), found \"\(s)\"")
    }
    return s
  }

  /// The parameter keys no accessor has read, sorted.
  public func unusedKeys() -> [String] {
    params.keys.filter { !read.contains($0) }.sorted()
  }
}

/// The keys a rule's accessors have read (shared by copies of the spec).
final class ReadKeys: @unchecked Sendable {
  private var keys: Set<String> = []
  func insert(_ k: String) { keys.insert(k) }
  func contains(_ k: String) -> Bool { keys.contains(k) }
}

/// One `[[rule.example]]`: records that must make the rule fire `expect` times (0: must not fire).
public struct RuleExample: Sendable {
  public var note: String
  /// NDJSON text of case records.
  public var cases: String
  /// NDJSON text of fee lines.
  public var fees: String
  /// NDJSON text of the previous period's cases (growth rules).
  public var previous: String
  /// The number of findings of the rule expected.
  public var expect: Int
  /// The total vola_amt expected, fen, when given.
  public var volaAmt: Int64?
  /// The line of the example's header.
  public var line: Int

  /// Creates an example.
  public init(
    note: String, cases: String, fees: String, previous: String = "", expect: Int, volaAmt: Int64?, line: Int
  ) {
    self.note = note
    self.cases = cases
    self.fees = fees
    self.previous = previous
    self.expect = expect
    self.volaAmt = volaAmt
    self.line = line
  }
}
