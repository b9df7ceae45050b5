import MICore

extension CaseJoin {
  /// The case fields a visit gives a settlement that lacks them. A real setl_d has no 住院天数, 离院方式, 科别 or
  /// 主诊医师, and its begndate/enddate are dates; the visit table mdtrt_d has them
  /// (`../shared/reference/platform/mdtrt_d.columns`: `ipt_days`, `dscg_way`, `adm_caty`, `dscg_caty`,
  /// `chfpdr_code`, `begntime`, `endtime`, the first and the last two read as `act_ipt_days`, `adm_time`,
  /// `dscg_time` by `Schema.aliases`). Only these are taken: the visit's other columns (person, insurance, codes)
  /// are the settlement's business and the settlement's own value always wins.
  public static let visitFields = [
    "act_ipt_days", "adm_time", "dscg_time", "adm_caty", "dscg_caty", "dscg_way", "chfpdr_code",
  ]

  /// The visit fields by `mdtrt_id`, each as its canonical name and JSON value, and which visits were used.
  struct Visits {
    var byID: [String: [(name: String, json: [UInt8])]] = [:]
    var place: [String: (file: String, line: Int)] = [:]
    var used: Set<String> = []
    var rows = 0
    var noKey = 0
  }

  /// Reads the visit tables (mdtrt_d) through the same column mapping and value checks as a settlement table; a
  /// bad cell is an error naming file, line and field, a `mdtrt_id` listed twice is an error naming both lines.
  static func readVisits(_ paths: [String], input: InputOptions, mapping: MappingOptions) throws(MIError) -> Visits {
    var visits = Visits()
    var options = mapping
    options.fee = false
    let scanner = RecordScanner()
    var record: [UInt8] = []
    for path in paths {
      for table in try TableInput.open(path, input) {
        guard let header = try table.header(input.columns) else { continue }
        let builder = try RecordBuilder(
          columns: header.columns, options: options, file: table.name, line: max(header.line, 1))
        guard builder.fieldNames.contains("mdtrt_id") else {
          throw MIError.data(
            file: table.name, line: max(header.line, 1), field: "mdtrt_id",
            message: "the visit table has no mdtrt_id column to join on (is it mdtrt_d?)")
        }
        while try table.next() {
          let row = table.row
          visits.rows += 1
          record.removeAll(keepingCapacity: true)
          do throws(FieldError) {
            guard try builder.build(row, into: &record) else { continue }
            try parse(record, count: record.count - 1, with: scanner)
            guard let id = try scanner.string("mdtrt_id") else {
              visits.noKey += 1
              continue
            }
            if let first = visits.place[id] {
              throw FieldError(
                "mdtrt_id", "\(id) is here again (first at \(first.file):\(first.line)); one row a visit")
            }
            visits.place[id] = (table.name, row.line)
            var fields: [(name: String, json: [UInt8])] = []
            for f in visitFields {
              if let i = scanner.index(f) { fields.append((f, Array(scanner.rawValue(i)))) }
            }
            visits.byID[id] = fields
          } catch {
            throw error.at(table.name, row.line)
          }
        }
      }
    }
    return visits
  }

  /// Appends to `out` the members of the visit of `mdtrtID` that the settlement in `scanner` lacks; false when
  /// there is no such visit.
  static func appendVisit(
    _ visits: inout Visits, mdtrtID: String?, lacking scanner: RecordScanner, to out: inout [UInt8]
  ) -> Bool {
    guard let mdtrtID, let fields = visits.byID[mdtrtID] else { return false }
    visits.used.insert(mdtrtID)
    for f in fields where scanner.index(f.name) == nil {
      out.append(UInt8(ascii: ","))
      out.append(contentsOf: JSONText.quoted(f.name))
      out.append(UInt8(ascii: ":"))
      out.append(contentsOf: f.json)
    }
    return true
  }

  /// Warns about visits that match no settlement, and visit rows without a `mdtrt_id`.
  static func warnUnmatchedVisits(_ visits: Visits) {
    let unmatched = visits.place.filter { !visits.used.contains($0.key) }
    if let first = unmatched.values.min(by: { ($0.file, $0.line) < ($1.file, $1.line) }) {
      Diagnostics.warning("\(unmatched.count) visit(s) match no settlement (first: \(first.file):\(first.line))")
    }
    if visits.noKey > 0 { Diagnostics.warning("\(visits.noKey) visit row(s) without mdtrt_id left out") }
  }
}
