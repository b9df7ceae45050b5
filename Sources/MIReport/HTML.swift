import MICore

/// The HTML report: one self-contained file (inline CSS and SVG, no network, no font or script from elsewhere)
/// with the report's tables, four charts — the monthly trend, the institution ranking, the distribution of cost
/// ratios, budget against payment per pool — and a drill-down from pool to hospital to its groups to the cases
/// behind its amounts (`setl_id`), in nested `<details>` with anchors (`#h-CODE`, `#h-CODE-g-GROUP`). Printing
/// opens the pool and hospital levels (a few lines of inline script), and the print CSS keeps tables whole.
public struct HTMLReport {
  /// The report drawn.
  public var report: IndicatorReport
  /// The labels' language.
  public var lang: ReportLanguage
  /// Show `psn_no` as read (`--show-personal`); masked otherwise (`Diagnostics.mask`).
  public var showPersonal: Bool
  /// What the report was made from (file names, the params), shown under the title.
  public var inputs: [String]

  /// Creates the renderer.
  public init(report: IndicatorReport, lang: ReportLanguage, showPersonal: Bool, inputs: [String]) {
    self.report = report
    self.lang = lang
    self.showPersonal = showPersonal
    self.inputs = inputs
  }

  func L(_ zh: String, _ en: String) -> String { lang == .zh ? zh : en }

  /// The whole document.
  public func render() -> String {
    var h = """
      <!DOCTYPE html>
      <html lang="\(lang == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(esc(L("医保支付方式改革指标报告", "Medical-insurance payment indicators")))</title>
      <style>\(HTMLReport.css)</style></head><body>
      <h1>\(esc(L("医保支付方式改革指标报告", "Medical-insurance payment indicators")))</h1>
      <p class="meta">\(esc(L("数据", "Data"))): \(esc(inputs.joined(separator: ", ")))</p>

      """
    h += "<section class=\"charts\">\n"
    h += chart("chart-trend", L("月度趋势: 病例数与次均费用", "Monthly trend: cases and cost per case"), trendSVG())
    h += chart("chart-ranking", L("机构排名", "Institution ranking"), rankingSVG())
    h += chart(
      "chart-cost-ratio", L("费用比分布 (病例费用 ÷ 支付标准)", "Cost-ratio distribution (cost ÷ benchmark)"), costRatioSVG())
    h += chart("chart-pools", L("资金池预算与支付", "Pools: budget and payment"), poolsSVG())
    h += "</section>\n"
    for t in report.tables { h += table(t) }
    h += drillDown()
    h += """
      <script>window.addEventListener('beforeprint',function(){document.querySelectorAll('details.p,details.h').forEach(function(d){d.open=true})});</script>
      </body></html>

      """
    return h
  }

  static let css = """
    body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#1d2733;background:#fff}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:2px solid #2f6db5;padding-bottom:3px}
    .meta{color:#5b6775;font-size:12px;margin:0 0 16px}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:16px}
    figure{margin:0;border:1px solid #d5dde6;border-radius:6px;padding:8px;break-inside:avoid}
    figcaption{font-weight:bold;font-size:13px;margin-bottom:4px}
    table{border-collapse:collapse;font-size:12px;margin:4px 0 12px}th,td{border:1px solid #cfd8e3;padding:3px 6px}
    th{background:#eef3f9;text-align:left;min-width:3em}td{white-space:nowrap}.scroll{overflow-x:auto;max-width:100%}td.n{text-align:right;font-variant-numeric:tabular-nums}
    tr.total td{font-weight:bold;border-top:2px solid #8aa0b8}.met{color:#1b7f3b}.unmet{color:#c0392b;font-weight:bold}
    details{margin:2px 0 2px 14px}summary{cursor:pointer;padding:2px 0}summary:hover{background:#f3f7fb}
    svg text{font-size:11px;fill:#33404d}.bar{fill:#2f6db5}.bar2{fill:#e08a2c}.line{fill:none;stroke:#e08a2c;stroke-width:2}
    .axis{stroke:#8aa0b8;stroke-width:1}
    @media print{body{margin:8mm}.charts{grid-template-columns:1fr 1fr}.scroll{overflow:visible}
    table{page-break-inside:auto;font-size:8px}th,td{padding:1px 3px}tr{page-break-inside:avoid}
    summary{list-style:none}a{color:inherit;text-decoration:none}}
    """

  func esc(_ s: String) -> String {
    var o = ""
    for c in s {
      switch c {
      case "&": o += "&amp;"
      case "<": o += "&lt;"
      case ">": o += "&gt;"
      case "\"": o += "&quot;"
      default: o.append(c)
      }
    }
    return o
  }

  func chart(_ id: String, _ title: String, _ svg: String) -> String {
    "<figure id=\"\(id)\"><figcaption>\(esc(title))</figcaption>\n\(svg)</figure>\n"
  }

  func table(_ t: Table) -> String {
    var h =
      "<h2 id=\"t-\(t.kind)\">\(esc(t.title(lang)))</h2>\n<div class=\"scroll\"><table class=\"\(t.kind)\"><thead><tr>"
    for c in t.columns { h += "<th>\(esc(c.label(lang)))</th>" }
    h += "</tr></thead><tbody>\n"
    func cells(_ r: [Cell], total: Bool) -> String {
      var s = total ? "<tr class=\"total\">" : "<tr>"
      for (i, c) in r.enumerated() {
        var text = c.text(lang)
        if total && c == .none { text = i == 0 ? (lang == .zh ? "合计" : "Total") : "" }
        var cls = c.isNumeric ? "n" : ""
        if case .met(let m?) = c { cls = m ? "met" : "unmet" }
        // A code column of an institution links to its drill-down.
        if t.columns[i].key == "fixmedins_code", case .text(let code) = c, !report.institutions.isEmpty {
          s += "<td><a href=\"#h-\(anchor(code))\">\(esc(text))</a></td>"
          continue
        }
        s += cls.isEmpty ? "<td>\(esc(text))</td>" : "<td class=\"\(cls)\">\(esc(text))</td>"
      }
      return s + "</tr>\n"
    }
    for r in t.rows { h += cells(r, total: false) }
    if let f = t.footer { h += cells(f, total: true) }
    return h + "</tbody></table></div>\n"
  }

  /// An id fragment from a code: letters, digits, `-` and `_` kept, anything else as `.XX` hex bytes.
  func anchor(_ s: String) -> String {
    var o = ""
    for b in s.utf8 {
      if (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95 {
        o.append(Character(Unicode.Scalar(b)))
      } else {
        o += "." + String(b, radix: 16, uppercase: true)
      }
    }
    return o
  }

  func psn(_ s: String) -> String { showPersonal ? s : Diagnostics.mask(s, field: "psn_no") }
}
