import MICapitation
import MIClearing
import MICore
import MIGrouping
import MIReport
import MIScoring

/// The imports of `mi-catalog import` once their flags are read: each reads its file, has it checked by the
/// library that will use it, stores it as a new version and reports it on standard error (`mi-catalog: imported
/// …`). `workspace` opens the workspace, creating it when needed.
///
/// This is why MIReference depends on the domain libraries: a params version is checked section by section by
/// the libraries that read it (`ScoringParams`, `ClearingParams`, `CapitationParams`, MIReport's `ReportTargets`), a DIP catalog by MIGrouping
/// and DRG weights by MIScoring. MIReference sits above them all and nothing below imports it, so there is no cycle.
public enum ReferenceImport {
  /// Imports the policy-parameters file `file` (TOML) as version `name`, after `checkParams`.
  public static func params(_ file: String, name: String, replace: Bool, workspace: () throws -> Workspace) throws {
    let (data, text) = try ParamsImport.read(file)
    try checkParams(text: text, name: file)
    let (set, sha) = try ParamsImport.store(data, file: file, name: name, replace: replace, in: try workspace())
    Diagnostics.line("mi-catalog: imported params as '\(set.name)' (sha256 \(sha.prefix(12)))")
  }

  /// Reads every section of a params text through its library's validator, then refuses keys none of them read
  /// (usually a typo that would silently fall back to a default) and a text that sets no key.
  public static func checkParams(text: String, name: String) throws(MIError) {
    let params = try Params(text: text, name: name)
    if params.isEmpty {
      throw MIError.reference("\(name): no parameters (the file sets no key); an empty params version is refused")
    }
    _ = try ScoringParams.load(params)
    _ = try ClearingParams.load(params)
    _ = try CapitationParams.loadIfPresent(params)
    _ = try ReportTargets.load(params, name: name)
    let unknown = params.unusedKeys()
    if let first = unknown.first {
      let more = unknown.count > 1 ? " (also unknown: \(unknown.dropFirst().joined(separator: ", ")))" : ""
      throw params.invalid(first, "unknown key: no tool reads it\(more)")
    }
  }

  /// Imports code entries read from `file` as version `name` of `kind` (`CodeImport.store`); `detail` ends the
  /// report line.
  public static func codes(
    _ entries: [CodeEntry], kind: String, file: String, name: String, replace: Bool, meta: String = "{}",
    detail: String = "", workspace: () throws -> Workspace
  ) throws {
    let (set, sha) = try CodeImport.store(
      entries, kind: kind, file: file, name: name, replace: replace, meta: meta, workspace: workspace)
    Diagnostics.line(
      "mi-catalog: imported \(set.entries) \(kind) entries as '\(set.name)' (sha256 \(sha.prefix(12)))\(detail)")
  }

  /// Imports the code table `file` as version `name` of `kind`, read in its kind's shape: `dict` the platform's
  /// three columns (`CodeTable.readDict`), `hospitals` the registry (`HospitalRegistry.readTable`), any other kind
  /// (`dx`, `proc`) two columns, code and name (`CodeTable.readTable`). The header's names, when the file spells
  /// them otherwise than the canonical names, are kept in the version's meta for `mi-catalog export`.
  public static func table(
    _ file: String, kind: String, format: TableFormat, name: String, replace: Bool, workspace: () throws -> Workspace
  ) throws {
    let entries: [CodeEntry]
    var columns: [String]?
    switch kind {
    // A dictionary's header (dic_type_code, val_code, val_name) does not name the exported columns (code is
    // TYPE:CODE), so it is not kept.
    case "dict": entries = try CodeTable.readDict(file, format: format)
    case "hospitals": (entries, columns) = try HospitalRegistry.readTable(file, format: format)
    default: (entries, columns) = try CodeTable.readTable(file, format: format)
    }
    // A header spelled as the canonical names keeps no meta, so such a version exports as it always has (the
    // header code, name, attributes); a bureau's own spelling (`FIXMEDINS_CODE`, `诊断名称`) is kept for export.
    let canonical = kind == "hospitals" ? HospitalRegistry.columns : ["code", "name"]
    if columns == canonical { columns = nil }
    try codes(
      entries, kind: kind, file: file, name: name, replace: replace, meta: CodeExport.columnsMeta(columns),
      workspace: workspace)
  }

  /// Imports the operation-class dictionary `file` as version `name`, the report naming the entries per class.
  public static func procClass(_ file: String, name: String, replace: Bool, workspace: () throws -> Workspace) throws {
    let (entries, table) = try ProcClassTable.readTableCounting(file)
    let perClass = table.countsByRawClass.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    try codes(
      entries, kind: ProcClassTable.kind, file: file, name: name, replace: replace,
      detail: perClass.isEmpty ? "" : ": \(perClass)", workspace: workspace)
  }

  /// Imports the DRG scheme directory `dir` as version `name` (`DRGSchemeStore.importScheme`) and reports its size.
  public static func drgScheme(_ dir: String, name: String, replace: Bool, workspace: () throws -> Workspace) throws {
    let r = try DRGSchemeStore.importScheme(try workspace(), dir: dir, name: name, replace: replace)
    Diagnostics.line(
      "mi-catalog: imported drg-scheme '\(r.set.name)': \(r.mdcs) MDCs, \(r.rules) ADRG rules, \(r.drgs) DRGs"
        + " (sha256 \(r.set.sha256.prefix(12)))")
  }

  /// Imports the DIP catalog `file` (NDJSON, CSV or TSV; `scale` for a table) as version `name`, carrying the
  /// operation-class version `procClass` when given; warns when comprehensive groups have no operation classes.
  public static func dip(
    _ file: String, name: String, replace: Bool, scale: Int64, procClass: String?, workspace: () throws -> Workspace
  ) throws {
    let ws = try workspace()
    let classes = try procClass.map { try ProcClassTable.load(ws, name: $0) } ?? ProcClassTable()
    let catalog = try DIPCatalogReader.read(file, name: name, defaultScale: scale, procClasses: classes)
    let sha = try SHA256.hex(file: file)
    let set = try catalog.store(in: ws, source: file, sha256: sha, replace: replace)
    let comp = catalog.groups.filter { $0.kind == .comprehensive }.count
    if comp > 0 && classes.isEmpty {
      Diagnostics.warning("no --proc-class: comprehensive groups will take every operated case as 内科诊疗")
    }
    Diagnostics.line(
      "mi-catalog: imported \(catalog.groups.count) DIP groups (\(comp) comprehensive), \(catalog.aux.count) auxiliary "
        + "entries, scale ×\(catalog.scale) as '\(set.name)' (sha256 \(sha.prefix(12)))")
  }

  /// Imports a bureau's DRG weight table `file` as version `name`; a file without weights is refused.
  public static func drgWeights(_ file: String, name: String, replace: Bool, workspace: () throws -> Workspace) throws {
    let weights = try DRGWeights.read(file)
    guard !weights.entries.isEmpty else { throw MIError.data(file: file, line: 1, field: nil, message: "no weights") }
    let sha = try SHA256.hex(file: file)
    let set = try weights.store(in: try workspace(), name: name, source: file, sha256: sha, replace: replace)
    Diagnostics.line("mi-catalog: imported \(set.entries) DRG weights as '\(set.name)' (sha256 \(sha.prefix(12)))")
  }
}
