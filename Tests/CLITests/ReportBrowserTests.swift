import Foundation
import MITestSupport
import Testing

/// The HTML report in a real browser (issue 15 item 5): headless Chromium renders a demo-like report to PNG and
/// prints it to PDF. The page must not be blank (the grey levels of the screenshot vary), the rendered document
/// must hold the four charts and the tables, and the PDF must be a real multi-page document. Skips, saying so,
/// when no `chromium` is installed (`scripts/test.sh` installs Debian's package when it can).
@Suite struct ReportBrowserTests {
  /// The browser on PATH, if any.
  static var chromium: String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
      for name in ["chromium", "chromium-browser"] {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
      }
    }
    return nil
  }

  /// A small pipeline like scripts/demo.sh's, ending in the HTML report.
  static let pipeline = """
    set -e
    export MI_DB=$PWD/mi.db
    mi-catalog init 2>/dev/null
    mi-catalog import dx "$EXAMPLES/dx.tsv" --name dx 2>/dev/null
    mi-catalog import proc "$EXAMPLES/proc.tsv" --name proc 2>/dev/null
    mi-catalog import proc-class "$EXAMPLES/dip/proc-class.tsv" --name pc 2>/dev/null
    mi-catalog import params "$EXAMPLES/params-2024.toml" --name params-2024 2>/dev/null
    mi-gen hospitals --hospitals 8 --year 2024 -o hospitals.csv 2>/dev/null
    mi-catalog import hospitals hospitals.csv --name hospitals 2>/dev/null
    for y in 2021 2022 2023; do
      mi-gen cases --count 1500 --seed $y --year $y --hospitals 8 --dx dx --proc proc 2>/dev/null
    done > history.ndjson
    mi-gen cases --count 1500 --seed 2024 --year 2024 --hospitals 8 --dx dx --proc proc > cases.ndjson 2>/dev/null
    mi-gen outpatient --count 4000 --persons 1000 --institutions 8 --seed 2024 --year 2024 > opt.ndjson 2>/dev/null
    mi-score derive --method dip --proc-class pc --import dip history.ndjson 2>/dev/null
    mi-group --dip dip cases.ndjson 2>/dev/null | mi-score --params params-2024 --catalog dip > scored.ndjson 2>/dev/null
    mi-clear settle --year 2024 --params params-2024 --no-ledger scored.ndjson > clearing.ndjson 2>/dev/null
    mi-capita settle --year 2024 --params params-2024 --prepaid none opt.ndjson > capitation.ndjson 2>/dev/null
    mi-report indicators --format html -o report.html --hospitals hospitals --params params-2024 \\
      scored.ndjson clearing.ndjson capitation.ndjson opt.ndjson
    """

  @Test func htmlReportRendersAndPrints() throws {
    guard let browser = ReportBrowserTests.chromium else {
      print("ReportBrowserTests: skipped: no chromium on PATH (scripts/test.sh installs Debian's chromium when it can)")
      return
    }
    guard TestSupport.toolsBuilt("mi-report", "mi-catalog", "mi-gen", "mi-score", "mi-group", "mi-clear", "mi-capita")
    else { return }
    let dir = try TestSupport.tempDir("mi-report-browser")
    defer { try? FileManager.default.removeItem(at: dir) }
    let made = try TestSupport.shell(
      ReportBrowserTests.pipeline, in: dir, env: ["EXAMPLES": TestSupport.examplesDir.path])
    #expect(made.status == 0, "the pipeline failed: \(made.err)")
    guard made.status == 0 else { return }
    // As root Chromium needs --no-sandbox; a fresh profile per run keeps it from finding another instance.
    let flags = "--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir=\"$PWD/profile\""
    let url = dir.appendingPathComponent("report.html").absoluteString
    let shot = try TestSupport.shell(
      "'\(browser)' \(flags) --window-size=1280,1800 --screenshot=\"$PWD/report.png\" '\(url)'", in: dir)
    let pdf = try TestSupport.shell(
      "'\(browser)' \(flags) --no-pdf-header-footer --print-to-pdf=\"$PWD/report.pdf\" '\(url)'", in: dir)
    let dom = try TestSupport.shell("'\(browser)' \(flags) --dump-dom '\(url)'", in: dir)
    #expect(shot.status == 0 && pdf.status == 0 && dom.status == 0, "chromium: \(shot.err) \(pdf.err) \(dom.err)")

    let png = try PNGImage(try Data(contentsOf: dir.appendingPathComponent("report.png")))
    #expect(png.width == 1280 && png.height == 1800)
    // A blank page has variance 0; text, bars and table rules give hundreds.
    #expect(png.variance > 100, "the screenshot looks blank (grey-level variance \(png.variance))")
    // The rendered document (after the browser parsed it) holds the charts, each with drawn bars, and the tables.
    for chart in ["chart-trend", "chart-ranking", "chart-cost-ratio", "chart-pools"] {
      #expect(dom.out.contains("<figure id=\"\(chart)\">"), "\(chart) missing from the rendered page")
    }
    #expect(dom.out.components(separatedBy: "<rect class=\"bar").count > 40)
    for table in ["indicator", "target", "pool-budget"] { #expect(dom.out.contains("<table class=\"\(table)\">")) }
    #expect(dom.out.contains("<details class=\"h\" id=\"h-"))

    let pdfData = try Data(contentsOf: dir.appendingPathComponent("report.pdf"))
    #expect(pdfData.prefix(5) == Data("%PDF-".utf8))
    #expect(pdfData.count > 20_000, "the PDF is \(pdfData.count) bytes")
  }
}
