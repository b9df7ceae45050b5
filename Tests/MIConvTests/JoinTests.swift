import Foundation
import MIConv
import MICore
import MITestSupport
import Testing

@Suite struct JoinTests {
  /// Writes `files` (name → text) into a new directory and returns it.
  func files(_ files: [String: String]) throws -> URL {
    let dir = try TestSupport.tempDir()
    for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
    return dir
  }

  func join(_ dir: URL, fees: Bool = false, rejects: Bool = false) throws -> (lines: [String], rejected: [String]) {
    let out = dir.appendingPathComponent("cases.ndjson").path
    let rej = dir.appendingPathComponent("rejects.ndjson").path
    let tables = CaseJoin.Tables(
      settlements: [dir.appendingPathComponent("setl.csv").path],
      diagnoses: [dir.appendingPathComponent("diag.csv").path],
      operations: [dir.appendingPathComponent("oprn.csv").path],
      fees: fees ? [dir.appendingPathComponent("fees.csv").path] : [])
    _ = try CaseJoin.run(
      tables, input: InputOptions(), mapping: MappingOptions(),
      stream: StreamOptions(output: out, rejects: rejects ? rej : nil), checkMoney: true)
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
    let rejected =
      rejects ? try String(contentsOfFile: rej, encoding: .utf8).split(separator: "\n").map(String.init) : []
    return (lines, rejected)
  }

  @Test func principalFirstThenSequenceUnmatchedKeysAndADuplicatedPrincipal() throws {
    let dir = try files([
      "setl.csv": """
      SETL_ID,MDTRT_ID,MEDFEE_SUMAMT,FUND_PAY_SUMAMT,PSN_PAY
      S1,M1,100.00,80.00,20.00
      S2,M2,50.00,50.00,0
      S3,M3,10.00,10.00,0

      """,
      // S1: the principal is last in the file, the others out of order; S2 has two principal rows; X9 matches
      // nothing; a row repeated by the export counts once; a 中医 diagnosis (diag_type 2) stays out.
      "diag.csv": """
      SETL_ID,MDTRT_ID,DIAG_TYPE,MAINDIAG_FLAG,DIAG_CODE,SETL_LIST_SN
      S1,M1,1,0,I10.x00,3
      S1,M1,1,0,E11.900,2
      S1,M1,1,0,E11.900,2
      S1,M1,2,0,A01.01,4
      S1,M1,1,1,K35.800,1
      S2,M2,1,1,J18.900,1
      S2,M2,1,1,J44.100,2
      X9,M9,1,1,C34.000,1

      """,
      "oprn.csv": """
      SETL_ID,MDTRT_ID,MAIN_OPRN_FLAG,OPRN_OPRT_CODE,SETL_LIST_SN
      ,M1,1,47.0900,1

      """,
    ])
    let (lines, rejected) = try join(dir, rejects: true)
    #expect(
      lines == [
        #"{"setl_id":"S1","mdtrt_id":"M1","medfee_sumamt":100.00,"fund_pay_sumamt":80.00,"psn_part_amt":20.00,"#
          + #""diag_codes":["K35.800","E11.900","I10.x00"],"oprn_codes":["47.0900"]}"#,
        #"{"setl_id":"S3","mdtrt_id":"M3","medfee_sumamt":10.00,"fund_pay_sumamt":10.00,"psn_part_amt":0.00,"#
          + #""diag_codes":[],"oprn_codes":[]}"#,
      ])
    #expect(rejected.count == 1)
    #expect(rejected.first?.contains(#""SETL_ID":"S2""#) == true)
    #expect(
      rejected.first?.contains("field \\\"diag_codes\\\": 2 principal rows (maindiag_flag 1): J18.900 at ") == true)
    // Without --rejects the duplicated principal stops the run, naming the settlement's line.
    do {
      _ = try join(dir)
      Issue.record("two principal diagnoses were accepted")
    } catch let e as MIError {
      #expect(e.exitCode == 1)
      #expect(e.message.hasPrefix("\(dir.appendingPathComponent("setl.csv").path):3: field \"diag_codes\""))
    }
  }

  @Test func moneyThatDoesNotBalanceIsRejectedAndFeesBecomeItemAmounts() throws {
    let dir = try files([
      "setl.csv": "SETL_ID,MEDFEE_SUMAMT,ACCT_PAY,CASH_PAYAMT,PSN_PAY\nS1,30.00,5,5,10\nS2,1,1,1,1\n",
      "diag.csv": "SETL_ID,MAINDIAG_FLAG,DIAG_CODE\nS1,1,K35.800\n",
      "oprn.csv": "SETL_ID,MAIN_OPRN_FLAG,OPRN_OPRT_CODE\n",
      "fees.csv": "BKKP_SN,SETL_ID,MED_CHRGITM_TYPE,DET_ITEM_FEE_SUMAMT\nF1,S1,09,10.50\nF2,S1,01,9.50\nF3,S1,09,10\n",
    ])
    let (lines, rejected) = try join(dir, fees: true, rejects: true)
    #expect(
      lines == [
        #"{"setl_id":"S1","medfee_sumamt":30.00,"acct_pay":5.00,"psn_cash_pay":5.00,"psn_part_amt":10.00,"#
          + #""diag_codes":["K35.800"],"oprn_codes":[],"item_amts":{"01":9.50,"09":20.50}}"#
      ])
    #expect(rejected.count == 1)
    #expect(rejected.first?.contains("1.00 is not acct_pay + psn_cash_pay = 2.00") == true)
  }

  /// Issue 16: a hand-made join on mdtrt_id gave 22,798 records from 20,000 cases. The same shape — several
  /// diagnosis and operation rows per case, keyed by mdtrt_id only, some rows repeated — gives exactly one
  /// record per settlement here, with every code in its place.
  @Test func neverMoreRecordsThanSettlements() throws {
    let n = 20_000
    var setl = "SETL_ID,MDTRT_ID,MEDFEE_SUMAMT\n"
    var diag = "MDTRT_ID,MAINDIAG_FLAG,DIAG_CODE,SETL_LIST_SN\n"
    var oprn = "MDTRT_ID,MAIN_OPRN_FLAG,OPRN_OPRT_CODE,SETL_LIST_SN\n"
    var naive = 0
    var first = ""
    var rng = SplitMix(state: 16)
    for i in 0..<n {
      setl += "S\(i),M\(i),\(i % 997).00\n"
      let dx = 1 + Int(rng.next() % 4)
      let ops = Int(rng.next() % 3)
      for k in (0..<dx).reversed() { diag += "M\(i),\(k == 0 ? 1 : 0),D\(i % 50).\(k),\(k + 1)\n" }
      if i % 100 == 0 { diag += "M\(i),0,D\(i % 50).\(dx - 1),\(dx)\n" }  // a row the export repeated
      for k in 0..<ops { oprn += "M\(i),\(k == 0 ? 1 : 0),\(i % 90).\(k)0,\(k + 1)\n" }
      naive += (dx + (i % 100 == 0 ? 1 : 0)) * max(ops, 1)
      if i == 0 {
        let d = (0..<dx).map { "\"D0.\($0)\"" }.joined(separator: ",")
        let o = (0..<ops).map { "\"0.\($0)0\"" }.joined(separator: ",")
        first =
          #"{"setl_id":"S0","mdtrt_id":"M0","medfee_sumamt":0.00,"diag_codes":["# + d + #"],"oprn_codes":["# + o + "]}"
      }
    }
    #expect(naive > n)
    let dir = try files(["setl.csv": setl, "diag.csv": diag, "oprn.csv": oprn])
    let (lines, _) = try join(dir)
    #expect(lines.count == n)
    #expect(lines[0] == first)
    let ids = Set(lines.map { String($0.split(separator: ",")[0]) })
    #expect(ids.count == n)
  }

  /// Issue 16 item 2: the visit table gives a settlement the case fields it lacks, by mdtrt_id; the settlement's
  /// own value wins; only the visit fields are taken; a visit listed twice is an error naming the line.
  @Test func visitsGiveTheCaseFieldsASettlementLacks() throws {
    let dir = try files([
      "setl.csv": "SETL_ID,MDTRT_ID,DSCG_WAY\nS1,M1,5\nS2,M2,null\n",
      "diag.csv": "SETL_ID,MAINDIAG_FLAG,DIAG_CODE\nS1,1,K35.800\n",
      "oprn.csv": "SETL_ID,MAIN_OPRN_FLAG,OPRN_OPRT_CODE\n",
      "mdtrt.csv":
        "MDTRT_ID,CERTNO,IPT_DAYS,ENDTIME,DSCG_WAY,DSCG_CATY\nM1,X,8,20240528120000,1,03\nM2,Y,3,null,2,07\n",
    ])
    let out = dir.appendingPathComponent("cases.ndjson").path
    func run(_ visits: String) throws -> [String] {
      let tables = CaseJoin.Tables(
        settlements: [dir.appendingPathComponent("setl.csv").path],
        diagnoses: [dir.appendingPathComponent("diag.csv").path],
        operations: [dir.appendingPathComponent("oprn.csv").path], fees: [],
        visits: [dir.appendingPathComponent(visits).path])
      _ = try CaseJoin.run(
        tables, input: InputOptions(), mapping: MappingOptions(), stream: StreamOptions(output: out, rejects: nil),
        checkMoney: true)
      return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
    }
    let lines = try run("mdtrt.csv")
    #expect(
      lines[0]
        == #"{"setl_id":"S1","mdtrt_id":"M1","dscg_way":"5","act_ipt_days":8,"dscg_time":"2024-05-28 12:00:00","#
        + #""dscg_caty":"03","diag_codes":["K35.800"],"oprn_codes":[]}"#)
    #expect(
      lines[1]
        == #"{"setl_id":"S2","mdtrt_id":"M2","act_ipt_days":3,"dscg_caty":"07","dscg_way":"2","diag_codes":[],"#
        + #""oprn_codes":[]}"#)
    try Data("MDTRT_ID,IPT_DAYS\nM1,8\nM1,9\n".utf8).write(to: dir.appendingPathComponent("twice.csv"))
    #expect(throws: MIError.self) { try run("twice.csv") }
  }
}
