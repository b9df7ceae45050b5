import MICore

/// What the fee rules share: the finding of a line, the excess allocated to the latest lines (AUDIT.md §2.3), the
/// person a line belongs to.
enum FeeRuleSupport {
  /// A finding on one line, with the keys of the line and its case; the detail is the line itself with `amount`.
  static func lineFinding(
    _ spec: RuleSpec, _ line: FeeLine, _ c: (any CaseKeyed)?, amount: Int64, cont: String, evid: String,
    point: KnowledgePoint? = nil
  ) -> Finding {
    var f = Finding(
      rule: spec, volaCont: cont, volaAmt: amount, volaEvid: evid, key: line.feedetlSN, seq: line.seq,
      kpID: point?.kpID, gzCode: point?.gzCode)
    setKeys(&f, line, c)
    if f.amtMode != .none { f.detail = [FindingDetail(feedetlSN: line.feedetlSN, cnt: line.cnt, volaAmt: f.volaAmt)] }
    return f
  }

  /// A finding charged to several lines (`detail`, latest first): keys and order from the first (latest) line.
  static func linesFinding(
    _ spec: RuleSpec, _ detail: [FindingDetail], lines: [FeeLine], cases: [(any CaseKeyed)?], cont: String,
    evid: String, point: KnowledgePoint? = nil
  ) -> Finding {
    let first = lines[0]
    let total = detail.reduce(Int64(0)) { $0 + $1.volaAmt }
    var f = Finding(
      rule: spec, volaCont: cont, volaAmt: total, volaEvid: evid, key: first.feedetlSN, seq: first.seq,
      kpID: point?.kpID, gzCode: point?.gzCode)
    setKeys(&f, first, cases.first ?? nil)
    f.detail = spec.amtMode == .none ? [] : detail
    return f
  }

  /// The keys of a line and its case on a finding.
  static func setKeys(_ f: inout Finding, _ line: FeeLine, _ c: (any CaseKeyed)?) {
    f.setlID = line.setlID ?? c?.setlID
    f.mdtrtID = line.mdtrtID ?? c?.mdtrtID
    f.feedetlSN = line.feedetlSN
    f.fixmedinsCode = line.fixmedinsCode ?? c?.fixmedinsCode
    f.psnNo = line.psnNo ?? c?.psnNo
    f.bilgDrCodg = line.bilgDrCodg
    f.insutype = c?.insutype
    f.occurDate = AuditTime.dateText(line.day)
  }

  /// The person of a line: psn_no, else the case's, else the visit (a line without a person is its visit's own).
  static func person(_ line: FeeLine, _ c: (any CaseKeyed)?) -> String {
    if let p = line.psnNo ?? c?.psnNo { return p }
    return "visit:" + (line.setlID ?? line.mdtrtID ?? line.feedetlSN)
  }

  /// "Latest first" of AUDIT.md §2.3: fee_ocur_time descending, then feedetl_sn descending.
  static func latestFirst(_ a: FeeLine, _ b: FeeLine) -> Bool {
    if a.time != b.time { return a.time > b.time }
    if a.feedetlSN != b.feedetlSN { return b.feedetlSN.utf8.lexicographicallyPrecedes(a.feedetlSN.utf8) }
    return a.seq > b.seq
  }

  /// The excess quantity `excess` (scale 4) allocated to `lines` latest first (AUDIT.md §2.3 `excess`): each
  /// line gives up to its quantity, charged `min(E, q × pric)`; lines charged nothing are left out.
  static func allocateExcess(_ excess: Fixed, over lines: [FeeLine]) -> [FindingDetail] {
    var left = excess.rescaled(to: 4).raw
    var out: [FindingDetail] = []
    for l in lines.sorted(by: latestFirst) where left > 0 {
      let q = min(left, l.cnt.raw)
      guard q > 0 else { continue }
      left -= q
      let qty = Fixed(raw: q, scale: 4)
      out.append(FindingDetail(feedetlSN: l.feedetlSN, cnt: qty, volaAmt: min(l.exposure, FeeLine.fen(qty, l.pric))))
    }
    return out
  }

  /// An amount `excess` (fen) allocated to `lines` latest first, each giving up to its E (quotas in money).
  static func allocateAmount(_ excess: Int64, over lines: [FeeLine]) -> [FindingDetail] {
    var left = excess
    var out: [FindingDetail] = []
    for l in lines.sorted(by: latestFirst) where left > 0 {
      let a = min(left, l.exposure)
      guard a > 0 else { continue }
      left -= a
      out.append(FindingDetail(feedetlSN: l.feedetlSN, cnt: l.cnt, volaAmt: a))
    }
    return out
  }

  /// A quantity as text without trailing zeros (for 违规内容).
  static func qty(_ q: Fixed) -> String { FindingWriter.quantityText(q) }

  /// The 依据 of a knowledge point: its id, class and the published restriction.
  static func evidence(_ p: KnowledgePoint, _ restriction: String) -> String {
    "知识点 \(p.kpID)（\(p.ruleClass)）：\(restriction)"
  }
}

/// The keys of a case that a finding carries.
protocol CaseKeyed {
  var setlID: String { get }
  var mdtrtID: String? { get }
  var fixmedinsCode: String? { get }
  var psnNo: String? { get }
  var insutype: String? { get }
}

extension AuditCase: CaseKeyed {}

/// A case's keys alone: what a rule holding lines until finish() keeps of their case (a fraction of its size).
struct CaseKeys: CaseKeyed {
  var setlID: String
  var mdtrtID, fixmedinsCode, psnNo, insutype: String?

  init(_ c: AuditCase) {
    setlID = c.setlID
    mdtrtID = c.mdtrtID
    fixmedinsCode = c.fixmedinsCode
    psnNo = c.psnNo
    insutype = c.insutype
  }
}

/// A line with the keys of its visit's case, kept by rules that decide at finish(): only the fields those rules
/// and their findings read (about half of a `FeeLine`), since these are what grows with the lines of listed codes.
struct HeldLine {
  // Internal, not private: `PersonSpill` writes and reads them in its temporary partition files.
  let sn: String
  let setlID, mdtrtID, psnNo, fixmedinsCode, bilgDrCodg: String?
  let code: String
  let cnt: Fixed
  let pric: Fixed
  let exposure: Int64
  let time: Int64
  let seq: Int
  let c: CaseKeys?

  init(line: FeeLine, c: AuditCase?) {
    sn = line.feedetlSN
    setlID = line.setlID
    mdtrtID = line.mdtrtID
    psnNo = line.psnNo
    fixmedinsCode = line.fixmedinsCode
    bilgDrCodg = line.bilgDrCodg
    code = line.medListCodg
    cnt = line.cnt
    pric = line.pric
    exposure = line.exposure
    time = line.time
    seq = line.seq
    self.c = c.map(CaseKeys.init)
  }

  /// The line as the rules read it (the fields not kept are empty).
  var line: FeeLine {
    var l = FeeLine(seq: seq, feedetlSN: sn, medListCodg: code, cnt: cnt, pric: pric, time: time)
    l.setlID = setlID
    l.mdtrtID = mdtrtID
    l.psnNo = psnNo
    l.fixmedinsCode = fixmedinsCode
    l.bilgDrCodg = bilgDrCodg
    l.exposure = exposure
    return l
  }
}
