import Foundation
import MICore

/// `mi-conv cases`: canonical case records from a settlement table and the settlement list's long diagnosis and
/// operation tables (one row per code), with optional fee lines summed into `item_amts`.
///
/// The join is one settlement → one record, never more: the list rows are grouped by key (`setl_id`, else
/// `mdtrt_id`) in memory, and the settlements stream past them. A hand-made join on `mdtrt_id` (issue 16: 22,798
/// records from 20,000 cases) multiplies a case by its list rows; here a key's rows become the record's arrays.
public enum CaseJoin {
  /// The tables to join.
  public struct Tables: Sendable {
    /// Settlement tables (setl_d or the like).
    public var settlements: [String]
    /// Diagnosis tables (setl_list_diag_d).
    public var diagnoses: [String]
    /// Operation tables (setl_list_oprn_d).
    public var operations: [String]
    /// Fee-line tables (fee_list_d), optional.
    public var fees: [String]
    /// Visit tables (mdtrt_d), optional: the case fields a settlement lacks (`visitFields`), by `mdtrt_id`.
    public var visits: [String]

    /// Names the tables.
    public init(
      settlements: [String], diagnoses: [String], operations: [String], fees: [String], visits: [String] = []
    ) {
      self.settlements = settlements
      self.diagnoses = diagnoses
      self.operations = operations
      self.fees = fees
      self.visits = visits
    }
  }

  /// One code of a list, where it came from and how it sorts.
  struct ListCode {
    var code: String
    var principal: Bool
    var sequence: Int?
    var order: Int
    var file: String
    var line: Int
  }

  /// The codes of one list table grouped by key, and what was odd about them.
  struct Lists {
    var byKey: [String: [ListCode]] = [:]
    var used: Set<String> = []
    var rows = 0
    var skippedType = 0
    var noCode = 0
    var noKey = 0
  }

  /// Reads the list tables: `codeField` holds the code, `flagField` marks the principal, `setl_list_sn` orders.
  static func readLists(
    _ paths: [String], codeField: String, flagField: String, typeField: String?, input: InputOptions,
    mapping: MappingOptions
  ) throws(MIError) -> Lists {
    var lists = Lists()
    var order = 0
    for path in paths {
      for table in try TableInput.open(path, input) {
        guard let header = try table.header(input.columns) else { continue }
        let names = header.columns.map { Schema.canonical($0, fee: false, map: mapping.map) }
        func column(_ field: String) -> Int? { names.firstIndex(of: field) }
        guard let code = column(codeField) else {
          throw MIError.data(
            file: table.name, line: max(header.line, 1), field: codeField,
            message: "the table has no \(codeField) column (is it the right table?)")
        }
        let setl = column("setl_id")
        let mdtrt = column("mdtrt_id")
        guard setl != nil || mdtrt != nil else {
          throw MIError.data(
            file: table.name, line: max(header.line, 1), field: "setl_id",
            message: "the table has neither setl_id nor mdtrt_id to join on")
        }
        let flag = column(flagField)
        let seq = column("setl_list_sn")
        let type = typeField.flatMap(column)
        while try table.next() {
          let row = table.row
          lists.rows += 1
          func cell(_ i: Int?) -> String? {
            guard let i, i < row.count else { return nil }
            let absent = row.withField(i) { Values.isAbsent($0) }
            return absent ? nil : row.string(i).trimmingCharacters(in: .whitespaces)
          }
          // 结算清单 diagnosis type 1 is 西医; 2 and 3 (中医主病, 中医主证) are not ICD-10 and stay out of diag_codes.
          if let t = cell(type), t != "1" {
            lists.skippedType += 1
            continue
          }
          guard let value = cell(code), !value.isEmpty else {
            lists.noCode += 1
            continue
          }
          let key: String
          if let s = cell(setl) {
            key = "s:" + s
          } else if let m = cell(mdtrt) {
            key = "m:" + m
          } else {
            lists.noKey += 1
            continue
          }
          let f = cell(flag)
          let principal = f == "1" || f == "Y" || f == "y"
          order += 1
          lists.byKey[key, default: []].append(
            ListCode(
              code: value, principal: principal, sequence: cell(seq).flatMap { Int($0) }, order: order,
              file: table.name, line: row.line))
        }
      }
    }
    return lists
  }

  /// The codes of one record, principal first then by the list's sequence; a row listed twice counts once.
  static func ordered(_ codes: [ListCode], field: String, flag: String) throws(FieldError) -> (
    codes: [String], duplicates: Int, noPrincipal: Bool
  ) {
    let principals = codes.filter(\.principal)
    if principals.count > 1 {
      let places = principals.map { "\($0.code) at \($0.file):\($0.line)" }.joined(separator: ", ")
      throw FieldError(field, "\(principals.count) principal rows (\(flag) 1): \(places)")
    }
    let sorted = codes.sorted { a, b in
      if a.principal != b.principal { return a.principal }
      switch (a.sequence, b.sequence) {
      case (let x?, let y?) where x != y: return x < y
      case (.some, nil): return true
      case (nil, .some): return false
      default: return a.order < b.order
      }
    }
    // A row repeated in the extract (same code at the same list position, the mark of a duplicating export or
    // join) counts once; the same code at two positions is what the list says and stays.
    var seen: Set<String> = []
    var out: [String] = []
    for c in sorted where seen.insert("\(c.code)\u{1F}\(c.sequence.map(String.init) ?? "")").inserted {
      out.append(c.code)
    }
    return (out, sorted.count - out.count, principals.isEmpty && !codes.isEmpty)
  }

  /// Fee lines summed per settlement and 医疗收费项目类别 into `item_amts` (fen).
  static func readFees(_ paths: [String], input: InputOptions, mapping: MappingOptions) throws(MIError) -> (
    [String: [String: Int64]], Int
  ) {
    var sums: [String: [String: Int64]] = [:]
    var rows = 0
    for path in paths {
      for table in try TableInput.open(path, input) {
        guard let header = try table.header(input.columns) else { continue }
        let names = header.columns.map { Schema.canonical($0, fee: true, map: mapping.map) }
        guard let setl = names.firstIndex(of: "setl_id"), let type = names.firstIndex(of: "med_chrgitm_type"),
          let amount = names.firstIndex(of: "det_item_fee_sumamt")
        else {
          throw MIError.data(
            file: table.name, line: max(header.line, 1), field: nil,
            message: "a fee table needs setl_id, med_chrgitm_type and det_item_fee_sumamt")
        }
        while try table.next() {
          let row = table.row
          rows += 1
          guard max(setl, type, amount) < row.count else {
            throw MIError.data(file: table.name, line: row.line, field: nil, message: "the row is too short")
          }
          let numeric = amount < row.numeric.count && row.numeric[amount]
          guard let fen = row.withField(amount, { Values.money($0, numeric: numeric) }) else {
            throw MIError.data(
              file: table.name, line: row.line, field: "det_item_fee_sumamt",
              message: "\"\(row.string(amount))\" is not money in yuan with at most two decimals")
          }
          sums[row.string(setl), default: [:]][row.string(type), default: 0] += fen
        }
      }
    }
    return (sums, rows)
  }

  /// What the join noticed, for the summary and the warnings.
  struct Tally {
    var noDiagnosis = 0
    var duplicateCodes = 0
    var noPrincipal = 0
    var sharedKeys = 0
    var noVisit = 0
    var firstNoVisit: (file: String, line: Int)? = nil
  }

  /// Joins the tables and writes one case record per settlement; returns the summary line (without the tool name).
  /// Warnings (unmatched keys, list rows left out) go to standard error.
  ///
  /// Longer than house size: one pass over the settlements that holds all of the join's state (the lists and their
  /// used keys, the seen setl_ids, the tallies, the output and the rejects); split, each part would take most of
  /// that state as arguments.
  public static func run(
    _ tables: Tables, input: InputOptions, mapping: MappingOptions, stream: StreamOptions, checkMoney check: Bool
  ) throws(MIError) -> String {
    var diag = try readLists(
      tables.diagnoses, codeField: "diag_code", flagField: "maindiag_flag", typeField: "diag_type", input: input,
      mapping: mapping)
    var oprn = try readLists(
      tables.operations, codeField: "oprn_oprt_code", flagField: "main_oprn_flag", typeField: nil, input: input,
      mapping: mapping)
    let (fees, feeRows) = try readFees(tables.fees, input: input, mapping: mapping)
    var visits = try readVisits(tables.visits, input: input, mapping: mapping)
    var feesUsed: Set<String> = []
    let out = try OutputFile(path: stream.output)
    let rejects = try stream.rejects.map { (p: String) throws(MIError) in try RejectSink(path: p) }
    let counts = CountsBox()
    var tally = Tally()
    Diagnostics.summaryOnError { "\(Diagnostics.tool): \(counts.value.summary(["stopped by the error above"]))" }
    let scanner = RecordScanner()
    var record: [UInt8] = []
    var seen: [String: Int] = [:]
    do throws(MIError) {
      for path in tables.settlements {
        for table in try TableInput.open(path, input) {
          guard let header = try table.header(input.columns) else { continue }
          let builder = try RecordBuilder(
            columns: header.columns, options: mapping, file: table.name, line: max(header.line, 1))
          for f in ["diag_codes", "oprn_codes", "item_amts"] where builder.fieldNames.contains(f) {
            throw MIError.usage(
              "\(table.name): the settlement table has a \(f) column; mi-conv cases makes it from the lists")
          }
          while try table.next() {
            let row = table.row
            counts.value.read += 1
            record.removeAll(keepingCapacity: true)
            do throws(FieldError) {
              guard try builder.build(row, into: &record) else {
                counts.value.read -= 1
                continue
              }
              let body = record.count - 2  // without "}\n"
              try parse(record, count: body + 1, with: scanner)
              guard let setlID = try scanner.string("setl_id") else {
                throw FieldError("setl_id", "missing: every settlement needs its setl_id")
              }
              if let first = seen[setlID] {
                throw FieldError(
                  "setl_id", "\(setlID) is here again (first at line \(first)); one record per settlement")
              }
              seen[setlID] = row.line
              if check { try checkMoney(scanner) }
              let mdtrtID = try scanner.string("mdtrt_id")
              let keys = ["s:" + setlID] + (mdtrtID.map { ["m:" + $0] } ?? [])
              let diagKey = keys.first { diag.byKey[$0] != nil }
              let oprnKey = keys.first { oprn.byKey[$0] != nil }
              // The keys count as matched before the lists are checked: a rejected record's rows did match.
              for (key, lists) in [(diagKey, 0), (oprnKey, 1)] {
                guard let key else { continue }
                let inserted = lists == 0 ? diag.used.insert(key).inserted : oprn.used.insert(key).inserted
                if !inserted && key.hasPrefix("m:") { tally.sharedKeys += 1 }
              }
              let d = try ordered(diagKey.map { diag.byKey[$0]! } ?? [], field: "diag_codes", flag: "maindiag_flag")
              let o = try ordered(oprnKey.map { oprn.byKey[$0]! } ?? [], field: "oprn_codes", flag: "main_oprn_flag")
              if d.codes.isEmpty { tally.noDiagnosis += 1 }
              tally.duplicateCodes += d.duplicates + o.duplicates
              if d.noPrincipal { tally.noPrincipal += 1 }
              out.buffer.append(contentsOf: record[..<body])
              if !tables.visits.isEmpty
                && !appendVisit(&visits, mdtrtID: mdtrtID, lacking: scanner, to: &out.buffer)
              {
                tally.noVisit += 1
                if tally.firstNoVisit == nil { tally.firstNoVisit = (table.name, row.line) }
              }
              out.buffer.append(contentsOf: Array(",\"diag_codes\":".utf8))
              JSONWriter.appendStringArray(d.codes, to: &out.buffer)
              out.buffer.append(contentsOf: Array(",\"oprn_codes\":".utf8))
              JSONWriter.appendStringArray(o.codes, to: &out.buffer)
              if let items = fees[setlID] {
                feesUsed.insert(setlID)
                out.buffer.append(contentsOf: Array(",\"item_amts\":{".utf8))
                for (n, k) in items.keys.sorted().enumerated() {
                  if n > 0 { out.buffer.append(UInt8(ascii: ",")) }
                  out.buffer.append(contentsOf: JSONText.quoted(k))
                  out.buffer.append(UInt8(ascii: ":"))
                  Money.append(items[k]!, to: &out.buffer)
                }
                out.buffer.append(UInt8(ascii: "}"))
              }
              out.buffer.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
              counts.value.written += 1
            } catch {
              let e = error.at(table.name, row.line)
              guard let rejects else { throw e }
              try reject(builder.rawRecord(row), to: rejects, reason: e.message)
              counts.value.rejected += 1
            }
            try out.flushIfNeeded()
          }
          FromTables.warnNumericText(builder, file: table.name)
        }
      }
    } catch {
      try? out.flush()
      throw error
    }
    Diagnostics.summaryOnError(nil)
    warnUnmatched(diag, what: "diagnosis")
    warnUnmatched(oprn, what: "operation")
    if !tables.visits.isEmpty { warnUnmatchedVisits(visits) }
    if let first = tally.firstNoVisit {
      Diagnostics.warning(
        "\(tally.noVisit) settlement(s) match no visit by mdtrt_id (first: \(first.file):\(first.line))")
    }
    let feeKeys = Set(fees.keys).subtracting(feesUsed)
    if !feeKeys.isEmpty {
      Diagnostics.warning("\(feeKeys.count) setl_id(s) of the fee lines match no settlement (first: \(feeKeys.min()!))")
    }
    if diag.skippedType > 0 {
      Diagnostics.warning("\(diag.skippedType) diagnosis row(s) of diag_type 2/3 (中医) left out of diag_codes")
    }
    if tally.noPrincipal > 0 {
      Diagnostics.warning(
        "\(tally.noPrincipal) record(s) have no row flagged principal (maindiag_flag 1): the list's order is kept")
    }
    if tally.duplicateCodes > 0 {
      Diagnostics.warning(
        "\(tally.duplicateCodes) list row(s) repeat a row of the same record (code and setl_list_sn) and count once")
    }
    if tally.sharedKeys > 0 {
      Diagnostics.warning(
        "\(tally.sharedKeys) list key(s) by mdtrt_id serve more than one settlement (中途结算 or refunds)")
    }
    try rejects?.finish()
    try out.finish()
    var extra = ["diagnosis rows \(diag.rows), operation rows \(oprn.rows)"]
    if !tables.fees.isEmpty { extra.append("fee lines \(feeRows)") }
    if !tables.visits.isEmpty { extra.append("visits \(visits.rows)") }
    extra.append("without diagnoses \(tally.noDiagnosis)")
    return counts.value.summary(extra)
  }

  /// Parses the first `count` bytes of `record` into `scanner`.
  static func parse(_ record: [UInt8], count: Int, with scanner: RecordScanner) throws(FieldError) {
    var failure: FieldError? = nil
    record.withUnsafeBytes { p in
      do throws(FieldError) { try scanner.parse(UnsafeRawBufferPointer(rebasing: p[..<count])) } catch {
        failure = error
      }
    }
    if let failure { throw failure }
  }

  /// Warns about list rows whose key matched no settlement, and rows without a code or a key.
  static func warnUnmatched(_ lists: Lists, what: String) {
    let unmatched = lists.byKey.filter { !lists.used.contains($0.key) }
    if let first = unmatched.values.map({ $0[0] }).min(by: { ($0.file, $0.line) < ($1.file, $1.line) }) {
      let rows = unmatched.values.reduce(0) { $0 + $1.count }
      Diagnostics.warning(
        "\(unmatched.count) \(what) key(s) (\(rows) row(s)) match no settlement (first: \(first.file):\(first.line))")
    }
    if lists.noCode > 0 { Diagnostics.warning("\(lists.noCode) \(what) row(s) without a code left out") }
    if lists.noKey > 0 { Diagnostics.warning("\(lists.noKey) \(what) row(s) without setl_id or mdtrt_id left out") }
  }

  /// Checks SCHEMA.md's money identities of a case record: the four parts sum to `medfee_sumamt`;
  /// `medfee_sumamt = fund_pay_sumamt + psn_part_amt + hosp_part_amt`; `psn_part_amt = acct_pay + psn_cash_pay`.
  /// An identity is checked when its fields are present (`hosp_part_amt` absent is zero).
  public static func checkMoney(_ s: RecordScanner) throws(FieldError) {
    let total = try s.fen("medfee_sumamt")
    func fen(_ f: StaticString) throws(FieldError) -> Int64? { try s.fen(f) }
    let parts = [
      try fen("fulamt_ownpay_amt"), try fen("overlmt_selfpay"), try fen("preselfpay_amt"), try fen("inscp_scp_amt"),
    ]
    if let total, parts.allSatisfy({ $0 != nil }) {
      let sum = parts.reduce(0) { $0 + $1! }
      if sum != total {
        throw FieldError(
          "medfee_sumamt",
          "\(Money.format(total)) is not fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt = "
            + Money.format(sum))
      }
    }
    if let total, let fund = try fen("fund_pay_sumamt"), let psn = try fen("psn_part_amt") {
      let hosp = try fen("hosp_part_amt") ?? 0
      if fund + psn + hosp != total {
        throw FieldError(
          "medfee_sumamt",
          "\(Money.format(total)) is not fund_pay_sumamt + psn_part_amt + hosp_part_amt = "
            + Money.format(fund + psn + hosp))
      }
    }
    if let psn = try fen("psn_part_amt"), let acct = try fen("acct_pay"), let cash = try fen("psn_cash_pay"),
      acct + cash != psn
    {
      throw FieldError(
        "psn_part_amt", "\(Money.format(psn)) is not acct_pay + psn_cash_pay = \(Money.format(acct + cash))")
    }
  }
}
