import MICommandLine

/// `mi-clear ledger`: the posted runs of the clearing ledger (`LedgerCommands`).
enum ClearLedger: LedgerTool {
  static let tool = "mi-clear"
  static let ledger = "clearing"
  static let records = "cases"
}
