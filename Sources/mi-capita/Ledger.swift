import MICommandLine

/// `mi-capita ledger`: the posted runs of the capitation ledger (`LedgerCommands`).
enum CapitaLedger: LedgerTool {
  static let tool = "mi-capita"
  static let ledger = "capitation"
  static let records = "settlements"
}
