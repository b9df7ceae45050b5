import MICore

/// Exact, mergeable partial aggregates of capitation (DESIGN.md §6): `mi-capita prepay|settle --partial` on each
/// slice of the settlements, `--merge` on all the partials, gives the same output, byte for byte, as one run over
/// every settlement.
///
/// A partial is NDJSON, every record `"kind":"capitation-partial"` with a `part`, in this order:
/// - `header`: the header every partial file starts with (`PartialHeader`, mi-clear(1) PARTIAL FILES), its
///   `params_sha256` of the `[capitation]` values (`CapitationPartial.digest`), `year` and `month` (null for the
///   whole year); concatenated partials keep theirs.
/// - `counts`: `outside_period`, `inpatient`, `insured_elsewhere` (settlements left out of capitation);
/// - `no-pool`: `pool` (the name it would have), `setl_cnt`, sorted by pool;
/// - `pool`: `pool`, `remote_amt` (R summed), `remote_setl_cnt`, for every pool of the params;
/// - `institution`: `pool`, `fixmedins_code`, `fund_amt` (F_i), `special_amt` (S_i), `setl_cnt`, `month_hifp_amt`
///   (12 amounts, January first), sorted by code, then pool;
/// - `persons`: `pool` and `hashes`, the keys of its distinct persons (`CapitationAggregator.count`: the 64-bit
///   `PersonSet` hash with the pool number in its top 4 bits) as 16 hex digits, sorted, at most 4096 a record;
/// - `all-persons`: `hashes`, the plain person hashes kept for `persons_scope = "all"`, the same way.
///
/// A merge adds every record to the run's aggregator through `CapitationAggregator.merge`, the merge the parallel
/// reader uses: sums add (overflow is an error), person keys unite, so N is the same as one run's.
public enum CapitationPartial {
  /// The `kind` of every partial record.
  public static let kind = "capitation-partial"
  /// Person hashes per record.
  static let hashesPerRecord = 4096

  /// SHA-256 (hex) of every `[capitation]` value, in a fixed order: partials agree on params when this agrees,
  /// whether the params came from a workspace version or a `.toml` file.
  public static func digest(_ p: CapitationParams) -> String {
    var t = "pool_admdvs=\(p.poolAdmdvs)\nspecial_med_types=\(p.specialMedTypes)\n"
    t += "inpatient_med_types=\(p.inpatientMedTypes)\nshare_party=\(p.shareParty.rawValue)\n"
    t += "share_sign=\(p.shareSign.rawValue)\nffs_includes_remote=\(p.ffsIncludesRemote)\n"
    t += "ffs_includes_special=\(p.ffsIncludesSpecial)\nweight_includes_remote=\(p.weightIncludesRemote)\n"
    t += "persons_scope=\(p.personsScope.rawValue)\npersons_include_remote=\(p.personsIncludeRemote)\n"
    t += "objection_days=\(p.objectionDays)\nholidays=\(p.holidays.sorted())\n"
    t += "makeup_workdays=\(p.makeupWorkdays.sorted())\n"
    for name in p.poolNames {
      let q = p.pools[name]!
      t += "pool=\(name) insutype=\(q.insutype) special=\(q.special) budget=\(q.budgetFen) "
      t += "adjustment=\(q.adjustmentFen) share_ratio=\(q.shareRatio) points_per_person=\(q.pointsPerPerson) "
      t += "prepay_ratio=\(q.prepayRatio) persons=\(q.personsGiven.map(String.init) ?? "-") "
      t += "remote=\(q.remoteGivenFen.map(String.init) ?? "-")"
      // Only a pool's own share_party is added, so the digest of params without one is unchanged.
      if let party = q.shareParty { t += " share_party=\(party.rawValue)" }
      t += "\n"
    }
    return PartialHeader.digest(t)
  }

  /// The header of a run's partials (`PartialHeader`): the params digest covers the `[capitation]` values.
  public static func header(_ p: CapitationParams, paramsName: String, year: String, month: Int?) -> PartialHeader {
    PartialHeader(
      kind: kind, tool: "mi-capita", command: "mi-capita --partial", params: paramsName, paramsSHA256: digest(p),
      covers: "[capitation] values", year: year, month: month)
  }

  /// The 16 lowercase hex digits of a hash.
  static func hex(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }

  /// Parses 16 hex digits (either case); nil otherwise.
  static func parseHex(_ s: String) -> UInt64? {
    guard s.utf8.count == 16, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) })
    else { return nil }
    return UInt64(s, radix: 16)
  }
}

extension CapitationAggregator {
  /// Passes the partial records of everything read so far, in the documented order after the header (which
  /// `RecordStream.emitPartials` writes), one at a time to `emit` (each a whole line); returns how many.
  @discardableResult
  public func writePartial(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    var written = 0
    func record(_ part: StaticString, _ members: (inout JSONWriter, inout [UInt8]) -> Void) throws {
      try emit(PartialRecord.line(kind: CapitationPartial.kind, part: part, members))
      written += 1
    }
    try record("counts") { w, b in
      w.int("outside_period", Int64(outsidePeriod), &b)
      w.int("inpatient", Int64(inpatient), &b)
      w.int("insured_elsewhere", Int64(insuredElsewhere), &b)
    }
    for (k, v) in withoutPool.sorted(by: { $0.key < $1.key }) {
      try record("no-pool") { w, b in
        w.string("pool", k, &b)
        w.int("setl_cnt", Int64(v), &b)
      }
    }
    for (p, name) in names.enumerated() {
      try record("pool") { w, b in
        w.string("pool", name, &b)
        w.fen("remote_amt", remote[p], &b)
        w.int("remote_setl_cnt", Int64(remoteCount[p]), &b)
      }
    }
    for (code, i) in instIndex.sorted(by: { $0.key < $1.key }) {
      for (p, name) in names.enumerated() {
        let base = (i * names.count + p) * Self.width
        guard sums[base + 2] > 0 else { continue }
        try record("institution") { w, b in
          w.string("pool", name, &b)
          w.string("fixmedins_code", code, &b)
          w.fen("fund_amt", sums[base], &b)
          w.fen("special_amt", sums[base + 1], &b)
          w.int("setl_cnt", sums[base + 2], &b)
          w.key("month_hifp_amt", &b)
          b.append(UInt8(ascii: "["))
          for m in 0..<12 {
            if m > 0 { b.append(UInt8(ascii: ",")) }
            Fixed.appendRaw(sums[base + 3 + m], scale: 2, to: &b)
          }
          b.append(UInt8(ascii: "]"))
        }
      }
    }
    var byPool = names.map { _ in [UInt64]() }
    persons.forEach { byPool[Int($0 >> 60)].append($0) }
    for (p, name) in names.enumerated() {
      let keys = byPool[p].sorted()
      for start in stride(from: 0, to: keys.count, by: CapitationPartial.hashesPerRecord) {
        let chunk = keys[start..<min(start + CapitationPartial.hashesPerRecord, keys.count)]
        try record("persons") { w, b in
          w.string("pool", name, &b)
          w.strings("hashes", chunk.map(CapitationPartial.hex), &b)
        }
      }
    }
    var all: [UInt64] = []
    allPersons.forEach { all.append($0) }
    all.sort()
    for start in stride(from: 0, to: all.count, by: CapitationPartial.hashesPerRecord) {
      let chunk = all[start..<min(start + CapitationPartial.hashesPerRecord, all.count)]
      try record("all-persons") { w, b in w.strings("hashes", chunk.map(CapitationPartial.hex), &b) }
    }
    return written
  }
}

extension CapitationAggregator {
  /// Reads one partial record (not a header) of part `part` into this empty aggregator.
  mutating func readPartial(_ part: String, _ s: RecordScanner) throws(FieldError) {
    switch part {
    case "counts":
      outsidePeriod = try Self.count(s, "outside_period")
      inpatient = try Self.count(s, "inpatient")
      insuredElsewhere = try Self.count(s, "insured_elsewhere")
    case "no-pool":
      guard let pool = try s.code("pool") else { throw FieldError("pool", "missing") }
      withoutPool[pool] = try Self.count(s, "setl_cnt")
    case "pool":
      let p = try poolIndex(s)
      guard let r = try s.fen("remote_amt") else { throw FieldError("remote_amt", "missing") }
      remote[p] = r
      remoteCount[p] = try Self.count(s, "remote_setl_cnt")
    case "institution":
      let p = try poolIndex(s)
      guard let code = try s.code("fixmedins_code") else { throw FieldError("fixmedins_code", "missing") }
      guard let fund = try s.fen("fund_amt") else { throw FieldError("fund_amt", "missing") }
      guard let special = try s.fen("special_amt") else { throw FieldError("special_amt", "missing") }
      let n = try Self.count(s, "setl_cnt")
      guard n > 0 else { throw FieldError("setl_cnt", "must be positive") }
      guard let texts = try s.strings("month_hifp_amt") else { throw FieldError("month_hifp_amt", "missing") }
      guard texts.count == 12 else {
        throw FieldError("month_hifp_amt", "expected 12 amounts (January to December), found \(texts.count)")
      }
      var months: [Int64] = []
      var total: Int64 = 0
      for t in texts {
        guard let v = Fixed(t, scale: 2)?.raw else {
          throw FieldError("month_hifp_amt", "expected amounts in yuan with at most two decimals, found \(t)")
        }
        months.append(v)
        total = try Self.sum(total, v, "month_hifp_amt")
      }
      // The months sum hifp_pay; fund_amt and special_amt split the same hifp_pay.
      guard total == (try Self.sum(fund, special, "fund_amt")) else {
        throw FieldError(
          "month_hifp_amt",
          "sums to \(Money.format(total)), not to fund_amt + special_amt \(Money.format(fund &+ special))")
      }
      instIndex[code] = 0
      instCodes = [code]
      sums = [Int64](repeating: 0, count: names.count * Self.width)
      let base = p * Self.width
      sums[base] = fund
      sums[base + 1] = special
      sums[base + 2] = Int64(n)
      for m in 0..<12 { sums[base + 3 + m] = months[m] }
    case "persons":
      let p = try poolIndex(s)
      try Self.hashes(s) { (key: UInt64) throws(FieldError) in
        guard Int(key >> 60) == p else {
          throw FieldError("hashes", "\(CapitationPartial.hex(key)) is not a key of pool \(names[p])")
        }
        if persons.insert(hash: key) { personCount[p] += 1 }
      }
    case "all-persons":
      try Self.hashes(s) { (h: UInt64) throws(FieldError) in allPersons.insert(hash: h) }
    default:
      throw FieldError(
        "part", "expected header, counts, no-pool, pool, institution, persons or all-persons, found \"\(part)\"")
    }
  }

  /// The number of the record's `pool`, which must be a pool of the params.
  private func poolIndex(_ s: RecordScanner) throws(FieldError) -> Int {
    guard let pool = try s.code("pool") else { throw FieldError("pool", "missing") }
    guard let p = names.firstIndex(of: pool) else {
      throw FieldError("pool", "no capitation pool \"\(pool)\" in the params")
    }
    return p
  }

  /// A count: present, an integer, not negative.
  private static func count(_ s: RecordScanner, _ key: String) throws(FieldError) -> Int {
    guard let v = try s.int(key) else { throw FieldError(key, "missing") }
    guard v >= 0 else { throw FieldError(key, "must not be negative") }
    return Int(v)
  }

  /// Calls `body` with each of the record's `hashes` (16 hex digits, not zero).
  private static func hashes(_ s: RecordScanner, _ body: (UInt64) throws(FieldError) -> Void) throws(FieldError) {
    guard let list = try s.strings("hashes") else { throw FieldError("hashes", "missing") }
    for t in list {
      guard let v = CapitationPartial.parseHex(t), v != 0 else {
        throw FieldError("hashes", "expected 16 hex digits (not all zero), found \"\(t.prefix(40))\"")
      }
      try body(v)
    }
  }
}

/// A capitation run's aggregate (`mi-capita prepay|settle`): settlements go into the aggregator; a partial record
/// (`--merge`, after its file's header, which `RecordStream.aggregate` checks) is read into an empty aggregator and
/// added with `CapitationAggregator.merge`, so a bad record throws `FieldError` naming its field and leaves nothing
/// of itself behind.
public struct CapitationAggregate: Aggregate, Mergeable {
  /// Everything read or merged so far.
  public private(set) var aggregator: CapitationAggregator
  /// The header of the run's partials (`CapitationPartial.header`).
  public let partialHeader: PartialHeader
  /// An aggregator holding nothing, with a small person table (one is copied per partial record).
  private let empty: CapitationAggregator

  /// Creates an empty aggregate for a run of `params` (named `paramsName`) over `year` and `month`.
  public init(params: CapitationParams, paramsName: String, year: String, month: Int?) {
    aggregator = CapitationAggregator(params: params, year: year, month: month)
    var e = CapitationAggregator(params: params, year: year, month: month)
    e.persons = PersonSet(capacity: 8)
    empty = e
    partialHeader = CapitationPartial.header(params, paramsName: paramsName, year: year, month: month)
  }

  /// Adds one settlement.
  public mutating func add(record: RecordScanner) throws { try aggregator.add(record) }

  /// Merges one capitation-partial record (not a header).
  public mutating func merge(partial record: RecordScanner) throws {
    guard let part = try record.string("part") else { throw FieldError("part", "missing") }
    var one = empty
    try one.readPartial(part, record)
    try aggregator.merge(one)
  }

  /// Adds what another worker's aggregate read (`RecordStream.aggregate(into:merge:threads:digest:make:)`).
  public mutating func merge(_ other: CapitationAggregate) throws { try aggregator.merge(other.aggregator) }

  /// The capitation-partial records of everything read, in the documented order.
  public mutating func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    try aggregator.writePartial(emit)
  }

  /// The totals by pool name.
  public func finish() -> [String: PoolTotals] { aggregator.finish() }
}
