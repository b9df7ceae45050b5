import ArgumentParser
import MICore

/// A tool with a clearing ledger (`mi-clear`, `mi-capita`): its name and what its ledger and records are called in
/// the help of its `ledger` command.
public protocol LedgerTool {
  /// The tool (`mi-clear`).
  static var tool: String { get }
  /// The ledger in the abstract (`clearing`, `capitation`).
  static var ledger: String { get }
  /// The records a run counts (`cases`, `settlements`).
  static var records: String { get }
  /// The run kinds of its ledger (`prepay`, `settle`; mi-audit's `points`).
  static var kinds: [String] { get }
  /// The example block of the `ledger` help, or nil for the clearing tools' (prepayments by hospital).
  static var example: String? { get }
}

extension LedgerTool {
  /// The clearing tools' run kinds.
  public static var kinds: [String] { ["prepay", "settle"] }
  /// The clearing tools' example.
  public static var example: String? { nil }
}

/// `TOOL ledger`: the posted runs, oldest first; `ledger restore RUN` revives a superseded one.
public struct LedgerCommands<Tool: LedgerTool>: ParsableCommand {
  /// The command's name, help text and subcommands.
  public static var configuration: CommandConfiguration {
    let t = Tool.tool
    let example =
      Tool.example ?? """
        Example: what was prepaid in 2024, hospital by hospital; then undo a bad
        rerun of March by reviving the run it replaced:
          \(t) ledger --kind prepay --period 2024 --lines \\
            | jq -c 'select(.kind == "ledger-line")'
          \(t) ledger --all --period 2024-03
          \(t) ledger restore 3
        """
    return CommandConfiguration(
      commandName: "ledger",
      abstract: "List the runs posted to the \(Tool.ledger) ledger; restore a superseded one.",
      discussion: """
        Each effective run is a kind "ledger-run" record: id, run_kind
        (\(Tool.kinds.joined(separator: " or "))), period, params, tool_version, input_sha256,
        records (\(Tool.records) in the period), posted_at, superseded_by and
        effective. --all lists the superseded runs too. With --lines, the lines
        of the listed runs follow as kind "ledger-line" records (run_id,
        run_kind, period, pool, fixmedins_code, item, amount, effective).

        '\(t) ledger restore RUN' makes a superseded run effective again (the
        run effective now is superseded by it): a bad rerun is undone without
        running anything again. Flags: '\(t) ledger list --help'.

        \(example)
        """,
      subcommands: [LedgerList<Tool>.self, LedgerRestore<Tool>.self], defaultSubcommand: LedgerList<Tool>.self)
  }

  /// Creates the command.
  public init() {}
}

/// `TOOL ledger [list]`.
public struct LedgerList<Tool: LedgerTool>: ParsableCommand {
  /// The command's name and help text.
  public static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "list", abstract: "List the posted runs (the default of '\(Tool.tool) ledger').")
  }

  /// --kind, --period, --all, --lines.
  @OptionGroup var options: LedgerListOptions
  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Creates the command.
  public init() {}

  /// Checks `--kind` against the tool's run kinds.
  public func validate() throws { try options.check(kinds: Tool.kinds) }

  /// Runs the command.
  public func run() throws { try LedgerCommand.list(tool: Tool.tool, options, common: common) }
}

/// `TOOL ledger restore RUN`.
public struct LedgerRestore<Tool: LedgerTool>: ParsableCommand {
  /// The command's name and help text.
  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: "restore",
      abstract: "Make a superseded run effective again (the effective run of its period is superseded by it).",
      discussion: """
        Example: run 2 replaced March by mistake; revive run 1:
          \(Tool.tool) ledger restore 1
        """)
  }

  /// The run.
  @OptionGroup var arguments: LedgerRestoreArguments
  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Creates the command.
  public init() {}

  /// Runs the command.
  public func run() throws { try LedgerCommand.restore(tool: Tool.tool, id: arguments.run, common: common) }
}
