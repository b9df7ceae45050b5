import MICore
import MIGrouping

/// Exact, mergeable partial aggregates of a derivation (DESIGN.md §6): `mi-score derive --partial` on each slice of
/// the history, `mi-score derive --merge` on all the partials, gives the same catalog, byte for byte, as one run
/// over the whole history.
///
/// A partial is NDJSON, `"kind":"derive-partial"`, sorted by key, after its header (`PartialHeader`, mi-clear(1)
/// PARTIAL FILES: `params` is the method, `params_sha256` that of `DeriveOptions.partialHeader`, no period):
/// - `{"part":"year","year":2021,"case_cnt":N}` cases seen per year;
/// - `{"part":"excluded","reason":"cost ≤ 0","case_cnt":N}`;
/// - `{"part":"normalized","case_cnt":N}` cases whose codes were normalised (letter case, spaces), when any;
/// - `{"part":"costs","year":2021,"cat":"K35","sub":"K35.8","op":"47.0100","rel":["54.2100"],"costs":[…]}` (DIP) or
///   `{"part":"costs","year":2021,"group_code":"GB11","costs":[…]}` (DRG): every cost in fen, sorted, because
///   percentile trimming needs them all;
/// - `{"part":"level","hosp_lv":"2","year":2021,"case_cnt":N,"sum_fen":S}`.
extension Deriver {
  /// The partial records of everything added so far, sorted by key, in memory (tests and small histories; a
  /// failure to read the temporary cost file stops the program: use `writePartial` to handle it).
  public func partialLines() -> [[UInt8]] {
    var out: [[UInt8]] = []
    do {
      try writePartial { out.append($0) }
    } catch {
      fatalError("mi-score derive --partial: \(error)")
    }
    return out
  }

  /// Passes the partial records of everything added so far (not the header, which `RecordStream.emitPartials`
  /// writes first), sorted by key, one at a time to `emit`; the costs
  /// are read back from the store, so nothing per case is held beyond one record. No case can be added after.
  public func writePartial(_ emit: ([UInt8]) throws -> Void) throws {
    try store.seal()
    func start(_ part: StaticString, _ b: inout [UInt8]) -> JSONWriter {
      var w = JSONWriter()
      w.begin(&b)
      w.string("kind", "derive-partial", &b)
      w.string("method", options.method.rawValue, &b)
      w.key("part", &b)
      JSONWriter.appendString(part.description, to: &b)
      return w
    }
    for y in seenYears.keys.sorted() {
      var b: [UInt8] = []
      var w = start("year", &b)
      w.int("year", Int64(y), &b)
      w.int("case_cnt", seenYears[y]!, &b)
      w.end(&b)
      try emit(b)
    }
    for r in excluded.keys.sorted() {
      var b: [UInt8] = []
      var w = start("excluded", &b)
      w.string("reason", r, &b)
      w.int("case_cnt", excluded[r]!, &b)
      w.end(&b)
      try emit(b)
    }
    if normalizedCases > 0 {
      var b: [UInt8] = []
      var w = start("normalized", &b)
      w.int("case_cnt", normalizedCases, &b)
      w.end(&b)
      try emit(b)
    }
    func costs(_ c: CostStore.Bucket, _ keyMembers: (inout JSONWriter, inout [UInt8]) -> Void) throws {
      for y in store.years(c) {
        var b: [UInt8] = []
        var w = start("costs", &b)
        w.int("year", Int64(y), &b)
        keyMembers(&w, &b)
        w.key("costs", &b)
        b.append(UInt8(ascii: "["))
        var first = true
        try store.forEachAscending([store.slot(c, year: y)!]) { v in
          if !first { b.append(UInt8(ascii: ",")) }
          first = false
          JSONWriter.appendInt(v, to: &b)
          return true
        }
        b.append(UInt8(ascii: "]"))
        w.end(&b)
        try emit(b)
      }
    }
    for k in fine.keys.sorted() {
      try costs(fine[k]!) { w, b in
        w.string("cat", k.cat, &b)
        w.string("sub", k.sub, &b)
        w.string("op", k.op, &b)
        w.strings("rel", k.rel, &b)
      }
    }
    for g in drg.keys.sorted() { try costs(drg[g]!) { w, b in w.string("group_code", g, &b) } }
    for lv in levels.keys.sorted() {
      for y in levels[lv]!.keys.sorted() {
        let e = levels[lv]![y]!
        var b: [UInt8] = []
        var w = start("level", &b)
        w.string("hosp_lv", lv, &b)
        w.int("year", Int64(y), &b)
        w.int("case_cnt", e.n, &b)
        w.int("sum_fen", e.sum, &b)
        w.end(&b)
        try emit(b)
      }
    }
  }

  /// Adds one partial record (from `partialLines` of another run with the same method).
  public func addPartial(_ s: RecordScanner) throws {
    guard try s.string("kind") == "derive-partial" else {
      throw FieldError("kind", "expected \"derive-partial\" (a record of 'mi-score derive --partial')")
    }
    guard try s.string("method") == options.method.rawValue else {
      throw FieldError("method", "a partial of another method than --method \(options.method.rawValue)")
    }
    func need(_ key: String) throws -> Int64 {
      guard let v = try s.int(key) else { throw FieldError(key, "missing") }
      return v
    }
    switch try s.string("part") ?? "" {
    case "year": seenYears[Int(try need("year")), default: 0] += try need("case_cnt")
    case "excluded":
      guard let r = try s.string("reason") else { throw FieldError("reason", "missing") }
      excluded[r, default: 0] += try need("case_cnt")
    case "normalized": normalizedCases += try need("case_cnt")
    case "level":
      guard let lv = try s.code("hosp_lv") else { throw FieldError("hosp_lv", "missing") }
      let y = Int(try need("year"))
      var e = levels[lv, default: [:]][y] ?? (0, 0)
      e.n += try need("case_cnt")
      e.sum += try need("sum_fen")
      levels[lv, default: [:]][y] = e
    case "costs":
      let y = Int(try need("year"))
      guard let list = try s.strings("costs") else { throw FieldError("costs", "missing") }
      var values: [Int64] = []
      values.reserveCapacity(list.count)
      for t in list {
        guard let v = Int64(t) else { throw FieldError("costs", "expected integer fen, found \(t)") }
        values.append(v)
      }
      let acc: CostStore.Bucket
      if options.method == .drg {
        guard let g = try s.code("group_code") else { throw FieldError("group_code", "missing") }
        acc = drgBucket(g)
      } else {
        guard let cat = try s.string("cat") else { throw FieldError("cat", "missing") }
        let key = FineKey(
          cat: cat, sub: try s.string("sub") ?? "", op: try s.string("op") ?? "", rel: try s.strings("rel") ?? [])
        acc = fineBucket(key)
      }
      for v in values { try store.add(acc, year: y, fen: v) }
    case let other: throw FieldError("part", "expected year, excluded, normalized, costs or level, found \"\(other)\"")
    }
  }
}

extension DeriveOptions {
  /// The header of the run's partials: the digest covers what shapes the aggregate (the method, the hospital
  /// levels of `--hospitals`, the auxiliary subtypes of `--aux`); a history has no period.
  public var partialHeader: PartialHeader {
    var t = "method=\(method.rawValue)\n"
    for (code, lv) in hospitalLevels.sorted(by: { $0.key < $1.key }) { t += "hospital=\(code) \(lv)\n" }
    for a in auxDefinitions { t += "aux=\(a.code) \(a.type) \(a.groups.sorted())\n" }
    return PartialHeader(
      kind: "derive-partial", tool: "mi-score", command: "'mi-score derive --partial'", params: method.rawValue,
      paramsSHA256: PartialHeader.digest(t), covers: "derive options", year: nil, month: nil)
  }
}
