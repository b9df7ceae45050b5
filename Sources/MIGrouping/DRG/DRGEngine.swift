import Foundation
import MICore

/// A DRG scheme in the `mi-drg-scheme/1` format (FORMAT.md §4), compiled for grouping.
///
/// Compilation turns every code list into a bit set over interned code ids, the CC/MCC and exclusion tables into
/// arrays indexed by id, label tables into arrays of label ids, and every condition into a flat node array. Grouping
/// a case (`DRGGrouper`) then touches only these arrays. The scheme is data: a different scheme is a different
/// file or database row, never different code.
public final class DRGEngine: @unchecked Sendable {
  /// The name results are tagged with (`group_scheme`): the workspace version name, or the scheme's id.
  public let name: String
  /// The scheme's own id (`chs-drg-1.1`).
  public let schemeId: String
  /// The scheme's display title.
  public let title: String

  /// Interned codes of the scheme and its dictionaries.
  let codes = DRGCodeTable()
  /// Condition nodes.
  var nodes: [DRGNode] = []
  /// Children of `all`/`any` nodes.
  var kids: [Int32] = []
  /// Code list ids, by list index.
  var listIds: [String] = []
  /// Kind (`dx` or `proc`) of each list.
  var listKinds: [String] = []
  /// List membership, transposed: code `id` has `wordsPerCode` words whose bit `l` says whether list `l` holds it.
  /// All the lists a case's principal diagnosis is tested against (26 MDC entries, then ADRG lists) then sit in
  /// one or two cache lines instead of one line per list.
  var bits: [UInt64] = []
  /// Words per code.
  var wordsPerCode = 0
  /// Label table ids and kinds.
  var tableIds: [String] = []
  /// Label of each code in each table (`labels[t][code]`, -1 none).
  var labels: [[Int32]] = []
  /// Label texts, by label id.
  var labelNames: [String] = []
  /// Gender strings the scheme compares with, by gender id.
  var genders: [[UInt8]] = []
  /// The same strings interned in gender-id order, for look-up straight from the input bytes.
  let genderTable = DRGCodeTable()
  /// Per code: exclusion table id when an MCC (-1 not an MCC).
  var mccTable: [Int32] = []
  /// Per code: exclusion table id when a CC.
  var ccTable: [Int32] = []
  /// Per code: exclusion table id that applies when it is the principal diagnosis.
  var exclusionTable: [Int32] = []
  /// Exclusion table names, by id.
  var exclusionNames: [String] = []
  /// Per code: bit 0 in the diagnosis dictionary, bit 1 in the procedure dictionary.
  var inDictionary: [UInt8] = []
  /// Per code: the gender id an MDC entry requires for diagnoses of its principal list (-1 none), for warnings.
  var sexOfDx: [Int32] = []
  /// The MDC whose entry gives `sexOfDx`, per gender id.
  var sexMDC: [Int32: String] = [:]
  /// Whether the scheme came with dictionaries (no dictionaries: no "not in the dictionary" warnings).
  var hasDictionaries = false

  /// A check before grouping (FORMAT.md §8).
  struct Check {
    /// Its id (`gender_missing`).
    var id: String
    /// Its condition.
    var when: Int32
    /// The reason text, possibly with `{gender}`.
    var reason: String
  }
  /// The checks, in order.
  var checks: [Check] = []
  /// `checks.error_reason`, possibly with `{error}`.
  var errorReason = ""
  /// `outcomes.ungroupable_reason`.
  var ungroupableReason = ""
  /// `outcomes.ambiguous_reason`.
  var ambiguousReason = ""

  /// An MDC.
  struct MDC {
    /// `MDCA`.
    var code: String
    /// Entry condition.
    var entry: Int32
    /// Its ADRG rules: `rules[first ..< first+count]`.
    var first: Int
    /// Number of ADRG rules.
    var count: Int
    /// QY switched on.
    var qyEnabled: Bool
    /// Index of the rule before which QY is tested.
    var qyAfter: Int
    /// QY condition.
    var qyWhen: Int32
    /// QY group code (`AQY`).
    var qyCode: String
    /// `"MDCA"` as JSON text.
    var codeJSON: [UInt8]
    /// QY code as JSON text.
    var qyCodeJSON: [UInt8]
  }
  /// MDCs in evaluation order.
  var mdcs: [MDC] = []

  /// An ADRG rule.
  struct Rule {
    /// ADRG code (`GZ1`).
    var code: String
    /// Rule id (`GZ1`, `JA1_1`).
    var id: String
    /// Entry condition.
    var entry: Int32
    /// Its DRGs: `drgs[first ..< first+count]`.
    var first: Int
    /// Number of DRGs.
    var count: Int
    /// `on_no_drg == "use_adrg_code"`.
    var useADRGCode: Bool
    /// The ADRG code as JSON text.
    var codeJSON: [UInt8]
    /// `"MDC" + code[0]` as JSON text (for `use_adrg_code`).
    var mdcJSON: [UInt8]
  }
  /// All ADRG rules, MDC by MDC.
  var rules: [Rule] = []

  /// A DRG of an ADRG rule.
  struct DRG {
    /// DRG code (`GZ13`).
    var code: String
    /// Its name.
    var name: String
    /// Its condition.
    var when: Int32
    /// Code, name and `"MDC" + code[0]` as JSON text, ready for output.
    var codeJSON: [UInt8]
    /// Name as JSON text.
    var nameJSON: [UInt8]
    /// MDC as JSON text.
    var mdcJSON: [UInt8]
  }
  /// All DRGs, rule by rule.
  var drgs: [DRG] = []

  /// Compiles a scheme from the bytes of `scheme.json` and, optionally, of `dx.tsv` and `proc.tsv`.
  ///
  /// Throws `MIError.reference` naming the place in the scheme when it uses another format, an unknown condition,
  /// a list that does not exist or a value of the wrong type.
  public init(name: String? = nil, scheme: Data, dx: Data? = nil, proc: Data? = nil) throws(MIError) {
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: scheme, options: [])
    } catch {
      throw MIError.reference(Diagnostics.jsonError(error, in: scheme, file: "scheme.json"))
    }
    let c = DRGSchemeCompiler(engine: nil)
    guard let root = json as? [String: Any] else { throw MIError.reference("scheme.json: expected a JSON object") }
    try DRGSchemeCompiler.checkHeader(root)
    schemeId = root["id"] as? String ?? ""
    title = root["title"] as? String ?? ""
    self.name = name ?? schemeId
    c.engine = self
    try c.compile(root, dx: dx, proc: proc)
  }

  /// Number of MDCs, ADRG rules and distinct DRG codes (rules of one ADRG may list the same DRG).
  public var sizes: (mdcs: Int, rules: Int, drgs: Int) { (mdcs.count, rules.count, Set(drgs.map(\.code)).count) }

  /// Whether list `l` holds code `id`.
  @inline(__always)
  func listHas(_ l: Int32, _ id: Int32) -> Bool {
    if id < 0 { return false }
    let w = bits[Int(id) * wordsPerCode + Int(l >> 6)]
    return w & (1 << UInt64(l & 63)) != 0
  }
}

/// Builds a `DRGEngine` from the parsed JSON of a scheme.
final class DRGSchemeCompiler {
  /// The engine being filled.
  var engine: DRGEngine!
  /// List index by id.
  private var listIndex: [String: Int32] = [:]
  /// Codes of each list, as ids (turned into bit sets at the end).
  private var listCodes: [[Int32]] = []
  /// Table index by id.
  private var tableIndex: [String: Int32] = [:]
  /// Table contents (code id → label id), turned into dense arrays at the end.
  private var tableEntries: [[(Int32, Int32)]] = []
  /// Label id by text.
  private var labelIndex: [String: Int32] = [:]
  /// Exclusion table id by name.
  private var exclusionIndex: [String: Int32] = [:]
  /// Gender id by text.
  private var genderIndex: [String: Int32] = [:]

  /// The MCC, CC and exclusion-table pairs (code id, exclusion table id) of `comorbidity`.
  typealias ComorbidityPairs = (mcc: [(Int32, Int32)], cc: [(Int32, Int32)], excl: [(Int32, Int32)])

  /// Creates a compiler.
  init(engine: DRGEngine?) { self.engine = engine }

  /// Refuses a file that is not `mi-drg-scheme/1` or that declares condition keys this engine does not know.
  static func checkHeader(_ root: [String: Any]) throws(MIError) {
    guard let format = root["format"] as? String else {
      throw MIError.reference("scheme.json: missing \"format\" (expected \"mi-drg-scheme/1\")")
    }
    guard format == "mi-drg-scheme/1" else {
      throw MIError.reference("scheme.json: format \"\(format)\" is not supported (expected \"mi-drg-scheme/1\")")
    }
    if let vocabulary = root["vocabulary"] as? [String: Any] {
      for (part, known) in [("rules", drgRuleVocabulary), ("checks", drgCheckVocabulary)] {
        let keys = vocabulary[part] as? [String] ?? []
        let unknown = keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
          throw MIError.reference(
            "scheme.json: vocabulary.\(part): unknown condition \(unknown.map { "\"\($0)\"" }.joined(separator: ", "))"
              + " (this engine supports \(known.sorted().joined(separator: ", ")))")
        }
      }
    }
  }

  /// Compiles everything, in the order the codes are interned (lists, label tables, comorbidity, dictionaries, then
  /// the conditions of checks and MDCs): code ids, and so the engine's tables, follow that order.
  func compile(_ root: [String: Any], dx: Data?, proc: Data?) throws(MIError) {
    // Code lists first: conditions refer to them by id.
    try compileLists(root)
    try compileLabelTables(root)
    let comorbidity = try compileComorbidity(root)
    let dictFlags = internDictionaries(dx: dx, proc: proc)
    try compileChecks(root)
    let sexLists = try compileMDCs(root)
    try buildTables(dictFlags, sexLists, comorbidity)
  }

  /// `code_lists`: each list's codes, interned.
  private func compileLists(_ root: [String: Any]) throws(MIError) {
    let e = engine!
    guard let lists = root["code_lists"] as? [String: Any] else { throw bad("code_lists", "expected an object") }
    for id in lists.keys.sorted() {
      guard let l = lists[id] as? [String: Any], let kind = l["kind"] as? String, kind == "dx" || kind == "proc",
        let codes = l["codes"] as? [String]
      else { throw bad("code_lists.\(id)", "expected {kind: \"dx\"|\"proc\", codes: [strings]}") }
      listIndex[id] = Int32(e.listIds.count)
      e.listIds.append(id)
      e.listKinds.append(kind)
      listCodes.append(codes.map { e.codes.intern($0) })
    }
  }

  /// `label_tables`: each table's code → label entries.
  private func compileLabelTables(_ root: [String: Any]) throws(MIError) {
    let e = engine!
    if let tables = root["label_tables"] as? [String: Any] {
      for id in tables.keys.sorted() {
        guard let t = tables[id] as? [String: Any], let labels = t["labels"] as? [String: Any] else {
          throw bad("label_tables.\(id)", "expected {kind, labels: {code: label}}")
        }
        tableIndex[id] = Int32(e.tableIds.count)
        e.tableIds.append(id)
        var entries: [(Int32, Int32)] = []
        for code in labels.keys.sorted() {
          guard let label = labels[code] as? String else {
            throw bad("label_tables.\(id).labels.\(code)", "expected a string")
          }
          entries.append((e.codes.intern(code), labelId(label)))
        }
        tableEntries.append(entries)
      }
    }
  }

  /// Comorbidity tables (FORMAT.md §7): the MCC, CC and exclusion pairs (code id, table id).
  private func compileComorbidity(_ root: [String: Any]) throws(MIError) -> ComorbidityPairs {
    let e = engine!
    guard let co = root["comorbidity"] as? [String: Any] else { throw bad("comorbidity", "expected an object") }
    var mcc: [(Int32, Int32)] = []
    var cc: [(Int32, Int32)] = []
    var excl: [(Int32, Int32)] = []
    for (key, target) in [("mcc", 0), ("cc", 1), ("cc_exclusion", 2)] {
      guard let m = co[key] as? [String: Any] else { throw bad("comorbidity.\(key)", "expected an object") }
      for code in m.keys.sorted() {
        guard let t = m[code] as? String else { throw bad("comorbidity.\(key).\(code)", "expected a table id string") }
        let pair = (e.codes.intern(code), exclusionId(t))
        switch target {
        case 0: mcc.append(pair)
        case 1: cc.append(pair)
        default: excl.append(pair)
        }
      }
    }
    return (mcc, cc, excl)
  }

  /// Dictionaries: their codes are interned too, so "not in the dictionary" is a flag, not a second look-up.
  private func internDictionaries(dx: Data?, proc: Data?) -> [(Int32, UInt8)] {
    let e = engine!
    var dictFlags: [(Int32, UInt8)] = []
    for (data, flag) in [(dx, UInt8(1)), (proc, UInt8(2))] {
      guard let data else { continue }
      e.hasDictionaries = true
      for code in DRGDictionary.codes(data) { dictFlags.append((e.codes.intern(code), flag)) }
    }
    return dictFlags
  }

  /// `checks`: the rules that make a case invalid, and the outcome reasons.
  private func compileChecks(_ root: [String: Any]) throws(MIError) {
    let e = engine!
    guard let checks = root["checks"] as? [String: Any], let rules = checks["rules"] as? [Any] else {
      throw bad("checks", "expected an object with rules")
    }
    for (i, r) in rules.enumerated() {
      guard let r = r as? [String: Any], let id = r["id"] as? String, let reason = r["reason"] as? String,
        let when = r["when"]
      else { throw bad("checks.rules[\(i)]", "expected {id, when, reason}") }
      e.checks.append(
        .init(id: id, when: try condition(when, at: "checks.rules[\(i)].when", check: true), reason: reason))
    }
    e.errorReason = checks["error_reason"] as? String ?? "病案信息解析出错"
    let outcomes = root["outcomes"] as? [String: Any] ?? [:]
    e.ungroupableReason = outcomes["ungroupable_reason"] as? String ?? "不符合所有MDC的入组条件，无法入组"
    e.ambiguousReason = outcomes["ambiguous_reason"] as? String ?? "歧义病案"
  }

  /// `mdcs`: MDCs, their ADRG rules and DRGs; returns the sex-specific entry lists (list, gender, MDC code).
  private func compileMDCs(_ root: [String: Any]) throws(MIError) -> [(Int32, Int32, String)] {
    let e = engine!
    guard let mdcs = root["mdcs"] as? [Any] else { throw bad("mdcs", "expected an array") }
    var sexLists: [(Int32, Int32, String)] = []
    for (mi, m) in mdcs.enumerated() {
      let at = "mdcs[\(mi)]"
      guard let m = m as? [String: Any], let code = m["code"] as? String, let entry = m["entry"],
        let adrgs = m["adrgs"] as? [Any]
      else { throw bad(at, "expected {code, letter, entry, adrgs, qy}") }
      let entryNode = try condition(entry, at: "\(at).entry", check: false)
      if let s = sexSpecificList(entry) { sexLists.append((s.list, s.gender, code)) }
      let first = e.rules.count
      for (ri, r) in adrgs.enumerated() { try compileADRG(r, at: "\(at).adrgs[\(ri)]") }
      let qy = m["qy"] as? [String: Any] ?? [:]
      let qyEnabled = qy["enabled"] as? Bool ?? false
      let qyAfter = (qy["after"] as? NSNumber)?.intValue ?? adrgs.count
      guard qyAfter >= 0 && qyAfter <= adrgs.count else { throw bad("\(at).qy.after", "expected 0…\(adrgs.count)") }
      let qyWhen = try condition(qy["when"] ?? ["always": true], at: "\(at).qy.when", check: false)
      let qyCode = qy["code"] as? String ?? String(code.dropFirst(3)) + "QY"
      e.mdcs.append(
        .init(
          code: code, entry: entryNode, first: first, count: e.rules.count - first, qyEnabled: qyEnabled,
          qyAfter: qyAfter,
          qyWhen: qyWhen, qyCode: qyCode, codeJSON: json(code), qyCodeJSON: json(qyCode)))
    }
    return sexLists
  }

  /// One ADRG rule at `rat` with its DRGs.
  private func compileADRG(_ r: Any, at rat: String) throws(MIError) {
    let e = engine!
    guard let r = r as? [String: Any], let rcode = r["code"] as? String, !rcode.isEmpty, let rentry = r["entry"],
      let drgs = r["drgs"] as? [Any]
    else { throw bad(rat, "expected {code, rule, entry, drgs, on_no_drg}") }
    let onNo = r["on_no_drg"] as? String ?? "use_adrg_code"
    guard onNo == "use_adrg_code" || onNo == "next_adrg" else {
      throw bad("\(rat).on_no_drg", "expected \"use_adrg_code\" or \"next_adrg\", found \"\(onNo)\"")
    }
    let ruleEntry = try condition(rentry, at: "\(rat).entry", check: false)
    let dfirst = e.drgs.count
    for (di, d) in drgs.enumerated() {
      guard let d = d as? [String: Any], let dcode = d["code"] as? String, !dcode.isEmpty, let when = d["when"]
      else {
        throw bad("\(rat).drgs[\(di)]", "expected {code, name, when}")
      }
      let dname = d["name"] as? String ?? ""
      e.drgs.append(
        .init(
          code: dcode, name: dname, when: try condition(when, at: "\(rat).drgs[\(di)].when", check: false),
          codeJSON: json(dcode), nameJSON: json(dname), mdcJSON: json("MDC" + String(dcode.prefix(1)))))
    }
    e.rules.append(
      .init(
        code: rcode, id: r["rule"] as? String ?? rcode, entry: ruleEntry, first: dfirst,
        count: e.drgs.count - dfirst,
        useADRGCode: onNo == "use_adrg_code", codeJSON: json(rcode), mdcJSON: json("MDC" + String(rcode.prefix(1))))
    )
  }

  /// The engine's dense tables by code id: dictionary flags, sex of diagnoses, list bit sets, labels, CC/MCC.
  private func buildTables(
    _ dictFlags: [(Int32, UInt8)], _ sexLists: [(Int32, Int32, String)],
    _ comorbidity: ComorbidityPairs
  ) throws(MIError) {
    let e = engine!
    e.genders = genderIndex.sorted { $0.value < $1.value }.map { Array($0.key.utf8) }
    for g in genderIndex.sorted(by: { $0.value < $1.value }) { e.genderTable.intern(g.key) }
    e.genderTable.freeze()
    // Per-code attributes travel in the hash slots: dictionary flags (bits 0–1), sex-specific gender id + 1 (2–7).
    let n = e.codes.count
    e.inDictionary = [UInt8](repeating: 0, count: n)
    for (id, f) in dictFlags { e.inDictionary[Int(id)] |= f }
    e.sexOfDx = [Int32](repeating: -1, count: n)
    for (l, g, mdc) in sexLists {
      e.sexMDC[g] = mdc
      for id in listCodes[Int(l)] { e.sexOfDx[Int(id)] = g }
    }
    guard genderIndex.count < 63 else { throw bad("mdcs", "too many distinct gender values") }
    e.codes.attributes = (0..<n).map { UInt16(e.inDictionary[$0]) | UInt16(e.sexOfDx[$0] + 1) << 2 }
    e.codes.freeze()
    e.wordsPerCode = (listCodes.count + 63) / 64
    e.bits = [UInt64](repeating: 0, count: max(e.wordsPerCode * n, 1))
    for (l, ids) in listCodes.enumerated() {
      for id in ids { e.bits[Int(id) * e.wordsPerCode + (l >> 6)] |= 1 << UInt64(l & 63) }
    }
    e.labels = tableEntries.map { entries in
      var a = [Int32](repeating: -1, count: n)
      // Where a code appears twice the first label is kept (FORMAT.md §5.5); sorted keys make this moot here.
      for (id, label) in entries where a[Int(id)] < 0 { a[Int(id)] = label }
      return a
    }
    e.mccTable = dense(comorbidity.mcc, n)
    e.ccTable = dense(comorbidity.cc, n)
    e.exclusionTable = dense(comorbidity.excl, n)
  }

  /// An entry `all[principal_dx_in L, gender G]` (MDCM, MDCN): list L holds diagnoses of one sex.
  private func sexSpecificList(_ entry: Any) -> (list: Int32, gender: Int32)? {
    guard let d = entry as? [String: Any], let parts = d["all"] as? [Any] else { return nil }
    var list: Int32? = nil
    var gender: Int32? = nil
    for p in parts {
      guard let p = p as? [String: Any] else { continue }
      if let l = p["principal_dx_in"] as? String { list = listIndex[l] }
      if let g = p["gender"] as? String { gender = genderIndex[g] }
    }
    guard let list, let gender else { return nil }
    return (list, gender)
  }

  private func dense(_ pairs: [(Int32, Int32)], _ n: Int) -> [Int32] {
    var a = [Int32](repeating: -1, count: n)
    for (id, t) in pairs { a[Int(id)] = t }
    return a
  }

  private func json(_ s: String) -> [UInt8] {
    var b: [UInt8] = []
    JSONWriter.appendString(s, to: &b)
    return b
  }

  private func labelId(_ s: String) -> Int32 {
    if let id = labelIndex[s] { return id }
    let id = Int32(engine.labelNames.count)
    engine.labelNames.append(s)
    labelIndex[s] = id
    return id
  }

  private func exclusionId(_ s: String) -> Int32 {
    if let id = exclusionIndex[s] { return id }
    let id = Int32(engine.exclusionNames.count)
    engine.exclusionNames.append(s)
    exclusionIndex[s] = id
    return id
  }

  private func genderId(_ s: String) -> Int32 {
    if let id = genderIndex[s] { return id }
    let id = Int32(genderIndex.count)
    genderIndex[s] = id
    return id
  }

  private func bad(_ at: String, _ message: String) -> MIError {
    MIError.reference("scheme.json: \(at): \(message)")
  }

  private func add(_ op: DRGOp, _ a: Int32 = 0, _ b: Int32 = 0, _ v: Int64 = 0) -> Int32 {
    engine.nodes.append(DRGNode(op: op, a: a, b: b, v: v))
    return Int32(engine.nodes.count - 1)
  }

  private func list(_ v: Any, kind: String, at: String) throws(MIError) -> Int32 {
    guard let id = v as? String else { throw bad(at, "expected a code list id") }
    guard let l = listIndex[id] else { throw bad(at, "no code list \"\(id)\" in code_lists") }
    guard engine.listKinds[Int(l)] == kind else {
      throw bad(at, "code list \"\(id)\" holds \(engine.listKinds[Int(l)]) codes, not \(kind) codes")
    }
    return l
  }

  private func int(_ v: Any, at: String) throws(MIError) -> Int64 {
    guard let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded() else {
      throw bad(at, "expected an integer")
    }
    return n.int64Value
  }

  private func table(_ v: Any, at: String) throws(MIError) -> (Int32, [String: Any]) {
    guard let d = v as? [String: Any], let id = d["table"] as? String else { throw bad(at, "expected {table, …}") }
    guard let t = tableIndex[id] else { throw bad(at, "no label table \"\(id)\" in label_tables") }
    return (t, d)
  }

  /// Compiles one condition (a JSON object with exactly one key) and returns its node index.
  ///
  /// Long on purpose: one case per condition key of FORMAT.md §5, so the vocabulary reads as one table.
  func condition(_ value: Any, at: String, check: Bool) throws(MIError) -> Int32 {
    guard let d = value as? [String: Any], d.count == 1, let (key, arg) = d.first else {
      throw bad(at, "a condition is an object with exactly one key")
    }
    let vocabulary = check ? drgCheckVocabulary : drgRuleVocabulary
    guard vocabulary.contains(key) else {
      throw bad(
        at,
        "unknown condition \"\(key)\"\(check ? " in a check" : "") (supported: \(vocabulary.sorted().joined(separator: ", ")))"
      )
    }
    let here = "\(at).\(key)"
    switch key {
    case "always", "has_weight", "has_mcc", "has_mcc_or_cc", "no_dx":
      guard arg as? Bool == true else { throw bad(here, "expected true") }
      let op: DRGOp =
        switch key {
        case "always": .always
        case "has_weight": .hasWeight
        case "has_mcc": .hasMCC
        case "has_mcc_or_cc": .hasMCCOrCC
        default: .noDx
        }
      return add(op)
    case "all", "any":
      guard let parts = arg as? [Any] else { throw bad(here, "expected an array of conditions") }
      var children: [Int32] = []
      for (i, p) in parts.enumerated() { children.append(try condition(p, at: "\(here)[\(i)]", check: check)) }
      let start = Int32(engine.kids.count)
      engine.kids.append(contentsOf: children)
      return add(key == "all" ? .all : .any, start, Int32(children.count))
    case "not":
      return add(.not, try condition(arg, at: here, check: check))
    case "principal_dx_in": return add(.principalDx, try list(arg, kind: "dx", at: here))
    case "any_dx_in": return add(.anyDx, try list(arg, kind: "dx", at: here))
    case "secondary_dx_in": return add(.secondaryDx, try list(arg, kind: "dx", at: here))
    case "principal_proc_in": return add(.principalProc, try list(arg, kind: "proc", at: here))
    case "any_proc_in": return add(.anyProc, try list(arg, kind: "proc", at: here))
    case "proc_label":
      let (t, d) = try table(arg, at: here)
      guard let label = d["label"] as? String else { throw bad(here, "expected {table, label}") }
      return add(.procLabel, t, labelId(label))
    case "dx_label_count_ge":
      let (t, d) = try table(arg, at: here)
      guard let count = d["count"] else { throw bad(here, "expected {table, count}") }
      return add(.dxLabelCountGE, t, 0, try int(count, at: "\(here).count"))
    case "gender":
      guard let g = arg as? String else { throw bad(here, "expected a string") }
      return add(.gender, genderId(g))
    case "gender_in":
      guard let gs = arg as? [String], gs.count <= 60 else { throw bad(here, "expected an array of strings") }
      var mask: Int64 = 0
      for g in gs { mask |= 1 << Int64(genderId(g)) }
      guard genderIndex.count <= 62 else { throw bad(here, "too many distinct gender values") }
      return add(.genderIn, 0, 0, mask)
    case "missing":
      let fields: [String: DRGField] = ["gender": .gender, "age": .age, "age_days": .ageDays, "weight": .weight]
      guard let f = arg as? String, let field = fields[f] else {
        throw bad(here, "expected one of gender, age, age_days, weight")
      }
      return add(.missing, field.rawValue)
    case "age_eq": return add(check ? .ageEqStrict : .ageEq, 0, 0, try int(arg, at: here))
    case "age_gt": return add(.ageGt, 0, 0, try int(arg, at: here))
    case "age_le": return add(.ageLe, 0, 0, try int(arg, at: here))
    case "age_days_le": return add(check ? .ageDaysLeStrict : .ageDaysLe, 0, 0, try int(arg, at: here))
    case "weight_lt": return add(.weightLt, 0, 0, try int(arg, at: here))
    case "weight_ge": return add(.weightGe, 0, 0, try int(arg, at: here))
    default:
      throw bad(here, "unknown condition")
    }
  }
}

/// Reading the `code<TAB>name` dictionaries that travel with a scheme (FORMAT.md §1).
public enum DRGDictionary {
  /// The codes of a dictionary file (first column; the `code` header line skipped; CRLF tolerated).
  public static func codes(_ data: Data) -> [String] {
    var out: [String] = []
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      var start = 0
      var first = true
      let n = raw.count
      while start < n {
        var end = start
        while end < n && raw[end] != 0x0A { end += 1 }
        var tab = start
        while tab < end && raw[tab] != 0x09 && raw[tab] != 0x0D { tab += 1 }
        if tab > start {
          let code = String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<tab]), as: UTF8.self)
          if !(first && code == "code") { out.append(code) }
        }
        first = false
        start = end + 1
      }
    }
    return out
  }
}
