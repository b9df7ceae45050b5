import Foundation
import MICore

/// Reading and writing DIP catalogs: the review NDJSON (`kind: "catalog-entry"`), a bureau's CSV/TSV table, and
/// the workspace version (kind `dip`).
///
/// NDJSON entries (one per line, `"catalog":"dip"`):
/// - `entry: "version"`: `scale` (1000, 100 or 1) and informative derivation settings;
/// - `entry: "group"`: `dip_code`, `dip_name`, `dip_kind`, `dx_key`, `oprn_expr`, `oprn_class`, `score`, and the
///   informative `case_cnt`, `mean_amt`, `cv`, `basic_candidate`;
/// - `entry: "aux"`: `aux_code`, `aux_name`, `aux_type`, `groups`, `min_age_days`, `max_age_days`,
///   `min_icu_days`, `max_icu_days`, `min_cci`, `max_cci`, `sec_dx`, `dscg_way`, `min_los`, `coef`;
/// - `entry: "hosp-coef"`: `hosp_lv`, `coef`.
public struct DIPCatalogReader {
  /// The scale from the version entry, if one was read.
  public private(set) var scale: Int64?
  /// Groups read.
  public private(set) var groups: [DIPGroup] = []
  /// Auxiliary entries read.
  public private(set) var aux: [DIPAux] = []
  /// Hospital-level coefficients read.
  public private(set) var hospitalCoefs: [String: Int64] = [:]
  /// Informative members of the version entry.
  public private(set) var versionInfo: [(String, String)] = []

  /// Creates an empty reader.
  public init() {}

  /// Adds one catalog-entry record.
  public mutating func add(_ s: RecordScanner) throws(FieldError) {
    if let k = try s.string("kind"), k != "catalog-entry" {
      throw FieldError("kind", "expected \"catalog-entry\", found \"\(k)\"")
    }
    if let c = try s.string("catalog"), c != "dip" { throw FieldError("catalog", "expected \"dip\", found \"\(c)\"") }
    switch try s.string("entry") ?? "group" {
    case "version":
      guard let sc = try s.int("scale"), DIPCatalog.scales.contains(sc) else {
        throw FieldError("scale", "expected 1000, 100 or 1")
      }
      scale = sc
      let skip: Set<String> = ["kind", "catalog", "entry", "scale"]
      for i in 0..<s.members.count where !skip.contains(s.key(i)) {
        versionInfo.append((s.key(i), String(decoding: s.rawValue(i), as: UTF8.self)))
      }
    case "group": groups.append(try DIPCatalogReader.group(s))
    case "aux": aux.append(try DIPCatalogReader.auxEntry(s))
    case "hosp-coef":
      guard let lv = try s.code("hosp_lv") else { throw FieldError("hosp_lv", "missing hospital level") }
      hospitalCoefs[lv] = try DIPCatalogReader.coef(s, "coef")
    case let other: throw FieldError("entry", "expected version, group, aux or hosp-coef, found \"\(other)\"")
    }
  }

  /// Adds a group read from a table.
  public mutating func addGroup(_ g: DIPGroup) {
    groups.append(g)
  }

  /// The catalog read, checked.
  public func catalog(name: String, defaultScale: Int64 = 1000, procClasses: ProcClassTable) throws(MIError)
    -> DIPCatalog
  {
    let c = DIPCatalog(
      name: name, scale: scale ?? defaultScale, groups: groups, aux: aux, hospitalCoefs: hospitalCoefs,
      procClasses: procClasses, versionInfo: versionInfo)
    try c.validate()
    return c
  }

  private static func coef(_ s: RecordScanner, _ key: String) throws(FieldError) -> Int64 {
    guard let v = try s.fixed(key, scale: 4) else { throw FieldError(key, "missing coefficient") }
    guard v > 0 else { throw FieldError(key, "coefficient must be positive") }
    return v
  }

  /// One group from an NDJSON entry or a table row mapped to the same member names.
  static func group(_ s: RecordScanner) throws(FieldError) -> DIPGroup {
    guard let code = try s.code("dip_code") else { throw FieldError("dip_code", "missing group code") }
    let kindText = try s.string("dip_kind") ?? ""
    guard let kind = DIPKind(rawValue: kindText) else {
      throw FieldError("dip_kind", "expected core, comprehensive or basic, found \"\(kindText)\"")
    }
    guard let score = try s.fixed("score", scale: 4) else { throw FieldError("score", "missing 分值") }
    guard score >= 0 else { throw FieldError("score", "分值 must not be negative") }
    let key = try s.code("dx_key") ?? ""
    var g = DIPGroup(code: code, name: try s.string("dip_name") ?? "", kind: kind, dxKey: key, score: score)
    if kind == .comprehensive {
      guard DIPCodes.isCategoryKey(key) else {
        throw FieldError("dx_key", "a comprehensive group needs a 3-character 类目 key, found \"\(key)\"")
      }
      let cls = try s.string("oprn_class") ?? ""
      guard let oc = OperationClass(parsing: cls) else {
        throw FieldError("oprn_class", "expected 相关手术, 治疗性操作, 诊断性操作 or 内科诊疗, found \"\(cls)\"")
      }
      g.opClass = oc
      if let e = try s.string("oprn_expr"), !e.trimmingSpaces.isEmpty {
        throw FieldError("oprn_expr", "a comprehensive group has an operation class, not an expression")
      }
    } else {
      guard DIPCodes.isSubcategoryKey(key) else {
        throw FieldError("dx_key", "a \(kind.rawValue) group needs a 4-character 亚目 key (K35.8), found \"\(key)\"")
      }
      g.expression = try OperationExpression(parsing: try s.string("oprn_expr") ?? "")
    }
    g.caseCount = try s.int("case_cnt")
    g.meanFen = try s.fen("mean_amt")
    g.cv = try s.fixed("cv", scale: 4)
    g.basicCandidate = try s.bool("basic_candidate") ?? false
    return g
  }

  /// One auxiliary entry; a definition for `mi-score derive --aux` may leave out `coef` (`requireCoef` false).
  public static func auxEntry(_ s: RecordScanner, requireCoef: Bool = true) throws(FieldError) -> DIPAux {
    guard let code = try s.code("aux_code") else { throw FieldError("aux_code", "missing auxiliary entry code") }
    let type = try s.string("aux_type") ?? ""
    guard DIPAux.types.contains(type) else {
      throw FieldError("aux_type", "expected one of \(DIPAux.types.joined(separator: ", ")), found \"\(type)\"")
    }
    let c = !requireCoef && !s.has("coef") ? 10_000 : try coef(s, "coef")
    var a = DIPAux(code: code, name: try s.string("aux_name") ?? "", type: type, coef: c)
    a.groups = try s.strings("groups") ?? []
    a.minAgeDays = try s.int("min_age_days")
    a.maxAgeDays = try s.int("max_age_days")
    a.minICUDays = try s.int("min_icu_days")
    a.maxICUDays = try s.int("max_icu_days")
    a.minCCI = try s.int("min_cci")
    a.maxCCI = try s.int("max_cci")
    a.secondaryDx = try s.strings("sec_dx") ?? []
    a.dischargeWays = try s.strings("dscg_way") ?? []
    a.minLOS = try s.int("min_los")
    let hasCondition =
      a.minAgeDays != nil || a.maxAgeDays != nil || a.minICUDays != nil || a.maxICUDays != nil || a.minCCI != nil
      || a.maxCCI != nil || !a.secondaryDx.isEmpty || !a.dischargeWays.isEmpty
    guard hasCondition else { throw FieldError("aux_code", "auxiliary entry '\(code)' has no condition") }
    return a
  }

  /// Reads auxiliary definitions (NDJSON, one aux entry per line, `coef` optional) for `mi-score derive --aux`.
  public static func readAuxDefinitions(_ path: String) throws(MIError) -> [DIPAux] {
    var out: [DIPAux] = []
    var seen = Set<String>()
    try SideFile.forEachRecord(path) { (s, _) throws(FieldError) in
      if let e = try s.string("entry"), e != "aux" { throw FieldError("entry", "expected \"aux\", found \"\(e)\"") }
      let a = try auxEntry(s, requireCoef: false)
      guard seen.insert(a.code).inserted else { throw FieldError("aux_code", "duplicate code '\(a.code)'") }
      out.append(a)
    }
    return out
  }

  /// The columns of a bureau's catalog table (CSV or TSV with a header row, any order).
  public static let tableColumns = ["dip_code", "dip_name", "dip_kind", "dx_key", "oprn_expr", "oprn_class", "score"]

  /// Reads a catalog table: a header row naming `tableColumns` (`dip_name`, `oprn_expr`, `oprn_class` may be
  /// absent) and one group per row. Errors name the file, line and column.
  public static func readTable(_ path: String) throws(MIError) -> [DIPGroup] {
    let table = try TableReader(path: path)
    guard let header = try table.nextRow() else {
      throw MIError.data(file: path, line: 1, field: nil, message: "empty file")
    }
    var index: [String: Int] = [:]
    for (i, h) in header.enumerated() { index[h.trimmingSpaces.lowercased()] = i }
    for c in ["dip_code", "dip_kind", "dx_key", "score"] where index[c] == nil {
      throw table.error(c, "missing column (the header must name dip_code, dip_kind, dx_key and score)")
    }
    var out: [DIPGroup] = []
    let scanner = RecordScanner()
    while let row = try table.nextRow() {
      // Each row becomes a small JSON object so that rows and NDJSON entries share one validated parser.
      var w = JSONWriter()
      var line: [UInt8] = []
      w.begin(&line)
      for c in tableColumns {
        guard let i = index[c], i < row.count else { continue }
        let v = row[i].trimmingSpaces
        if v.isEmpty { continue }
        w.key(c, &line)
        JSONWriter.appendString(v, to: &line)
      }
      w.end(&line)
      do {
        out.append(try withScanned(scanner, line) { (s) throws(FieldError) in try group(s) })
      } catch {
        throw table.error(error.field, error.message)
      }
    }
    return out
  }
}

extension DIPCatalog {
  /// The review NDJSON: a version entry, then groups, auxiliary entries and hospital coefficients, each sorted by
  /// code, one `kind: "catalog-entry"` object per line (the same text for the same catalog, byte for byte).
  public func entryLines() -> [[UInt8]] {
    var lines: [[UInt8]] = [versionLine()]
    for g in groups { lines.append(DIPCatalog.line(g)) }
    for a in aux { lines.append(DIPCatalog.line(a)) }
    for lv in hospitalCoefs.keys.sorted() {
      var b: [UInt8] = []
      var w = DIPCatalog.start(&b, "hosp-coef")
      w.string("hosp_lv", lv, &b)
      w.fixed("coef", hospitalCoefs[lv]!, scale: 4, &b)
      w.end(&b)
      lines.append(b)
    }
    return lines
  }

  private static func start(_ b: inout [UInt8], _ entry: String) -> JSONWriter {
    var w = JSONWriter()
    w.begin(&b)
    w.string("kind", "catalog-entry", &b)
    w.string("catalog", "dip", &b)
    w.string("entry", entry, &b)
    return w
  }

  /// The version entry line.
  public func versionLine() -> [UInt8] {
    var b: [UInt8] = []
    var w = DIPCatalog.start(&b, "version")
    w.int("scale", scale, &b)
    for (k, v) in versionInfo {
      w.key(k, &b)
      b.append(contentsOf: v.utf8)
    }
    w.end(&b)
    return b
  }

  static func line(_ g: DIPGroup) -> [UInt8] {
    var b: [UInt8] = []
    var w = start(&b, "group")
    w.string("dip_code", g.code, &b)
    w.string("dip_name", g.name, &b)
    w.string("dip_kind", g.kind.rawValue, &b)
    w.string("dx_key", g.dxKey, &b)
    if g.kind == .comprehensive {
      w.string("oprn_class", g.opClass?.rawValue, &b)
    } else {
      w.string("oprn_expr", g.expression.text, &b)
    }
    w.fixed("score", g.score, scale: 4, &b)
    if let n = g.caseCount { w.int("case_cnt", n, &b) }
    if let m = g.meanFen { w.fen("mean_amt", m, &b) }
    if let cv = g.cv { w.fixed("cv", cv, scale: 4, &b) }
    if g.basicCandidate { w.bool("basic_candidate", true, &b) }
    w.end(&b)
    return b
  }

  static func line(_ a: DIPAux) -> [UInt8] {
    var b: [UInt8] = []
    var w = start(&b, "aux")
    w.string("aux_code", a.code, &b)
    w.string("aux_name", a.name, &b)
    w.string("aux_type", a.type, &b)
    w.strings("groups", a.groups, &b)
    if let v = a.minAgeDays { w.int("min_age_days", v, &b) }
    if let v = a.maxAgeDays { w.int("max_age_days", v, &b) }
    if let v = a.minICUDays { w.int("min_icu_days", v, &b) }
    if let v = a.maxICUDays { w.int("max_icu_days", v, &b) }
    if let v = a.minCCI { w.int("min_cci", v, &b) }
    if let v = a.maxCCI { w.int("max_cci", v, &b) }
    if !a.secondaryDx.isEmpty { w.strings("sec_dx", a.secondaryDx, &b) }
    if !a.dischargeWays.isEmpty { w.strings("dscg_way", a.dischargeWays, &b) }
    if let v = a.minLOS { w.int("min_los", v, &b) }
    w.fixed("coef", a.coef, scale: 4, &b)
    w.end(&b)
    return b
  }

  /// Code entries for the workspace: groups by their code, auxiliary entries as `aux:CODE`, hospital
  /// coefficients as `hosp-coef:LV`; each entry's attrs is its review line (without the newline).
  public func codeEntries() -> [CodeEntry] {
    var out: [CodeEntry] = []
    func text(_ b: [UInt8]) -> String { String(decoding: b.dropLast(), as: UTF8.self) }
    for g in groups { out.append(CodeEntry(code: g.code, name: g.name, attrs: text(DIPCatalog.line(g)))) }
    for a in aux { out.append(CodeEntry(code: "aux:" + a.code, name: a.name, attrs: text(DIPCatalog.line(a)))) }
    var lines = entryLines()
    lines.removeFirst(1 + groups.count + aux.count)
    for (lv, l) in zip(hospitalCoefs.keys.sorted(), lines) {
      out.append(CodeEntry(code: "hosp-coef:" + lv, name: "医疗机构调节系数 \(lv)", attrs: text(l)))
    }
    return out
  }

  /// The workspace kind of DIP catalog versions.
  public static let kind = "dip"
  /// The blob holding the operation-class dictionary of a version.
  public static let procClassBlob = "proc-class.tsv"

  /// Stores the catalog as a new version `name` of kind `dip` (one transaction); returns the set.
  @discardableResult
  public func store(in ws: Workspace, source: String, sha256: String, replace: Bool) throws(MIError) -> RefSet {
    try validate()
    let entries = codeEntries()
    let meta = String(decoding: versionLine().dropLast(), as: UTF8.self)
    let blob = Data(procClasses.tsv.utf8)
    return try ws.importSet(
      name: name, kind: DIPCatalog.kind, source: source, sha256: sha256, meta: meta, replace: replace
    ) {
      db, id in
      try Workspace.insertCodes(db, set: id, entries)
      try Workspace.insertBlob(db, set: id, name: DIPCatalog.procClassBlob, data: blob)
      return entries.count
    }
  }

  /// Loads version `name` (kind `dip`) from the workspace.
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> DIPCatalog {
    let set = try ws.refSet(name, kind: kind)
    var reader = DIPCatalogReader()
    let scanner = RecordScanner()
    func feed(_ text: String, _ what: String) throws(MIError) {
      do {
        try withScanned(scanner, Array(text.utf8)) { (s) throws(FieldError) in try reader.add(s) }
      } catch {
        throw MIError.reference("\(ws.path): catalog '\(name)' \(what): \(error.message)")
      }
    }
    try feed(set.meta, "version")
    for c in try ws.codes(set) {
      guard let attrs = c.attrs else {
        throw MIError.reference("\(ws.path): catalog '\(name)' entry \(c.code) has no attrs")
      }
      try feed(attrs, "entry \(c.code)")
    }
    let blob = try ws.blob(set, procClassBlob) ?? Data()
    let table = try ProcClassTable(tsv: String(decoding: blob, as: UTF8.self))
    return try reader.catalog(name: name, procClasses: table)
  }
}

extension ProcClassTable {
  /// The workspace kind of procedure-class dictionaries.
  public static let kind = "proc-class"

  /// Loads a `proc-class` version from the workspace (codes whose attrs carry `class`).
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> ProcClassTable {
    let set = try ws.refSet(name, kind: kind)
    var t = ProcClassTable()
    let scanner = RecordScanner()
    for c in try ws.codes(set) {
      let cls: String? = try? withScanned(scanner, Array((c.attrs ?? "{}").utf8)) { (s) throws(FieldError) in
        try s.string("class")
      }
      guard let cls, t.add(code: c.code, rawClass: cls) else {
        throw MIError.reference("\(ws.path): proc-class '\(name)' entry \(c.code) has no valid class")
      }
    }
    return t
  }

  /// Reads a procedure-class dictionary table: `code<TAB>class[<TAB>name]` (CSV for `.csv`), with or without a
  /// header row starting `code`. Classes: 手术, 介入, 治疗性操作, 诊断性操作 (内科诊疗 also accepted). Codes of any
  /// length are entries (`29` classes every `29.…` code not listed more precisely).
  public static func readTable(_ path: String) throws(MIError) -> [CodeEntry] {
    try readTableCounting(path).entries
  }

  /// `readTable`, with the table the entries make (for the import's per-class counts).
  public static func readTableCounting(_ path: String) throws(MIError) -> (entries: [CodeEntry], table: ProcClassTable)
  {
    let table = try TableReader(path: path)
    var out: [CodeEntry] = []
    var seen: [String: Int] = [:]
    var probe = ProcClassTable()
    while let row = try table.nextRow() {
      if table.lineNumber == 1 && row.first?.trimmingSpaces.lowercased() == "code" { continue }
      guard row.count >= 2 else {
        throw table.error("class", "expected code, class[, name], found \(row.count) column")
      }
      let code = row[0].trimmingSpaces
      let cls = row[1].trimmingSpaces
      guard !code.isEmpty else { throw table.error("code", "empty code") }
      if let first = seen[code] { throw table.error("code", "duplicate code '\(code)' (first on line \(first))") }
      seen[code] = table.lineNumber
      guard probe.add(code: code, rawClass: cls) else {
        throw table.error("class", "expected 手术, 介入, 治疗性操作 or 诊断性操作, found '\(cls)'")
      }
      var attrs: [UInt8] = []
      var w = JSONWriter()
      w.begin(&attrs)
      w.string("class", cls, &attrs)
      attrs.append(UInt8(ascii: "}"))
      out.append(
        CodeEntry(
          code: code, name: row.count > 2 ? row[2].trimmingSpaces : "", attrs: String(decoding: attrs, as: UTF8.self)))
    }
    return (out, probe)
  }
}

/// Scans `bytes` as one JSON object and runs `body` on it while the bytes are alive.
///
/// The closure passed to `withUnsafeBytes` does not throw: typed throws through it crash the 6.3 compiler
/// (IRGen "SmallVector unable to grow"), so the error is carried out by hand.
public func withScanned<T>(
  _ scanner: RecordScanner, _ bytes: [UInt8], _ body: (RecordScanner) throws(FieldError) -> T
) throws(FieldError) -> T {
  var result: Result<T, FieldError>?
  bytes.withUnsafeBytes { b in
    do {
      try scanner.parse(b)
      result = .success(try body(scanner))
    } catch let e as FieldError {
      result = .failure(e)
    } catch {
      result = .failure(FieldError(nil, "\(error)"))
    }
  }
  switch result! {
  case .success(let v): return v
  case .failure(let e): throw e
  }
}
