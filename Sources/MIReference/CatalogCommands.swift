import MICore
import MIGrouping

/// The subcommands of `mi-catalog` that read the workspace (`init`, `list`, `show`, `export`, `diff`) once
/// ArgumentParser has read their flags, and the check of the table flags of the imports: the executable only
/// declares the flags and calls these (README, "Adding a tool": executables stay thin). `workspace` opens the
/// workspace database the shared `--db` names; `output` is `-o` (nil: standard output).
public enum CatalogCommands {
  /// `mi-catalog init`: creates or migrates the workspace and says so on standard error.
  public static func initialize(workspace: () throws -> Workspace) throws {
    let ws = try workspace()
    Diagnostics.line("mi-catalog: workspace \(ws.path) ready (schema version \(Workspace.schemaVersion))")
  }

  /// `mi-catalog list`: the versions (of `kind` when given) as `RefSetText.list` writes them.
  public static func list(kind: String?, output: String?, workspace: () throws -> Workspace) throws {
    let ws = try workspace()
    let out = try OutputFile(path: output)
    for line in try RefSetText.list(ws, kind: kind) { try out.write(line + "\n") }
    try out.finish()
  }

  /// `mi-catalog show NAME`: one version's facts (`RefSetText.show`).
  public static func show(_ name: String, output: String?, workspace: () throws -> Workspace) throws {
    let ws = try workspace()
    let s = try ws.refSet(name)
    let out = try OutputFile(path: output)
    try out.write(try RefSetText.show(ws, s))
    try out.finish()
  }

  /// `mi-catalog export NAME`: a version's content (`RefSetText.export`; `file`: which kept file).
  public static func export(_ name: String, file: String?, output: String?, workspace: () throws -> Workspace) throws {
    let ws = try workspace()
    let s = try ws.refSet(name)
    let out = try OutputFile(path: output)
    out.buffer.append(contentsOf: try RefSetText.export(ws, s, file: file))
    try out.finish()
  }

  /// `mi-catalog diff OLD NEW`: the changes between two versions of one kind, one line each (`ReferenceDiff` for
  /// the kinds it knows, else `CodeDiff` over the code entries), and a summary line on standard error.
  public static func diff(_ old: String, _ new: String, output: String?, workspace: () throws -> Workspace) throws {
    let ws = try workspace()
    let a = try ws.refSet(old)
    let b = try ws.refSet(new)
    guard a.kind == b.kind else {
      throw MIError.usage("'\(old)' is a \(a.kind) set and '\(new)' a \(b.kind) set: only versions of one kind compare")
    }
    let out = try OutputFile(path: output)
    let lines = try ReferenceDiff.lines(ws, a, b) ?? CodeDiff.lines(try ws.codes(a), try ws.codes(b))
    for line in lines { try out.write(line + "\n") }
    try out.finish()
    Diagnostics.line("mi-catalog: \(old) → \(new): \(CodeDiff.summary(lines))")
  }

  /// The table format of the imports' `--delimiter` (one ASCII character, or `tab`; nil: by the file name) and
  /// `--encoding` (auto, utf-8 or gb18030, in any case), or what is wrong with them.
  public static func tableFormat(delimiter: String?, encoding: String) -> Result<TableFormat, MIError> {
    guard let enc = TableEncoding(rawValue: encoding.lowercased()) else {
      return .failure(.usage("--encoding must be auto, utf-8 or gb18030"))
    }
    if let d = delimiter, d != "tab", d.utf8.count != 1 {
      return .failure(.usage("--delimiter must be one ASCII character, or 'tab'"))
    }
    return .success(TableFormat(delimiter: delimiter.map { $0 == "tab" ? 0x09 : $0.utf8.first! }, encoding: enc))
  }
}
