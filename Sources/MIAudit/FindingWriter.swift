import MICore

/// Writes findings as NDJSON records of kind finding, members in the order of the audit contract (absent
/// optional members left out, money in yuan with two decimals, quantities without trailing zeros).
public enum FindingWriter {
  /// Appends one finding record and its newline.
  public static func append(_ f: Finding, to out: inout [UInt8]) {
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "finding", &out)
    w.string("rule_id", f.ruleID, &out)
    if let v = f.gzCode { w.string("gz_code", v, &out) }
    if let v = f.kpID { w.string("kp_id", v, &out) }
    w.string("rule_name", f.ruleName, &out)
    w.string("sev_deg", f.sevDeg, &out)
    w.string("amt_mode", f.amtMode.rawValue, &out)
    w.fen("vola_amt", f.volaAmt, &out)
    w.string("vola_cont", f.volaCont, &out)
    w.string("vola_evid", f.volaEvid, &out)
    if let v = f.setlID { w.string("setl_id", v, &out) }
    if let v = f.mdtrtID { w.string("mdtrt_id", v, &out) }
    if let v = f.feedetlSN { w.string("feedetl_sn", v, &out) }
    if let v = f.fixmedinsCode { w.string("fixmedins_code", v, &out) }
    if let v = f.psnNo { w.string("psn_no", v, &out) }
    if let v = f.bilgDrCodg { w.string("bilg_dr_codg", v, &out) }
    if let v = f.insutype { w.string("insutype", v, &out) }
    if let v = f.occurDate { w.string("occur_date", v, &out) }
    if let v = f.metric { w.string("metric", v, &out) }
    if let v = f.threshold { w.string("threshold", v, &out) }
    if let v = f.bearer { w.string("bearer", v, &out) }
    if !f.detail.isEmpty {
      var d: [UInt8] = [UInt8(ascii: "[")]
      for (i, x) in f.detail.enumerated() {
        if i > 0 { d.append(UInt8(ascii: ",")) }
        var dw = JSONWriter()
        dw.begin(&d)
        dw.string("feedetl_sn", x.feedetlSN, &d)
        dw.raw("cnt", Array(quantityText(x.cnt).utf8), &d)
        dw.fen("vola_amt", x.volaAmt, &d)
        d.append(UInt8(ascii: "}"))
      }
      d.append(UInt8(ascii: "]"))
      w.raw("detail", d, &out)
    }
    w.end(&out)
  }

  /// A quantity as a JSON number without trailing zeros (`2`, `1.5`).
  public static func quantityText(_ q: Fixed) -> String {
    var t = q.description
    if t.contains(".") {
      while t.hasSuffix("0") { t.removeLast() }
      if t.hasSuffix(".") { t.removeLast() }
    }
    return t
  }
}
