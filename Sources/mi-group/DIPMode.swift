import MICommandLine
import MICore
import MIGrouping

/// Groups cases into DIP 病种 with the catalog version `catalog` (`mi-group --dip NAME`).
///
/// A stream filter: each case is enriched and written in input order, memory stays flat. The summary line
/// reports 入组率 = grouped / written.
func runDIPGrouping(catalog: String, inputs: [String], common: CommonOptions, explain: Bool) throws {
  let ws = try common.workspace()
  let cat = try DIPCatalog.load(ws, name: catalog)
  let enricher = DIPEnricher(catalog: cat, explain: explain)
  let stream = try RecordStream(inputs: inputs, options: common.stream)
  try stream.run { scanner in
    try enricher.enrich(scanner, into: &stream.out.buffer)
    return .written
  }
  let label = common.lang == .en ? "grouping rate" : "入组率"
  try stream.finish(extra: ["\(label) \(enricher.groupingRate)"])
}
