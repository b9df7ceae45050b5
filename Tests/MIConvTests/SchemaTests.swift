import Foundation
import MIConv
import MICore
import MITestSupport
import Testing

/// The built-in mapping against the platform's extraction tables (../shared/reference/platform).
@Suite struct SchemaTests {
  static let tables = ["setl_d", "mdtrt_d", "fee_list_d", "setl_list_diag_d", "setl_list_oprn_d"]

  @Test func everyReferenceColumnMapsOrIsDeliberatelyKept() throws {
    guard let ref = TestSupport.referenceDir else {
      print(TestSupport.referenceSkipMessage)
      return
    }
    var seen = 0
    for table in SchemaTests.tables {
      let columns = try PlatformLayouts.columns(table, dir: ref.appendingPathComponent("platform").path)
      #expect(!columns.isEmpty, "\(table).columns is empty")
      for column in columns {
        seen += 1
        let mapped = Schema.canonical(column.uppercased(), fee: table == "fee_list_d")
        let known = Schema.fields[mapped] != nil || Schema.kept.contains(mapped)
        #expect(known, "\(table).\(column) → \(mapped) is neither canonical nor deliberately kept")
        #expect(!(Schema.fields[column] != nil && Schema.kept.contains(column)), "\(column) both canonical and kept")
      }
    }
    #expect(seen == 100 + 106 + 82 + 23 + 31)
  }

  @Test func extractionNamesThatDifferFromTheInterfaceAreMapped() {
    #expect(Schema.canonical("BKKP_SN", fee: true) == "feedetl_sn")
    #expect(Schema.canonical("BILG_DR_CODE", fee: true) == "bilg_dr_codg")
    #expect(Schema.canonical("OVERLMT_SELFPAY", fee: true) == "overlmt_amt")
    #expect(Schema.canonical("OVERLMT_SELFPAY", fee: false) == "overlmt_selfpay")
    #expect(Schema.canonical("INSCP_AMT", fee: false) == "inscp_scp_amt")
    #expect(Schema.canonical("CASH_PAYAMT", fee: false) == "psn_cash_pay")
    #expect(Schema.canonical("psn_cashpay", fee: false) == "psn_cash_pay")
    #expect(Schema.canonical("BEGNDATE", fee: false) == "adm_time")
    #expect(Schema.canonical("INSU_ADMDVS", fee: false) == "insuplc_admdvs")
    #expect(Schema.canonical("Bureau Name", fee: false, map: ["Bureau Name": "setl_id"]) == "setl_id")
    #expect(Schema.canonical(" SETL_ID ", fee: false) == "setl_id")
  }

  @Test func aliasesLeadToCanonicalFields() {
    for (alias, field) in Schema.aliases.merging(Schema.feeAliases, uniquingKeysWith: { a, _ in a }) {
      #expect(Schema.fields[field] != nil, "alias \(alias) → \(field), which is not a canonical field")
      #expect(!Schema.kept.contains(alias))
    }
  }
}

/// Cell values: absence, money, times.
@Suite struct ValuesTests {
  func time(_ s: String, dateOnly: Bool = false) -> String? {
    var out: [UInt8] = []
    var t = s
    let ok = t.withUTF8 { Values.time(UnsafeRawBufferPointer($0), dateOnly: dateOnly, into: &out) }
    return ok ? String(decoding: out, as: UTF8.self) : nil
  }

  @Test func timesFromTheFormsExtractsUse() {
    #expect(time("2024-05-28 12:00:00") == "2024-05-28 12:00:00")
    #expect(time("2024/5/28 12:00") == "2024-05-28 12:00:00")
    #expect(time("2024/5/8 9:05:07") == "2024-05-08 09:05:07")
    #expect(time("20240528120000") == "2024-05-28 12:00:00")
    #expect(time("202405281200") == "2024-05-28 12:00:00")
    #expect(time("20240528") == "2024-05-28 00:00:00")
    #expect(time("2024-05-28 12:00:00.0") == "2024-05-28 12:00:00")
    #expect(time("2024-05-28T12:00:00") == "2024-05-28 12:00:00")
    #expect(time("2024-05-28") == "2024-05-28 00:00:00")
    // Excel serials: 45440 is 2024-05-28; .5 is noon; 60 is Excel's phantom 1900-02-29 and refused.
    #expect(time("45440.5") == "2024-05-28 12:00:00")
    #expect(time("45440") == "2024-05-28 00:00:00")
    #expect(time("45440.999999999") == "2024-05-29 00:00:00")
    #expect(time("60") == nil)
    #expect(time("2024-02-30 00:00:00") == nil)
    #expect(time("2024/13/1") == nil)
    #expect(time("28/05/2024") == nil)
    #expect(time("1955-03-01 00:00:00", dateOnly: true) == "1955-03-01")
    #expect(time("1955-03-01 08:00:00", dateOnly: true) == nil)
    #expect(time("19550301", dateOnly: true) == "1955-03-01")
  }

  func fen(_ s: String, numeric: Bool = false) -> Int64? {
    var t = s
    return t.withUTF8 { Values.money(UnsafeRawBufferPointer($0), numeric: numeric) }
  }

  @Test func moneyToTwoDecimals() {
    #expect(fen("100.5") == 10050)
    #expect(fen("-0.25") == -25)
    #expect(fen("12.345") == nil)
    #expect(fen("1,234.00") == nil)
    // xlsx stores binary doubles: within a millionth of a fen value they are that value.
    #expect(fen("10628.360000000001", numeric: true) == 1_062_836)
    #expect(fen("10628.359999999999", numeric: true) == 1_062_836)
    #expect(fen("10628.3649", numeric: true) == nil)
    #expect(fen("1.5E+3", numeric: true) == 150_000)
  }

  @Test func nullAndEmptyAreAbsent() {
    for (s, absent) in [("", true), ("null", true), ("NULL", true), ("Null", true), ("nul", false), ("0", false)] {
      var t = s
      #expect(t.withUTF8 { Values.isAbsent(UnsafeRawBufferPointer($0)) } == absent, "\(s)")
    }
  }
}
