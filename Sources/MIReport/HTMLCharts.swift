import MICore

/// The charts and the drill-down of the HTML report. Coordinates are whole pixels (the amounts they stand for are
/// printed beside them exactly); a chart with nothing to draw says so.
extension HTMLReport {
  static let width = 520
  static let height = 240

  func svgOpen(_ h: Int = HTMLReport.height) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(HTMLReport.width) \(h)\" width=\"100%\" role=\"img\">\n"
  }

  func empty() -> String {
    svgOpen(60) + "<text x=\"10\" y=\"30\">\(esc(L("无数据", "no data")))</text></svg>\n"
  }

  /// Bars for the cases of each month, a line for the cost per case.
  func trendSVG() -> String {
    let ms = report.months
    guard !ms.isEmpty else { return empty() }
    let (l, r, t, b) = (56, 64, 12, 36)
    let w = HTMLReport.width - l - r
    let h = HTMLReport.height - t - b
    let maxCases = max(1, ms.map(\.cases).max()!)
    let avgs = ms.map { $0.cases > 0 ? Fixed.divideRounded($0.medfee, by: $0.cases) : 0 }
    let maxAvg = max(1, avgs.max()!)
    let step = Double(w) / Double(ms.count)
    var s = svgOpen()
    s += axes(l, t, w, h)
    s += "<text x=\"\(l - 4)\" y=\"\(t + 8)\" text-anchor=\"end\">\(maxCases)</text>"
    s += "<text x=\"\(l + w + 4)\" y=\"\(t + 8)\">\(Money.format(maxAvg))</text>\n"
    var points: [String] = []
    for (i, m) in ms.enumerated() {
      let bh = Int((Double(m.cases) / Double(maxCases) * Double(h)).rounded())
      let x = l + Int((Double(i) * step + step * 0.15).rounded())
      let bw = max(1, Int((step * 0.7).rounded()))
      s +=
        "<rect class=\"bar\" x=\"\(x)\" y=\"\(t + h - bh)\" width=\"\(bw)\" height=\"\(bh)\"><title>\(m.month): \(m.cases)</title></rect>\n"
      let cx = l + Int((Double(i) * step + step / 2).rounded())
      let cy = t + h - Int((Double(avgs[i]) / Double(maxAvg) * Double(h)).rounded())
      points.append("\(cx),\(cy)")
      if ms.count <= 12 || i % ((ms.count + 11) / 12) == 0 {
        s += "<text x=\"\(cx)\" y=\"\(t + h + 14)\" text-anchor=\"middle\">\(esc(String(m.month.suffix(5))))</text>\n"
      }
    }
    s += "<polyline class=\"line\" points=\"\(points.joined(separator: " "))\"/>\n"
    s += legend(l, HTMLReport.height - 6, [("bar", L("病例数", "cases")), ("bar2", L("次均费用", "cost per case"))])
    return s + "</svg>\n"
  }

  /// Horizontal bars of the institutions' clearing amounts (or their cost when no clearing record was read),
  /// largest first, at most 15.
  func rankingSVG() -> String {
    let cleared = report.institutions.contains { $0.cleared }
    let value: (InstitutionSummary) -> Int64 = cleared ? { $0.clearingAmt } : { $0.medfee }
    let top = report.institutions.sorted {
      value($0) != value($1) ? value($0) > value($1) : SumAggregate.byteOrder($0.code, $1.code)
    }.prefix(15)
    guard !top.isEmpty else { return empty() }
    let rowH = 18
    let (l, r, t) = (150, 110, 8)
    let h = t + rowH * top.count + 24
    let w = HTMLReport.width - l - r
    let maxV = max(1, top.map { abs(value($0)) }.max()!)
    var s = svgOpen(h)
    for (i, inst) in top.enumerated() {
      let y = t + i * rowH
      let bw = Int((Double(abs(value(inst))) / Double(maxV) * Double(w)).rounded())
      let label = inst.name.isEmpty ? inst.code : inst.name
      s +=
        "<a href=\"#h-\(anchor(inst.code))\"><text x=\"\(l - 4)\" y=\"\(y + 12)\" text-anchor=\"end\">\(esc(label))</text></a>"
      s +=
        "<rect class=\"\(value(inst) < 0 ? "bar2" : "bar")\" x=\"\(l)\" y=\"\(y + 2)\" width=\"\(bw)\" height=\"\(rowH - 5)\"/>"
      s += "<text x=\"\(l + bw + 4)\" y=\"\(y + 12)\">\(Money.format(value(inst)))</text>\n"
    }
    let what = cleared ? L("清算金额 (元)", "clearing amount (yuan)") : L("医疗费总额 (元)", "total cost (yuan)")
    s += "<text x=\"\(l)\" y=\"\(h - 6)\">\(esc(what))</text>\n"
    return s + "</svg>\n"
  }

  /// The histogram of cost ratios (cost ÷ benchmark of mi-score) in tenths; the last bar is 3.0 and above.
  func costRatioSVG() -> String {
    let bins = report.costRatioBins
    guard bins.contains(where: { $0 > 0 }) else { return empty() }
    let (l, r, t, b) = (56, 12, 12, 36)
    let w = HTMLReport.width - l - r
    let h = HTMLReport.height - t - b
    let maxN = max(1, bins.max()!)
    let step = Double(w) / Double(bins.count)
    var s = svgOpen() + axes(l, t, w, h)
    s += "<text x=\"\(l - 4)\" y=\"\(t + 8)\" text-anchor=\"end\">\(maxN)</text>\n"
    for (k, n) in bins.enumerated() {
      let bh = Int((Double(n) / Double(maxN) * Double(h)).rounded())
      let x = l + Int((Double(k) * step).rounded()) + 1
      let range = k == 30 ? "≥ 3.0" : "\(Fixed(raw: Int64(k), scale: 1))–\(Fixed(raw: Int64(k + 1), scale: 1))"
      let cls = k < 5 || k >= 20 ? "bar2" : "bar"
      s +=
        "<rect class=\"\(cls)\" x=\"\(x)\" y=\"\(t + h - bh)\" width=\"\(max(1, Int(step.rounded()) - 2))\" height=\"\(bh)\"><title>\(range): \(n)</title></rect>\n"
      if k % 5 == 0 || k == 30 {
        let label = k == 30 ? "≥3" : Fixed(raw: Int64(k), scale: 1).description
        s += "<text x=\"\(x + Int(step / 2))\" y=\"\(t + h + 14)\" text-anchor=\"middle\">\(label)</text>\n"
      }
    }
    s += legend(l, HTMLReport.height - 6, [("bar2", L("低于 0.5 或 2.0 以上", "below 0.5 or 2.0 and above"))])
    return s + "</svg>\n"
  }

  /// Budget and payment side by side for each pool.
  func poolsSVG() -> String {
    let ps = report.pools
    guard !ps.isEmpty else { return empty() }
    let (l, r, t, b) = (56, 12, 12, 48)
    let w = HTMLReport.width - l - r
    let h = HTMLReport.height - t - b
    let maxV = max(1, ps.map { max(abs($0.budget), abs($0.payment)) }.max()!)
    let step = Double(w) / Double(ps.count)
    var s = svgOpen() + axes(l, t, w, h)
    // The scale's top, exact, inside the plot (the bars' own amounts are in their titles and the table).
    s += "<text x=\"\(l + 4)\" y=\"\(t + 8)\">\(Money.format(maxV))</text>\n"
    for (i, p) in ps.enumerated() {
      let x0 = l + Int((Double(i) * step + step * 0.1).rounded())
      let bw = max(1, Int((step * 0.38).rounded()))
      for (j, v) in [p.budget, p.payment].enumerated() {
        let bh = Int((Double(abs(v)) / Double(maxV) * Double(h)).rounded())
        s +=
          "<rect class=\"\(j == 0 ? "bar" : "bar2")\" x=\"\(x0 + j * bw)\" y=\"\(t + h - bh)\" width=\"\(bw - 1)\" height=\"\(bh)\"><title>\(esc(p.pool)) \(Money.format(v))</title></rect>\n"
      }
      s += "<text x=\"\(x0 + bw)\" y=\"\(t + h + 14)\" text-anchor=\"middle\">\(esc(p.pool))</text>\n"
    }
    s += legend(l, HTMLReport.height - 6, [("bar", L("预算", "budget")), ("bar2", L("支付", "payment"))])
    return s + "</svg>\n"
  }

  func axes(_ l: Int, _ t: Int, _ w: Int, _ h: Int) -> String {
    "<line class=\"axis\" x1=\"\(l)\" y1=\"\(t)\" x2=\"\(l)\" y2=\"\(t + h)\"/><line class=\"axis\" x1=\"\(l)\" y1=\"\(t + h)\" x2=\"\(l + w)\" y2=\"\(t + h)\"/>\n"
  }

  func legend(_ x: Int, _ y: Int, _ items: [(String, String)]) -> String {
    var s = ""
    var cx = x
    for (cls, label) in items {
      s +=
        "<rect class=\"\(cls)\" x=\"\(cx)\" y=\"\(y - 9)\" width=\"10\" height=\"10\"/><text x=\"\(cx + 14)\" y=\"\(y)\">\(esc(label))</text>"
      cx += 24 + DisplayWidth.of(label) * 7
    }
    return s + "\n"
  }

  /// Pool → hospital → groups → cases.
  func drillDown() -> String {
    guard !report.institutions.isEmpty else { return "" }
    var byPool: [String: [InstitutionSummary]] = [:]
    for inst in report.institutions {
      for p in inst.pools.isEmpty ? [""] : inst.pools { byPool[p, default: []].append(inst) }
    }
    var h =
      "<h2 id=\"drill\">\(esc(L("明细: 资金池 → 医院 → 病组 → 病例", "Drill-down: pool → hospital → groups → cases")))</h2>\n"
    var anchored: Set<String> = []
    for pool in byPool.keys.sorted(by: SumAggregate.byteOrder) {
      let insts = byPool[pool]!
      let label = pool.isEmpty ? "—" : pool
      h +=
        "<details class=\"p\" id=\"p-\(anchor(label))\"><summary>\(esc(L("资金池", "Pool"))) \(esc(label)): \(insts.count) \(esc(L("家机构", "institutions")))</summary>\n"
      for inst in insts {
        let id = anchored.insert(inst.code).inserted ? " id=\"h-\(anchor(inst.code))\"" : ""
        var sum =
          "\(esc(inst.name.isEmpty ? inst.code : "\(inst.name) (\(inst.code))")): \(inst.cases) \(esc(L("例", "cases")))"
        sum += ", \(esc(L("点数", "points"))) \(Fixed(raw: inst.points, scale: 4))"
        if inst.cleared {
          sum += ", \(esc(L("清算金额", "clearing"))) \(Money.format(inst.clearingAmt))"
          sum += ", \(esc(L("结算率", "settlement rate"))) \(inst.settleRatio.map { Cell.percent($0).text(lang) } ?? "—")"
        }
        h += "<details class=\"h\"\(id)><summary>\(sum)</summary>\n"
        h += groupsTable(inst)
        h += casesByGroup(inst)
        h += "</details>\n"
      }
      h += "</details>\n"
    }
    return h
  }

  func groupsTable(_ inst: InstitutionSummary) -> String {
    guard !inst.groups.isEmpty else { return "" }
    var h = "<table class=\"groups\"><thead><tr><th>\(esc(L("病组", "group")))</th><th>\(esc(L("名称", "name")))</th>"
    h +=
      "<th>\(esc(L("病例数", "cases")))</th><th>\(esc(L("点数", "points")))</th><th>\(esc(L("医疗费总额", "cost")))</th><th>\(esc(L("统筹基金支出", "fund")))</th></tr></thead><tbody>\n"
    for g in inst.groups {
      h +=
        "<tr><td><a href=\"#h-\(anchor(inst.code))-g-\(anchor(g.code))\">\(esc(g.code))</a></td><td>\(esc(g.name))</td><td class=\"n\">\(g.cases)</td>"
      h +=
        "<td class=\"n\">\(Fixed(raw: g.points, scale: 4))</td><td class=\"n\">\(Money.format(g.medfee))</td><td class=\"n\">\(Money.format(g.hifp))</td></tr>\n"
    }
    return h + "</tbody></table>\n"
  }

  func casesByGroup(_ inst: InstitutionSummary) -> String {
    var h = ""
    var i = 0
    let lines = inst.lines
    while i < lines.count {
      var j = i
      while j < lines.count && lines[j].group == lines[i].group { j += 1 }
      let g = lines[i].group
      let label = g.isEmpty ? L("未入组", "ungrouped") : g
      h +=
        "<details class=\"g\" id=\"h-\(anchor(inst.code))-g-\(anchor(g))\"><summary>\(esc(label)): \(j - i) \(esc(L("例", "cases")))</summary>\n"
      h +=
        "<table class=\"cases\"><thead><tr><th>setl_id</th><th>psn_no</th><th>\(esc(L("病例类型", "class")))</th><th>\(esc(L("点数", "points")))</th><th>\(esc(L("医疗费总额", "cost")))</th><th>\(esc(L("统筹基金支出", "fund")))</th></tr></thead><tbody>\n"
      for c in lines[i..<j] {
        h += "<tr><td>\(esc(c.setlID))</td><td>\(esc(psn(c.psnNo)))</td><td>\(esc(c.caseClass))</td>"
        h +=
          "<td class=\"n\">\(c.points.map { Fixed(raw: $0, scale: 4).description } ?? "—")</td><td class=\"n\">\(Money.format(c.medfee))</td><td class=\"n\">\(Money.format(c.hifp))</td></tr>\n"
      }
      h += "</tbody></table></details>\n"
      i = j
    }
    return h
  }
}
