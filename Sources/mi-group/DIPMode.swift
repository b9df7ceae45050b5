import MICommandLine
import MICore

/// Groups cases into DIP 病种 with the catalog `catalog` (issue 3; replaced by the DIP implementation).
func runDIPGrouping(catalog: String, inputs: [String], common: CommonOptions, explain: Bool) throws {
  throw MIError.usage("--dip is not available yet")
}
