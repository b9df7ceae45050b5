import Foundation
import MIConv
import MICore
import MITestSupport
import Testing

/// GB18030 bytes of `text`, through the same iconv the reader uses the other way.
func gb18030(_ text: String) throws -> [UInt8] {
  var out: [UInt8] = []
  let c = try GB18030Converter(name: "test", toGB18030: true)
  _ = Array(text.utf8).withUnsafeBytes { c.convert($0, into: &out) }
  return out
}

/// Converts the tables at `paths` and returns the NDJSON lines.
func convert(_ paths: [String], input: InputOptions = InputOptions(), mapping: MappingOptions = MappingOptions())
  throws -> [String]
{
  let dir = try TestSupport.tempDir()
  let out = dir.appendingPathComponent("out.ndjson").path
  _ = try FromTables.run(paths: paths, input: input, mapping: mapping, stream: StreamOptions(output: out))
  return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
}

@Suite struct ReadTests {
  @Test func gb18030CSVWithQuotedLineBreaks() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("setl.csv").path
    let text = "SETL_ID,PSN_NAME,MEMO,HIFP_PAY\r\nS1,\"张三\",\"第一行\r\n第二行, \"\"引号\"\"\",12.5\r\nS2,李四,null,\r\n"
    try Data(try gb18030(text)).write(to: URL(fileURLWithPath: path))
    var input = InputOptions()
    input.encoding = .gb18030
    let lines = try convert([path], input: input)
    #expect(
      lines == [
        #"{"setl_id":"S1","psn_name":"张三","memo":"第一行\r\n第二行, \"引号\"","hifp_pay":12.50}"#,
        #"{"setl_id":"S2","psn_name":"李四"}"#,
      ])
    // Read as UTF-8, the file is refused at the row and column of the first byte that is not UTF-8.
    #expect(throws: MIError.self) { try convert([path]) }
    do { _ = try convert([path]) } catch let e as MIError {
      #expect(e.message.hasPrefix("\(path):2: field \"PSN_NAME\": invalid UTF-8 at byte 1 (row 2, column 2)"))
    }
  }

  @Test func aGB18030ByteOrderMarkIsDetectedAndATrailByteIsNeverADelimiter() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("t.txt").path
    // 丨 is 0xD8 0x7C in GB18030: its trail byte is '|', the delimiter.
    try Data([0x84, 0x31, 0x95, 0x33] + (try gb18030("setl_id|fixmedins_name\nS1|丨院\n"))).write(
      to: URL(fileURLWithPath: path))
    var input = InputOptions()
    input.delimiter = UInt8(ascii: "|")
    #expect(try convert([path], input: input) == [#"{"setl_id":"S1","fixmedins_name":"丨院"}"#])
  }

  @Test func anInvalidGB18030ByteNamesRowAndColumn() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("bad.csv").path
    try Data(Array("setl_id,psn_name\nS1,ok\nS2,".utf8) + [0x81, 0x20] + [0x0A]).write(to: URL(fileURLWithPath: path))
    var input = InputOptions()
    input.encoding = .gb18030
    do {
      _ = try convert([path], input: input)
      Issue.record("a bad GB18030 byte was accepted")
    } catch let e as MIError {
      #expect(e.message == "\(path):3: field \"psn_name\": invalid GB18030 at byte 1 (row 3, column 2)")
    }
  }

  @Test func headerlessPlatformTSVWithNullAndJavaTimestamps() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("setl_d.tsv").path
    try Data("S1\tnull\t2024-05-28 12:00:00.0\t1200.00\t0101\nS2\tM2\t20240601083000\tnull\t\n".utf8).write(
      to: URL(fileURLWithPath: path))
    var input = InputOptions()
    input.columns = ["SETL_ID", "MDTRT_ID", "SETL_TIME", "HIFP_PAY", "CHRGITM_LV"]
    #expect(
      try convert([path], input: input) == [
        #"{"setl_id":"S1","setl_time":"2024-05-28 12:00:00","hifp_pay":1200.00,"chrgitm_lv":"0101"}"#,
        #"{"setl_id":"S2","mdtrt_id":"M2","setl_time":"2024-06-01 08:30:00"}"#,
      ])
  }

  @Test func aliasMappedExtractWithABureausOwnNames() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("fees.csv").path
    try Data("BKKP_SN,结算编号,OVERLMT_SELFPAY,INSCP_AMT,BILG_DR_CODE,WARD\nF1,S1,3.00,7,D01,5\n".utf8).write(
      to: URL(fileURLWithPath: path))
    let map = MappingOptions(map: ["结算编号": "setl_id"])
    #expect(
      try convert([path], mapping: map) == [
        #"{"feedetl_sn":"F1","setl_id":"S1","overlmt_amt":3.00,"inscp_scp_amt":7.00,"bilg_dr_codg":"D01","ward":"5"}"#
      ])
    var strict = map
    strict.strict = true
    #expect(
      try convert([path], mapping: strict) == [
        #"{"feedetl_sn":"F1","setl_id":"S1","overlmt_amt":3.00,"inscp_scp_amt":7.00,"bilg_dr_codg":"D01"}"#
      ])
  }

  @Test func twoColumnsForOneFieldAreRefused() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("t.csv").path
    try Data("INSCP_AMT,inscp_scp_amt\n1,1\n".utf8).write(to: URL(fileURLWithPath: path))
    do {
      _ = try convert([path])
      Issue.record("two columns for one field were accepted")
    } catch let e as MIError {
      #expect(e.message.contains("columns 1 (INSCP_AMT) and 2 (inscp_scp_amt) both map to it"))
    }
  }

  @Test func xlsxWrittenAndReadBack() throws {
    let dir = try TestSupport.tempDir()
    let ndjson = dir.appendingPathComponent("in.ndjson").path
    try Data(
      (#"{"setl_id":"S1","chrgitm_lv":"01","hifp_pay":1234.50,"age":7,"diag_codes":["K35.800","I10.x00"],"#
        + #""psn_name":"<张> & \"三\"","setl_time":"2024-05-28 12:00:00"}"# + "\n"
        + #"{"setl_id":"S2","hifp_pay":-0.05,"psn_name":null}"# + "\n").utf8
    ).write(to: URL(fileURLWithPath: ndjson))
    let xlsx = dir.appendingPathComponent("out.xlsx").path
    try ToXLSX.run(paths: [ndjson], options: ExportOptions(), stream: StreamOptions(output: xlsx))
    let first = try Data(contentsOf: URL(fileURLWithPath: xlsx))
    #expect(first.prefix(2) == Data([0x50, 0x4B]))
    #expect(
      try convert([xlsx]) == [
        #"{"setl_id":"S1","chrgitm_lv":"01","hifp_pay":1234.50,"age":7,"diag_codes":["K35.800","I10.x00"],"#
          + #""psn_name":"<张> & \"三\"","setl_time":"2024-05-28 12:00:00"}"#,
        #"{"setl_id":"S2","hifp_pay":-0.05}"#,
      ])
    // The same records give the same bytes.
    try ToXLSX.run(paths: [ndjson], options: ExportOptions(), stream: StreamOptions(output: xlsx))
    #expect(try Data(contentsOf: URL(fileURLWithPath: xlsx)) == first)
  }
}
