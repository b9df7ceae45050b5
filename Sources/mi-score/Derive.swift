import ArgumentParser
import MICommandLine
import MICore

/// `mi-score derive`: derives a DIP catalog or DRG weights from historical cases (replaced by the implementation).
struct Derive: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Derive a DIP catalog or DRG weights from history.")

  /// Runs the derivation.
  func run() throws {
    throw MIError.usage("derive is not available yet")
  }
}
