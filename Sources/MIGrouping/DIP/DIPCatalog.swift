import Foundation
import MICore

/// The kind of a DIP group (DOMAIN.md §1.3).
public enum DIPKind: String, CaseIterable, Sendable {
  /// 核心病种: 亚目 + operation expression, case count at or above the core threshold.
  case core
  /// 综合病种: 类目 + operation class.
  case comprehensive
  /// 基层病种: a core group paid without the institution coefficient (DIP3 p.48, GC25 第十九条).
  case basic
}

/// One 病种 of a DIP catalog version.
public struct DIPGroup: Sendable, Equatable {
  /// 病种编码.
  public var code: String
  /// 病种名称.
  public var name: String
  /// core, comprehensive or basic.
  public var kind: DIPKind
  /// The principal-diagnosis key: 亚目 (`K35.8`) for core and basic, 类目 (`K35`) for comprehensive.
  public var dxKey: String
  /// The operation expression (core and basic; empty = 保守治疗).
  public var expression: OperationExpression
  /// The operation class (comprehensive only).
  public var opClass: OperationClass?
  /// 分值, fixed-point scale 4, in the catalog's score scale (×1000, ×100 or ×1).
  public var score: Int64
  /// Cases in the derivation history (informative; nil when the bureau's file has none).
  public var caseCount: Int64?
  /// Weighted mean cost in fen after trimming (informative).
  public var meanFen: Int64?
  /// Coefficient of variation, scale 4 (informative).
  public var cv: Int64?
  /// The derivation marked this core group as a 基层病种 candidate (CV ≤ basic_max_cv).
  public var basicCandidate: Bool

  /// Creates a group.
  public init(
    code: String, name: String, kind: DIPKind, dxKey: String, expression: OperationExpression = .conservative,
    opClass: OperationClass? = nil, score: Int64, caseCount: Int64? = nil, meanFen: Int64? = nil, cv: Int64? = nil,
    basicCandidate: Bool = false
  ) {
    self.code = code
    self.name = name
    self.kind = kind
    self.dxKey = dxKey
    self.expression = expression
    self.opClass = opClass
    self.score = score
    self.caseCount = caseCount
    self.meanFen = meanFen
    self.cv = cv
    self.basicCandidate = basicCandidate
  }
}

/// One entry of the auxiliary catalogue (辅助目录, DOMAIN.md §1.4): a subtype of core groups with its coefficient.
///
/// Every condition given must hold; a case meeting several entries takes the one with the highest coefficient
/// (DIP3 pp.62–66: the highest 触发系数), ties by code.
public struct DIPAux: Sendable, Equatable {
  /// The auxiliary types of DIP20/DIP3.
  public static let types = ["severity", "tumour", "age", "icu", "cci"]
  /// Entry code (unique in the version).
  public var code: String
  /// Name.
  public var name: String
  /// severity, tumour, age, icu or cci.
  public var type: String
  /// Core group codes the entry applies to; empty = every core group.
  public var groups: [String]
  /// Age band in days, inclusive (age from `nwb_age` when present, else `age` × 365).
  public var minAgeDays: Int64?
  /// Upper end of the age band in days, inclusive.
  public var maxAgeDays: Int64?
  /// ICU days band, inclusive, from the case's `icu_days` (a project field).
  public var minICUDays: Int64?
  /// Upper end of the ICU band, inclusive.
  public var maxICUDays: Int64?
  /// CCI band, inclusive, from the case's `cci` (a project field; the index is computed upstream).
  public var minCCI: Int64?
  /// Upper end of the CCI band, inclusive.
  public var maxCCI: Int64?
  /// Secondary diagnosis code prefixes, any of which must appear among `diag_codes[1...]`.
  public var secondaryDx: [String]
  /// `dscg_way` values, one of which the case must have (`5` = 死亡).
  public var dischargeWays: [String]
  /// Minimum `act_ipt_days` (DIP3: "住院天数3天以上").
  public var minLOS: Int64?
  /// 辅助分型调节系数, scale 4.
  public var coef: Int64

  /// Creates an entry.
  public init(code: String, name: String, type: String, coef: Int64) {
    self.code = code
    self.name = name
    self.type = type
    self.coef = coef
    groups = []
    secondaryDx = []
    dischargeWays = []
  }
}

/// A DIP catalog version: groups, auxiliary entries, hospital-level coefficients, the score scale, and the
/// operation-class dictionary its comprehensive groups were built with.
public struct DIPCatalog: Sendable {
  /// The version's name (written to `group_scheme`).
  public var name: String
  /// The score scale: 1000, 100 or 1 (DOMAIN.md §2.1).
  public var scale: Int64
  /// Groups, sorted by code.
  public var groups: [DIPGroup]
  /// Auxiliary entries, sorted by code.
  public var aux: [DIPAux]
  /// Hospital-level coefficients (医疗机构调节系数 by level), scale 4, by `hosp_lv`.
  public var hospitalCoefs: [String: Int64]
  /// The operation-class dictionary.
  public var procClasses: ProcClassTable
  /// Extra members of the version entry (derivation settings), as JSON member text, for the review file.
  public var versionInfo: [(String, String)]

  /// Creates a catalog.
  public init(
    name: String, scale: Int64, groups: [DIPGroup], aux: [DIPAux] = [], hospitalCoefs: [String: Int64] = [:],
    procClasses: ProcClassTable = ProcClassTable(), versionInfo: [(String, String)] = []
  ) {
    self.name = name
    self.scale = scale
    self.groups = groups.sorted { $0.code < $1.code }
    self.aux = aux.sorted { $0.code < $1.code }
    self.hospitalCoefs = hospitalCoefs
    self.procClasses = procClasses
    self.versionInfo = versionInfo
  }

  /// The group with `code`.
  public func group(_ code: String) -> DIPGroup? {
    groups.first { $0.code == code }
  }

  /// The allowed score scales.
  public static let scales: [Int64] = [1000, 100, 1]

  /// Checks the catalog as a whole: scale, unique codes, keys of the right shape, aux groups that exist.
  public func validate() throws(MIError) {
    guard DIPCatalog.scales.contains(scale) else {
      throw MIError.reference("catalog \(name): scale must be 1000, 100 or 1, found \(scale)")
    }
    var seen = Set<String>()
    for g in groups {
      guard seen.insert(g.code).inserted else {
        throw MIError.reference("catalog \(name): duplicate group '\(g.code)'")
      }
    }
    let core = Set(groups.filter { $0.kind != .comprehensive }.map(\.code))
    for a in aux {
      guard seen.insert(a.code).inserted else { throw MIError.reference("catalog \(name): duplicate code '\(a.code)'") }
      for g in a.groups where !core.contains(g) {
        throw MIError.reference("catalog \(name): auxiliary entry '\(a.code)' names '\(g)', which is not a core group")
      }
    }
  }
}
