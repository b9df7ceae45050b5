import ArgumentParser
import MICommandLine
import MICore

/// `mi-clear ledger`: the posted runs, oldest first; `ledger restore RUN` revives a superseded one.
struct Ledger: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "List the runs posted to the clearing ledger; restore a superseded one.",
    discussion: """
      Each effective run is a kind "ledger-run" record: id, run_kind (prepay or
      settle), period, params, tool_version, input_sha256, records (cases in the
      period), posted_at, superseded_by and effective. --all lists the superseded
      runs too. With --lines, the lines of the listed runs follow as kind
      "ledger-line" records (run_id, run_kind, period, pool, fixmedins_code, item,
      amount, effective).

      'mi-clear ledger restore RUN' makes a superseded run effective again (the
      run effective now is superseded by it): a bad rerun is undone without
      running anything again. Flags: 'mi-clear ledger list --help'.

      Example: what was prepaid in 2024, hospital by hospital; then undo a bad
      rerun of March by reviving the run it replaced:
        mi-clear ledger --kind prepay --period 2024 --lines \\
          | jq -c 'select(.kind == "ledger-line")'
        mi-clear ledger --all --period 2024-03
        mi-clear ledger restore 3
      """,
    subcommands: [LedgerList.self, LedgerRestore.self], defaultSubcommand: LedgerList.self)
}

/// `mi-clear ledger [list]`.
struct LedgerList: ParsableCommand {
  /// The command's name and help text.
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the posted runs (the default of 'mi-clear ledger').")

  /// --kind, --period, --all, --lines.
  @OptionGroup var options: LedgerListOptions
  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Runs the command.
  func run() throws { try LedgerCommand.list(tool: "mi-clear", options, common: common) }
}

/// `mi-clear ledger restore RUN`.
struct LedgerRestore: ParsableCommand {
  /// The command's name and help text.
  static let configuration = CommandConfiguration(
    commandName: "restore",
    abstract: "Make a superseded run effective again (the effective run of its period is superseded by it).",
    discussion: """
      Example: run 2 replaced March by mistake; revive run 1:
        mi-clear ledger restore 1
      """)

  /// The run.
  @OptionGroup var arguments: LedgerRestoreArguments
  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Runs the command.
  func run() throws { try LedgerCommand.restore(tool: "mi-clear", id: arguments.run, common: common) }
}
