import MICommandLine
import MICore
import MIGrouping

/// Groups cases into DIP 病种 with the catalog version `catalog` (`mi-group --dip NAME`).
///
/// A stream filter: each case is enriched and written in input order, memory stays flat. The summary line
/// reports 入组率 = grouped / written.
func runDIPGrouping(catalog: String, inputs: [String], common: CommonOptions, explain: Bool, threads: Int) throws {
  let ws = try common.workspace(.read)
  let cat = try DIPCatalog.load(ws, name: catalog)
  let stream = try RecordStream(inputs: inputs, options: common.stream)
  var enrichers: [DIPEnricher] = []
  try stream.run(threads: threads) { _ in
    let enricher = DIPEnricher(catalog: cat, explain: explain)
    enrichers.append(enricher)
    return { scanner, out in
      try enricher.enrich(scanner, into: &out)
      return .written
    }
  }
  let label = common.lang == .en ? "grouping rate" : "入组率"
  let rate = DIPEnricher.groupingRate(
    grouped: enrichers.reduce(0) { $0 + $1.grouped }, seen: enrichers.reduce(0) { $0 + $1.seen })
  // Codes read after normalising letter case and spaces (issue 12 item 7) are counted, never silently.
  let normalized = enrichers.reduce(0) { $0 + $1.normalized }
  let note =
    common.lang == .en
    ? "codes normalised (letter case or spaces) in \(normalized) cases" : "编码已规范化 (大小写或空格) \(normalized) 例"
  try stream.finish(extra: ["\(label) \(rate)"] + (normalized > 0 ? [note] : []))
}
