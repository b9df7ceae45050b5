import MICore
import Testing

@testable import MIReport

/// The renderers: display width, CSV encodings, privacy of the HTML drill-down.
@Suite struct RenderTests {
  @Test func eastAsianWidth() {
    #expect(DisplayWidth.of("abc") == 3)
    #expect(DisplayWidth.of("示例市第1人民医院") == 17)
    #expect(DisplayWidth.of("结算率（%）") == 11)  // 3 × 2, fullwidth parentheses 2 each, % 1
    #expect(DisplayWidth.of("e\u{301}") == 1)  // a combining accent takes no column
    #expect(DisplayWidth.of("Ａ😀") == 4)
    #expect(DisplayWidth.pad("医院", to: 6, left: true) == "医院  ")
  }

  @Test func terminalColumnsLineUpWithChineseNames() {
    var t = Table(kind: "x", title: ("t", "t"), columns: [Column("name", "名称", "name"), Column("amt", "金额", "amount")])
    t.rows = [[.text("示例市第1人民医院"), .money(123)], [.text("H2"), .money(1_000_000)]]
    let lines = Render.text([t], lang: .zh, color: false).split(separator: "\n").map(String.init)
    // Every line ends at the same display column (the amounts are right-aligned).
    let widths = Set(lines.map { DisplayWidth.of($0) })
    #expect(widths.count == 1, "\(lines)")
    #expect(lines[2].hasSuffix("1.23") && lines[3].hasSuffix("10000.00"))
  }

  @Test func csvWithBOMAndGB18030RoundTrip() throws {
    var t = Table(kind: "x", title: ("t", "t"), columns: [Column("name", "医保机构", "name"), Column("v", "值", "v")])
    t.rows = [[.text("示例,\"市\""), .money(-5)], [.text("=cmd()"), .percent(Fixed(raw: 9512, scale: 4))]]
    let text = Render.csv([t], lang: .zh)
    #expect(text == "医保机构,值\r\n\"示例,\"\"市\"\"\",-0.05\r\n\"'=cmd()\",95.12%\r\n")
    #expect(try TextEncoding.utf8.encode(text).prefix(3) == [0xEF, 0xBB, 0xBF])
    let gb = try TextEncoding.gb18030.encode(text)
    #expect(gb.prefix(4) == [0xD2, 0xBD, 0xB1, 0xA3])  // 医保 in GB18030
    #expect(try TextEncoding.decodeGB18030(gb) == text)
  }

  @Test func htmlMasksPersonsAndNeverShowsNames() throws {
    let a = try IndicatorTests.aggregate(
      IndicatorTests.cases.map { $0.replacingOccurrences(of: "\"P1\"", with: "\"330100000000001234\"") },
      by: [.fixmedins_code], registry: ["H1": HospitalInfo(name: "示例市第1人民医院", level: "3", payment: "DIP")],
      detail: true)
    let r = a.report(previous: nil, targets: .defaults)
    let masked = HTMLReport(report: r, lang: .zh, showPersonal: false, inputs: ["x"]).render()
    #expect(!masked.contains("330100000000001234") && masked.contains("3301**********1234"))
    #expect(!masked.contains("张三") && !masked.contains("330102199001011234"))
    #expect(masked.contains("id=\"h-H1\"") && masked.contains("id=\"h-H1-g-A\"") && masked.contains("示例市第1人民医院"))
    for chart in ["chart-trend", "chart-ranking", "chart-cost-ratio", "chart-pools"] { #expect(masked.contains(chart)) }
    // Self-contained: the only URL is the SVG namespace (an identifier, never fetched).
    let urls = masked.components(separatedBy: "http").count - 1
    #expect(urls == masked.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
    #expect(!masked.contains("<script src") && !masked.contains("<link"))
    let shown = HTMLReport(report: r, lang: .en, showPersonal: true, inputs: ["x"]).render()
    #expect(shown.contains("330100000000001234") && shown.contains("Drill-down"))
  }

  @Test func ndjsonKeepsExactNumbers() {
    var t = Table(kind: "indicator", title: ("t", "t"), columns: [Column("h", "h", "h"), Column("r", "r", "r")])
    t.rows = [[.text("H1"), .percent(Fixed(raw: 10040, scale: 4))]]
    t.footer = [.none, .money(10_734_169_426)]
    let out = String(decoding: Render.ndjson([t]), as: UTF8.self)
    #expect(
      out == "{\"kind\":\"indicator\",\"h\":\"H1\",\"r\":1.0040}\n{\"kind\":\"indicator-total\",\"r\":107341694.26}\n")
  }
}
