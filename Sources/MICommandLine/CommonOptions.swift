import ArgumentParser
import Foundation
import MICore

/// The language of human-facing labels: the bureau's own Chinese terms by default, English on request.
public enum Language: String, ExpressibleByArgument, CaseIterable, Sendable {
  /// 中文 (default).
  case zh
  /// English.
  case en
}

/// The flags every mi-tool shares (DESIGN.md §1): output, rejects, database, progress, language.
public struct CommonOptions: ParsableArguments {
  /// `-o FILE`.
  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("Write output to FILE (a temporary file renamed at the end).", valueName: "file"))
  public var output: String?

  /// `--rejects FILE`.
  @Option(
    help: ArgumentHelp("Write bad records to FILE, each with a reject_reason field, and go on.", valueName: "file"))
  public var rejects: String?

  /// `--db PATH`.
  @Option(help: ArgumentHelp("Workspace database (default: $MI_DB, else ./mi.db).", valueName: "path"))
  public var db: String?

  /// `--progress`.
  @Flag(help: "Show progress on standard error even when it is not a terminal.")
  public var progress = false

  /// `--lang`.
  @Option(help: ArgumentHelp("Language of labels in reports: zh or en.", valueName: "lang"))
  public var lang: Language = .zh

  /// `--assume-filename NAME`.
  @Option(help: ArgumentHelp("Name standard input NAME in messages.", valueName: "name"))
  public var assumeFilename: String?

  /// Creates the defaults.
  public init() {}

  /// The stream options these flags give.
  public var stream: StreamOptions {
    StreamOptions(output: output, rejects: rejects, progress: progress, assumeFilename: assumeFilename)
  }

  /// Opens the workspace database these flags name: read-only for a command that only reads (`.read`), so that a
  /// read-only file reads and no write lock is taken; `.write` migrates an older schema; `.create` also creates.
  public func workspace(_ access: Workspace.Access) throws(MIError) -> Workspace {
    try Workspace.open(db, access: access)
  }

  /// The params named by `--params`: a `.toml` file that exists is read directly (to try a file before importing
  /// it), anything else is a params version in the workspace. The workspace is opened when the version lives there
  /// or when `needsWorkspace` (for the ledger), for writing when `write` (a ledger post), else read-only; otherwise
  /// it is nil.
  public func params(_ spec: String, needsWorkspace: Bool, write: Bool = false) throws(MIError) -> (
    Params, Workspace?
  ) {
    let access: Workspace.Access = write ? .write : .read
    if let fromFile = try Params.file(spec) {
      return (fromFile, needsWorkspace || write ? try workspace(access) : nil)
    }
    let ws = try workspace(access)
    return (try Params.load(ws, name: spec), ws)
  }
}

/// The shared entry point: parse, run, and turn every outcome into the exit statuses of DESIGN.md §4.
///
/// Usage errors exit 2 (not argument-parser's 64) with "Try 'TOOL --help'"; `MIError`s exit with their own
/// status after one message; a closed output pipe exits 0 quietly.
public enum Entry {
  /// Runs the root command `Root` with the process's arguments and exits.
  public static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
    Diagnostics.tool = Root.configuration.commandName ?? "mi"
    ignoreSIGPIPE()
    do {
      var command = try Root.parseAsRoot(arguments)
      try command.run()
      exit(0)
    } catch let e as MIError {
      Diagnostics.error(e)
      exit(e.exitCode)
    } catch let e as FieldError {
      Diagnostics.error(e.at("-", 0))
      exit(1)
    } catch {
      let code = Root.exitCode(for: error)
      if code == .success {
        let text = Root.fullMessage(for: error)
        var out = try? OutputFile(path: nil)
        try? out?.write(text + "\n")
        try? out?.finish()
        out = nil
        exit(0)
      }
      if code == .validationFailure || code.rawValue == 64 {
        Diagnostics.usage(Root.message(for: error))
        exit(2)
      }
      if error is CleanExit { exit(0) }
      Diagnostics.line("\(Diagnostics.tool): \(Root.message(for: error))")
      exit(code.rawValue == 0 ? 0 : 4)
    }
  }
}

/// `--threads N`, one meaning in every tool that has it (mi-group, mi-score, mi-capita): N workers handle the
/// records, and the output is the same bytes for any N. 0 (the default) means one per processor, at most 8; 1 reads
/// in one loop. mi-capita splits only large plain files (its man page says when).
public struct ThreadOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Workers handling records (default 0: one per processor, at most 8; 1: one loop); output is the same for any count.",
      valueName: "n"))
  public var threads = 0

  public init() {}

  public func validate() throws {
    if threads < 0 { throw ValidationError("--threads must be 0 (one per processor) or more") }
  }

  /// The number of workers to run.
  public var count: Int { threads > 0 ? threads : min(ProcessInfo.processInfo.activeProcessorCount, 8) }
}

/// The rule for the name of a new reference-data version (`--name` of `mi-catalog import`, `--import` of
/// `mi-score derive`): not empty, and without white space, `/` or control characters, since the name is printed
/// in lists, summaries and output records (`group_scheme`) and a control character would reach a terminal.
public enum VersionName {
  /// Throws a usage error naming `flag` when `name` breaks the rule.
  public static func validate(_ name: String, flag: String) throws {
    let bad = name.unicodeScalars.contains {
      $0.properties.isWhitespace || $0 == "/" || $0.properties.generalCategory == .control
        || $0.properties.generalCategory == .format
    }
    guard !name.isEmpty, !bad else {
      throw ValidationError("\(flag) must be a non-empty name without spaces, '/' or control characters")
    }
  }
}
