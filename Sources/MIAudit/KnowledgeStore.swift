import Foundation
import MICore

/// `mi-catalog import kp DIR --name NAME`: the nine knowledge-point tables as one versioned reference set (issue
/// 14). The TSV files are kept as they are (blobs `kp-sex.tsv` …, read back by `Knowledge.load`), and each row is
/// also a code entry keyed by its `kp_id` (name: the item's name; attrs: table, code and the columns its rule
/// reads), so that `mi-catalog diff` lists the knowledge points added, removed and changed between versions.
public enum KnowledgeStore {
  /// `mi-catalog import kp`: stores the tables of `directory` as version `name` (`store`) and reports the
  /// version, the rows per table and the SHA-256 on standard error.
  public static func importVersion(
    directory: String, name: String, replace: Bool, workspace: () throws(MIError) -> Workspace
  ) throws(MIError) {
    let (set, sha, rows) = try store(directory: directory, name: name, replace: replace, workspace: workspace)
    let per = KnowledgeTable.allCases.map { "\($0.rawValue) \(rows[$0] ?? 0)" }.joined(separator: ", ")
    Diagnostics.line(
      "mi-catalog: imported \(set.entries) knowledge points as '\(set.name)' (\(per); sha256 \(sha.prefix(12)))")
  }

  /// Reads and checks a directory's tables, then stores them; returns the set and the SHA-256 of the files.
  public static func store(
    directory: String, name: String, replace: Bool, workspace: () throws(MIError) -> Workspace
  ) throws(MIError) -> (set: RefSet, sha256: String, rows: [KnowledgeTable: Int]) {
    let texts = try Knowledge.texts(directory: directory)
    let knowledge = try Knowledge(name: directory, texts: texts, origin: .file)
    var entries: [CodeEntry] = []
    var digestInput = Data()
    for t in KnowledgeTable.allCases {
      let text = texts[t]!
      digestInput.append(Data("\(t.fileName)\n\(text.utf8.count)\n".utf8))
      digestInput.append(Data(text.utf8))
      try Knowledge.rows(of: t, text: text, source: t.fileName, origin: .file) { (r: Knowledge.Row) throws(MIError) in
        entries.append(entry(t, r))
      }
    }
    let sha = SHA256.hex(digestInput)
    let ws = try workspace()
    let set = try ws.importSet(name: name, kind: Knowledge.kind, source: directory, sha256: sha, replace: replace) {
      db, id in
      for t in KnowledgeTable.allCases {
        try Workspace.insertBlob(db, set: id, name: t.fileName, data: Data(texts[t]!.utf8))
      }
      try Workspace.insertCodes(db, set: id, entries)
      return entries.count
    }
    return (set, sha, knowledge.rows)
  }

  /// The code entry of one row.
  static func entry(_ t: KnowledgeTable, _ r: Knowledge.Row) -> CodeEntry {
    let code = t == .duplicate ? r["sub_code"] : r["code"]
    let name = t == .duplicate ? "\(r["main_name"]) ⊃ \(r["sub_name"])" : r["name"]
    var attrs: [(String, String)] = [("table", t.rawValue), ("code", code)]
    if t == .duplicate { attrs.append(("main_code", r["main_code"])) }
    for c in t.ruleColumns where !r[c].isEmpty { attrs.append((c, r[c])) }
    var json: [UInt8] = [UInt8(ascii: "{")]
    for (i, (k, v)) in attrs.enumerated() {
      if i > 0 { json.append(UInt8(ascii: ",")) }
      JSONWriter.appendString(k, to: &json)
      json.append(UInt8(ascii: ":"))
      JSONWriter.appendString(v, to: &json)
    }
    json.append(UInt8(ascii: "}"))
    return CodeEntry(code: r["kp_id"], name: name, attrs: String(decoding: json, as: UTF8.self))
  }
}

extension RuleSetStore {
  /// `mi-catalog import audit-rules`: opens the knowledge points `kp` (a version, the workspace opened read-only,
  /// or a directory) when given, stores the rule set `file` as version `name` (`store`, the workspace opened for
  /// creation) and reports it on standard error with the number of examples run.
  public static func importVersion(
    file: String, name: String, replace: Bool, kp: String?,
    workspace: (Workspace.Access) throws(MIError) -> Workspace
  ) throws {
    let knowledge = try kp.map { (k: String) throws(MIError) in
      try Knowledge.open(k) { () throws(MIError) in try workspace(.read) }
    }
    let (set, sha, outcomes) = try store(file: file, name: name, replace: replace, knowledge: knowledge) {
      () throws(MIError) in try workspace(.create)
    }
    let examples = outcomes.isEmpty ? "examples not run (no --kp)" : "\(outcomes.count) examples passed"
    Diagnostics.line(
      "mi-catalog: imported \(set.entries) rules as '\(set.name)' (\(examples); sha256 \(sha.prefix(12)))")
  }

  /// `mi-catalog import audit-rules FILE --name NAME`: checks the rule set (it parses, its types are known, every
  /// key is read) and runs its examples when the knowledge points are given or no rule needs them, then stores
  /// the file as it is (comments included) with the directory its relative parameter paths are read from.
  /// Returns the set, the SHA-256 and the example outcomes (the import is refused when one fails).
  public static func store(
    file: String, name: String, replace: Bool, knowledge: Knowledge?, workspace: () throws(MIError) -> Workspace
  ) throws -> (set: RefSet, sha256: String, outcomes: [RuleTester.Outcome]) {
    let ruleSet = try RuleSetStore.file(file)
    guard !ruleSet.rules.isEmpty else { throw MIError.usage("\(file): the rule set has no [[rule]]") }
    let context = RuleContext(knowledge: knowledge, settings: ruleSet.settings)
    var outcomes: [RuleTester.Outcome] = []
    let needsKnowledge = ruleSet.enabled.contains { RuleTester.needsKnowledge($0.type) }
    if knowledge != nil || !needsKnowledge {
      outcomes = try RuleTester.run(ruleSet, context: context)
      let failed = outcomes.filter { !$0.passed }
      if let first = failed.first {
        throw MIError.usage(
          "\(file): \(failed.count) example\(failed.count == 1 ? "" : "s") failed, nothing imported; first: \(first.line)"
        )
      }
    } else {
      // Without the knowledge points the examples cannot run: every rule is still built (the kp-* rules over an
      // empty knowledge base), which checks its type, its keys and their values.
      let empty = RuleContext(knowledge: Knowledge(name: "(none)"), settings: ruleSet.settings)
      for spec in ruleSet.rules { _ = try Registry.build(spec, empty) }
    }
    guard let data = FileManager.default.contents(atPath: file) else { throw MIError.io("\(file): cannot read") }
    let sha = SHA256.hex(data)
    let base = URL(fileURLWithPath: ruleSet.rules.first?.baseDirectory ?? ".").standardizedFileURL.path
    var meta: [UInt8] = []
    var w = JSONWriter()
    w.begin(&meta)
    w.string("base_directory", base, &meta)
    w.end(&meta)
    meta.removeLast()  // the newline of end()
    let ws = try workspace()
    let set = try ws.importSet(
      name: name, kind: kind, source: file, sha256: sha, meta: String(decoding: meta, as: UTF8.self), replace: replace
    ) { db, id in
      try Workspace.insertBlob(db, set: id, name: blobName, data: data)
      return ruleSet.rules.count
    }
    return (set, sha, outcomes)
  }
}
