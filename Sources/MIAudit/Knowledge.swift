import Foundation
import MICore

/// A knowledge-point version loaded into code-keyed indexes (the nine tables of ../shared/reference/audit,
/// README.md there). Matching is exact on the national code (`med_list_codg`).
public final class Knowledge: @unchecked Sendable {
  /// The version name (or directory).
  public let name: String
  public private(set) var sex: [String: SexPoint] = [:]
  public private(set) var age: [String: AgePoint] = [:]
  public private(set) var insutype: [String: InsutypePoint] = [:]
  public private(set) var mdtrt: [String: MdtrtPoint] = [:]
  public private(set) var level: [String: LevelPoint] = [:]
  public private(set) var course: [String: CoursePoint] = [:]
  /// A code's groups (all its rows).
  public private(set) var discount: [String: [DiscountPoint]] = [:]
  /// By 从项 (sub) code: the pairs it is the sub item of.
  public private(set) var duplicateBySub: [String: [DuplicatePoint]] = [:]
  /// The 主项 codes of kp-duplicate.
  public private(set) var duplicateMains: Set<String> = []
  public private(set) var frequency: [String: FrequencyPoint] = [:]
  /// Rows per table.
  public private(set) var rows: [KnowledgeTable: Int] = [:]

  /// An empty knowledge base named `name`.
  public init(name: String) {
    self.name = name
  }

  /// Reads the nine tables from their texts (file name → TSV text); a missing table, a changed header or a bad
  /// value is an error naming the table, line and column. `origin` decides the exit status (usage for files
  /// named on the command line, reference for stored versions).
  public convenience init(name: String, texts: [KnowledgeTable: String], origin: Params.Origin) throws(MIError) {
    self.init(name: name)
    for t in KnowledgeTable.allCases {
      guard let text = texts[t] else {
        throw Knowledge.failure(origin, "\(name): the knowledge points have no \(t.fileName)")
      }
      try Knowledge.rows(of: t, text: text, source: "\(name)/\(t.fileName)", origin: origin) {
        (r: Row) throws(MIError) in
        try self.add(t, r)
      }
    }
  }

  static func failure(_ origin: Params.Origin, _ m: String) -> MIError {
    origin == .file ? .usage(m) : .reference(m)
  }

  /// One data row of a table: its cells by column name, with its position for messages.
  public struct Row {
    public let cells: [String: String]
    public let source: String
    public let line: Int
    let origin: Params.Origin

    /// A cell; "" when empty.
    public subscript(_ c: String) -> String { cells[c] ?? "" }

    /// An error at this row naming the column.
    public func invalid(_ column: String, _ message: String) -> MIError {
      Knowledge.failure(origin, "\(source):\(line): column \"\(column)\": \(message)")
    }

    /// A non-negative integer cell; nil when empty.
    public func int(_ c: String) throws(MIError) -> Int? {
      let v = self[c]
      if v.isEmpty { return nil }
      guard let i = Int(v), i >= 0 else { throw invalid(c, "expected a whole number, found \"\(v)\"") }
      return i
    }

    /// A required non-empty cell.
    public func required(_ c: String) throws(MIError) -> String {
      let v = self[c]
      guard !v.isEmpty else { throw invalid(c, "required") }
      return v
    }
  }

  /// Calls `body` with every data row of a table's TSV text after checking its header.
  public static func rows(
    of table: KnowledgeTable, text: String, source: String, origin: Params.Origin,
    _ body: (Row) throws(MIError) -> Void
  ) throws(MIError) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    guard let head = lines.first else { throw failure(origin, "\(source): empty file, expected a header line") }
    let header = head.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    guard header == table.header else {
      throw failure(
        origin,
        "\(source):1: the header is not that of \(table.fileName): expected \(table.header.joined(separator: ",")), "
          + "found \(header.joined(separator: ","))")
    }
    for (i, line) in lines.enumerated().dropFirst() {
      let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard cells.count == header.count else {
        throw failure(
          origin, "\(source):\(i + 1): expected \(header.count) tab-separated columns, found \(cells.count)")
      }
      var dict: [String: String] = [:]
      for (k, v) in zip(header, cells) { dict[k] = String(v) }
      try body(Row(cells: dict, source: source, line: i + 1, origin: origin))
    }
  }

  /// The common columns of a row.
  static func point(_ r: Row, code column: String = "code", name nameColumn: String = "name") throws(MIError)
    -> KnowledgePoint
  {
    KnowledgePoint(
      kpID: try r.required("kp_id"), gzCode: r["gz_code"].isEmpty ? nil : r["gz_code"], ruleClass: r["rule_class"],
      code: try r.required(column), name: r[nameColumn])
  }

  /// Adds one row to its index, checking the columns its rule reads.
  ///
  /// Longer than ~60 lines on purpose: one case per table, each a few checks of that table's columns as the
  /// README of the tables defines them; split per table, each piece would only forward the row.
  private func add(_ t: KnowledgeTable, _ r: Row) throws(MIError) {
    rows[t, default: 0] += 1
    switch t {
    case .sex:
      let s = r["allowed_sex"]
      guard s == "1" || s == "2" else { throw r.invalid("allowed_sex", "expected 1 or 2, found \"\(s)\"") }
      let p = try Knowledge.point(r)
      sex[p.code] = SexPoint(point: p, allowedSex: s)
    case .age:
      let p = try Knowledge.point(r)
      let g = r["age_group"]
      guard ["child", "infant_toddler", "neonate", "working_age"].contains(g) else {
        throw r.invalid("age_group", "expected child, infant_toddler, neonate or working_age, found \"\(g)\"")
      }
      age[p.code] = AgePoint(
        point: p, group: g, minAge: try r.int("min_age"), maxAge: try r.int("max_age"),
        maxAgeDays: try r.int("max_age_days"))
    case .insutype:
      let a = r["allowed_insurance"]
      guard a == "work_injury" || a == "maternity" else {
        throw r.invalid("allowed_insurance", "expected work_injury or maternity, found \"\(a)\"")
      }
      let p = try Knowledge.point(r)
      insutype[p.code] = InsutypePoint(point: p, allowed: a)
    case .mdtrt:
      let a = r["allowed_mdtrt"]
      let parts = Set(a.split(separator: "|").map(String.init))
      guard !parts.isEmpty, parts.isSubset(of: ["inpatient", "emergency"]) else {
        throw r.invalid("allowed_mdtrt", "expected inpatient or inpatient|emergency, found \"\(a)\"")
      }
      let p = try Knowledge.point(r)
      mdtrt[p.code] = MdtrtPoint(
        point: p, inpatient: parts.contains("inpatient"), emergency: parts.contains("emergency"), allowedText: a)
    case .level:
      guard let m = try r.int("min_level"), (1...3).contains(m) else {
        throw r.invalid("min_level", "expected 1, 2 or 3")
      }
      let applies = r["applies_to"]
      guard applies == "all" || applies == "first_prescription" else {
        throw r.invalid("applies_to", "expected all or first_prescription, found \"\(applies)\"")
      }
      let p = try Knowledge.point(r)
      level[p.code] = LevelPoint(
        point: p, minLevel: m, specialtyMinLevel: try r.int("specialty_min_level"),
        firstPrescriptionOnly: applies == "first_prescription")
    case .course:
      guard let d = try r.int("max_days"), d > 0 else { throw r.invalid("max_days", "expected a number of days") }
      let mode = r["count_mode"]
      guard mode == "days_used" || mode == "span_from_first_use" else {
        throw r.invalid("count_mode", "expected days_used or span_from_first_use, found \"\(mode)\"")
      }
      let p = try Knowledge.point(r)
      course[p.code] = CoursePoint(
        point: p, maxDays: d, spanFromFirstUse: mode == "span_from_first_use",
        perAdmission: r["course_scope"] == "admission", scope: r["course_scope"])
    case .discount:
      let p = try Knowledge.point(r)
      discount[p.code, default: []].append(
        DiscountPoint(point: p, groupID: try r.required("group_id"), groupName: r["group_name"]))
    case .duplicate:
      let w = r["window"]
      guard let window = DuplicateWindow(rawValue: w) else {
        throw r.invalid("window", "expected same-visit, same-day, 6h or 1h, found \"\(w)\"")
      }
      let p = try Knowledge.point(r, code: "sub_code", name: "sub_name")
      let main = try r.required("main_code")
      duplicateBySub[p.code, default: []].append(
        DuplicatePoint(
          point: p, window: window, mainCode: main, mainName: r["main_name"], sourceWindow: r["source_window"]))
      duplicateMains.insert(main)
    case .frequency:
      guard let c = try r.int("max_count"), let pd = try r.int("period_days"), pd > 0 else {
        throw r.invalid("max_count", "expected whole numbers in max_count and period_days")
      }
      let kind = r["period_kind"]
      guard kind == "calendar_day" || kind == "rolling" else {
        throw r.invalid("period_kind", "expected calendar_day or rolling, found \"\(kind)\"")
      }
      let p = try Knowledge.point(r)
      frequency[p.code] = FrequencyPoint(
        point: p, maxCount: Fixed(integer: Int64(c), scale: 4), countUnit: r["count_unit"], periodDays: pd,
        rolling: kind == "rolling")
    }
  }

  /// Reads a directory holding the nine TSV files (../shared/reference/audit, examples/audit/kp-mini).
  public static func read(directory: String, name: String? = nil) throws(MIError) -> Knowledge {
    try Knowledge(name: name ?? directory, texts: try texts(directory: directory), origin: .file)
  }

  /// The texts of the nine files of a directory.
  public static func texts(directory: String) throws(MIError) -> [KnowledgeTable: String] {
    var texts: [KnowledgeTable: String] = [:]
    for t in KnowledgeTable.allCases {
      let path = (directory as NSString).appendingPathComponent(t.fileName)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw MIError.usage("\(path): cannot read the knowledge-point table (\(systemMessage()))")
      }
      guard let text = String(data: data, encoding: .utf8) else { throw MIError.usage("\(path): not UTF-8 text") }
      texts[t] = text
    }
    return texts
  }

  /// Whether `spec` is a directory of knowledge-point tables (rather than a stored version's name).
  public static func isDirectory(_ spec: String) -> Bool {
    var dir: ObjCBool = false
    return FileManager.default.fileExists(atPath: spec, isDirectory: &dir) && dir.boolValue
      && FileManager.default.fileExists(atPath: (spec as NSString).appendingPathComponent("kp-sex.tsv"))
  }

  /// The kind of a stored knowledge-point version.
  public static let kind = "kp"

  /// Loads a stored version (its nine TSV files are kept as blobs).
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> Knowledge {
    let set = try ws.refSet(name, kind: kind)
    var texts: [KnowledgeTable: String] = [:]
    for t in KnowledgeTable.allCases {
      guard let data = try ws.blob(set, t.fileName), let text = String(data: data, encoding: .utf8) else {
        throw MIError.reference("\(ws.path): kp '\(name)' has no \(t.fileName)")
      }
      texts[t] = text
    }
    return try Knowledge(name: name, texts: texts, origin: .workspace)
  }

  /// A directory or a stored version: `--kp DIR|NAME`.
  public static func open(_ spec: String, workspace: () throws(MIError) -> Workspace) throws(MIError) -> Knowledge {
    if isDirectory(spec) { return try read(directory: spec) }
    return try load(try workspace(), name: spec)
  }
}
