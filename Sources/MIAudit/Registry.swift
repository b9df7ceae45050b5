import MICore

/// A rule over fee lines: the engine hands it each visit's lines (same setl_id, else same mdtrt_id), all of a
/// visit's lines together exactly once, in input order, with the visit's case when --cases has it. Rules with
/// person or institution state keep it keyed and emit in finish().
public protocol FeeRule: AnyObject {
  func visit(_ lines: ArraySlice<FeeLine>, case: AuditCase?, into findings: inout [Finding]) throws
  func finish(into findings: inout [Finding]) throws
}

/// A rule over cases: all --cases records in input order (and the --previous period's, for growth rules).
public protocol CaseRule {
  func run(_ cases: CaseTable, into findings: inout [Finding]) throws
}

/// The cases of a run, in input order, with indexes by setl_id and by person.
public struct CaseTable: Sendable {
  public let cases: [AuditCase]
  /// The previous period's cases (--previous), for growth and indicator rules.
  public let previous: [AuditCase]?
  /// Position in `cases` by setl_id (the first when a setl_id repeats).
  public let bySetlID: [String: Int]
  /// Positions in `cases` by psn_no, in input order.
  public let byPerson: [String: [Int]]

  /// Indexes the cases.
  public init(cases: [AuditCase], previous: [AuditCase]? = nil) {
    self.cases = cases
    self.previous = previous
    var s: [String: Int] = [:]
    var p: [String: [Int]] = [:]
    s.reserveCapacity(cases.count)
    for (i, c) in cases.enumerated() {
      if s[c.setlID] == nil { s[c.setlID] = i }
      if let psn = c.psnNo { p[psn, default: []].append(i) }
    }
    bySetlID = s
    byPerson = p
  }
}

/// What a rule may consult when it is built: the knowledge base, the hospital registry, the workspace and the
/// rule set's settings.
public struct RuleContext: @unchecked Sendable {
  public let knowledge: Knowledge?
  /// fixmedins_code → hosp_lv.
  public let hospitals: [String: String]
  public let workspace: Workspace?
  public let settings: AuditSettings

  /// Creates a context.
  public init(
    knowledge: Knowledge?, hospitals: [String: String] = [:], workspace: Workspace? = nil,
    settings: AuditSettings = AuditSettings()
  ) {
    self.knowledge = knowledge
    self.hospitals = hospitals
    self.workspace = workspace
    self.settings = settings
  }

  /// The knowledge base, or the error a knowledge-point rule gives without one.
  public func requireKnowledge(_ spec: RuleSpec) throws(MIError) -> Knowledge {
    guard let knowledge else {
      throw MIError.usage("rule \(spec.id) (type \(spec.type)) needs a knowledge-point version: give --kp NAME")
    }
    return knowledge
  }
}

public typealias FeeRuleFactory = @Sendable (RuleSpec, RuleContext) throws -> any FeeRule
public typealias CaseRuleFactory = @Sendable (RuleSpec, RuleContext) throws -> any CaseRule

/// A rule built from its spec: over fee lines or over cases.
public enum BuiltRule {
  case fee(RuleSpec, any FeeRule)
  case cases(RuleSpec, any CaseRule)

  /// The spec it was built from.
  public var spec: RuleSpec {
    switch self {
    case .fee(let s, _), .cases(let s, _): return s
    }
  }
}

/// The closed vocabulary of rule types (issue 14 item 1): CORE's fee rules, CASE's case rules and OPS's doctor
/// rules, merged.
public enum Registry {
  /// Every fee-rule type.
  public static var feeTypes: [String: FeeRuleFactory] {
    FeeRuleTypes.all.merging(DoctorRuleTypes.fee) { a, _ in a }
  }

  /// Every type name, sorted.
  public static var knownTypes: [String] {
    Array(Set(FeeRuleTypes.all.keys).union(CaseRuleTypes.all.keys).union(DoctorRuleTypes.fee.keys)).sorted()
  }

  /// Builds a rule from its spec; an unknown type lists the known ones, and a key the type did not read is an
  /// error naming the rule, the line and the key.
  public static func build(_ spec: RuleSpec, _ context: RuleContext) throws -> BuiltRule {
    let built: BuiltRule
    if let f = feeTypes[spec.type] {
      built = .fee(spec, try f(spec, context))
    } else if let f = CaseRuleTypes.all[spec.type] {
      built = .cases(spec, try f(spec, context))
    } else {
      throw spec.invalid("type", "unknown rule type \"\(spec.type)\" (known: \(knownTypes.joined(separator: ", ")))")
    }
    if let k = spec.unusedKeys().first {
      throw spec.invalid(k, "unknown key for rule type \(spec.type)")
    }
    return built
  }
}
