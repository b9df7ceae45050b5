import Foundation
import MICore
import MIGrouping
import MITestSupport
import Testing

@testable import MIScoring

/// The on-disk cost store of `mi-score derive` (issue 3): its sorted streams and the trimmed statistics computed
/// from them equal the straightforward in-memory computation (sort each group-year's union, trim, sum), on random
/// data with ties, unions of buckets, tiny chunks (many runs, several merge passes) and both kinds of trimming.
@Suite struct CostStoreTests {
  /// The statistics as `Deriver.stats` computed them before the store: every cost in memory, the union of a
  /// year's costs sorted and trimmed, floating sums in sorted order.
  static func reference(_ costs: [[Int: [Int64]]], years: [Int], trim: Trim, minN: Int, d: Deriver) -> GroupStats {
    func trimmed(_ costs: inout [Int64]) -> Range<Int> {
      costs.sort()
      let n = costs.count
      guard n >= minN, n > 0 else { return 0..<n }
      switch trim {
      case .none: return 0..<n
      case .percentiles(let lo, let hi):
        let kLo = n * lo / 1000
        let kHi = n * (1000 - hi) / 1000
        return kLo..<max(kLo, n - kHi)
      case .sigma(let k):
        var sum = 0.0
        var sq = 0.0
        for c in costs {
          sum += Double(c)
          sq += Double(c) * Double(c)
        }
        let mean = sum / Double(n)
        let sd = (max(0, sq / Double(n) - mean * mean)).squareRoot()
        let kd = Double(k.raw) / Double(Fixed.pow10(k.scale))
        let lo = mean - kd * sd
        let hi = mean + kd * sd
        let a = costs.firstIndex { Double($0) >= lo } ?? n
        let b = costs.lastIndex { Double($0) <= hi }.map { $0 + 1 } ?? a
        return a..<max(a, b)
      }
    }
    var n = [Int64](repeating: 0, count: years.count)
    var sum = [Int64](repeating: 0, count: years.count)
    var untrimmed: Int64 = 0
    var pooledN = 0.0
    var pooledSum = 0.0
    var pooledSq = 0.0
    for (yi, y) in years.enumerated() {
      var all: [Int64] = []
      for b in costs { all.append(contentsOf: b[y] ?? []) }
      untrimmed += Int64(all.count)
      let r = trimmed(&all)
      for c in all[r] {
        sum[yi] += c
        pooledSum += Double(c)
        pooledSq += Double(c) * Double(c)
      }
      n[yi] = Int64(r.count)
      pooledN += Double(r.count)
    }
    var cv: Int64 = 0
    if pooledN > 0 && pooledSum > 0 {
      let mean = pooledSum / pooledN
      let sd = max(0, pooledSq / pooledN - mean * mean).squareRoot()
      cv = Int64((sd / mean * 10_000).rounded(.toNearestOrAwayFromZero))
    }
    return GroupStats(n: n, sum: sum, untrimmed: untrimmed, cv: cv, meanMicroFen: d.weightedMean(n: n, sum: sum))
  }

  /// Random costs for `buckets` buckets over 2021–2023: bucket sizes from 0 to a few hundred (some around the
  /// trimming minimum), values from a small set (many ties) or spread over four orders of magnitude.
  static func randomCosts(seed: UInt64, buckets: Int) -> [[Int: [Int64]]] {
    var g = SplitMix(state: seed)
    var out: [[Int: [Int64]]] = []
    for _ in 0..<buckets {
      var m: [Int: [Int64]] = [:]
      for y in 2021...2023 where Int.random(in: 0..<5, using: &g) > 0 {
        let size = [0, 1, 3, 24, 25, 26, 40, Int.random(in: 0..<400, using: &g)][Int.random(in: 0..<8, using: &g)]
        let ties = Bool.random(using: &g)
        m[y] = (0..<size).map { _ in
          ties
            ? Int64([100, 5_000, 5_000, 10_000, 12_345, 999_999][Int.random(in: 0..<6, using: &g)])
            : Int64.random(in: 1...100, using: &g) * Int64.random(in: 1...1_000_000, using: &g)
        }
      }
      out.append(m)
    }
    return out
  }

  /// A deriver whose store holds `costs` (one bucket each, added in a shuffled order).
  static func filled(
    _ costs: [[Int: [Int64]]], options: DeriveOptions, chunk: Int, fanIn: Int, inline: Int = 8, seed: UInt64
  ) throws -> (Deriver, [CostStore.Bucket]) {
    let d = Deriver(options: options, chunkRecords: chunk, fanIn: fanIn, inlineMax: inline)
    let buckets = costs.map { _ in d.store.newBucket() }
    var all: [(CostStore.Bucket, Int, Int64)] = []
    for (i, m) in costs.enumerated() {
      for (y, list) in m { for c in list { all.append((buckets[i], y, c)) } }
    }
    var g = SplitMix(state: seed &+ 1)
    all.shuffle(using: &g)
    for (b, y, c) in all { try d.store.add(b, year: y, fen: c) }
    return (d, buckets)
  }

  /// Chunk sizes, merge fan-ins and in-memory maxima: one record per run, many runs merged 2 or 3 at a time
  /// (several passes), one run; every cost on disk (0), small bucket-years in memory (8), nearly all in memory.
  static let sortShapes: [(chunk: Int, fanIn: Int, inline: Int)] = [
    (1, 2, 0), (7, 2, 8), (7, 3, 0), (64, 4, 30), (1_000, 64, 8), (1 << 18, 64, 0), (1 << 18, 64, 8), (3, 2, 500),
  ]

  @Test(arguments: 0..<8)
  func streamsEqualSortedUnions(shape: Int) throws {
    let seed = UInt64(shape + 1)
    let (chunk, fanIn, inline) = CostStoreTests.sortShapes[shape]
    let costs = CostStoreTests.randomCosts(seed: seed, buckets: 12)
    let (d, buckets) = try CostStoreTests.filled(
      costs, options: DeriveOptions(), chunk: chunk, fanIn: fanIn, inline: inline, seed: seed)
    try d.store.seal()
    var g = SplitMix(state: seed &* 31)
    for _ in 0..<20 {
      let pick = buckets.indices.filter { _ in Bool.random(using: &g) }
      for y in 2020...2023 {
        let slots = pick.compactMap { d.store.slot(buckets[$0], year: y) }
        var got: [Int64] = []
        try d.store.forEachAscending(slots) { c in
          got.append(c)
          return true
        }
        let want = pick.flatMap { costs[$0][y] ?? [] }.sorted()
        #expect(got == want)
        #expect(pick.reduce(0) { $0 + d.store.count(buckets[$1], year: y) } == Int64(want.count))
        // Stopping early reads no further.
        var first: [Int64] = []
        try d.store.forEachAscending(slots) { c in
          first.append(c)
          return first.count < 5
        }
        #expect(first == Array(want.prefix(5)))
      }
    }
  }

  static let trims: [Trim] = [
    .none, .percentiles(lowPerMille: 25, highPerMille: 975), .percentiles(lowPerMille: 0, highPerMille: 1000),
    .percentiles(lowPerMille: 100, highPerMille: 900), .percentiles(lowPerMille: 0, highPerMille: 1),
    .percentiles(lowPerMille: 999, highPerMille: 1000), .sd(1), .sd(2), .sd(3),
  ]

  @Test(arguments: [UInt64(11), 12, 13, 14])
  func statsEqualTheInMemoryComputation(seed: UInt64) throws {
    let costs = CostStoreTests.randomCosts(seed: seed, buckets: 10)
    for trim in CostStoreTests.trims {
      for minN in [0, 1, 25, 26, 1_000] {
        var o = DeriveOptions()
        o.trim = trim
        o.trimMinN = minN
        for (chunk, fanIn, inline) in [(5, 2, 0), (97, 3, 8), (1 << 18, 64, 8), (1 << 18, 64, 0), (11, 4, 50)] {
          let (d, buckets) = try CostStoreTests.filled(
            costs, options: o, chunk: chunk, fanIn: fanIn, inline: inline, seed: seed)
          var g = SplitMix(state: seed ^ UInt64(minN))
          for _ in 0..<6 {
            let pick = buckets.indices.filter { _ in Int.random(in: 0..<3, using: &g) == 0 }
            let years = [[2021, 2022, 2023], [2023], [2020, 2022]][Int.random(in: 0..<3, using: &g)]
            let got = try d.stats(pick.map { buckets[$0] }, years: years)
            let want = CostStoreTests.reference(
              pick.map { costs[$0] }, years: years, trim: trim, minN: minN, d: d)
            #expect(got == want, "trim \(trim.text) min \(minN) chunk \(chunk) buckets \(pick) years \(years)")
          }
        }
      }
    }
  }

  @Test func edgeCasesAroundTheMinimum() throws {
    // 24, 25 and 26 costs with one far outlier, split over two buckets: trimmed from 25 on (min 25).
    for size in [0, 1, 24, 25, 26] {
      var list = (0..<max(0, size - 1)).map { Int64(10_000 + $0) }
      if size > 0 { list.append(10_000_000) }
      for trim in [Trim.percentiles(lowPerMille: 25, highPerMille: 975), .sd(3), .sd(1)] {
        var o = DeriveOptions()
        o.trim = trim
        o.trimMinN = 25
        let costs = [[2023: Array(list.prefix(size / 2))], [2023: Array(list.dropFirst(size / 2))]]
        let (d, buckets) = try CostStoreTests.filled(costs, options: o, chunk: 3, fanIn: 2, inline: 4, seed: 9)
        let got = try d.stats(buckets, years: [2023])
        #expect(got == CostStoreTests.reference(costs, years: [2023], trim: trim, minN: 25, d: d))
        #expect(got.untrimmed == Int64(size))
        if size < 25 {
          #expect(got.kept == Int64(size))
        } else if case .sigma = trim {
          #expect(got.kept == Int64(size - 1))  // the outlier is √(n − 1) ≥ 4.9 SD away
        } else {
          #expect(got.kept == Int64(size))  // ⌊n × 2.5%⌋ = 0 below 40 cases
        }
      }
    }
  }

  @Test func emptyStoreAndEmptyUnions() throws {
    let d = Deriver(options: DeriveOptions(), chunkRecords: 4)
    let b = d.store.newBucket()
    let st = try d.stats([b], years: [2021, 2022, 2023])
    #expect(st.n == [0, 0, 0] && st.untrimmed == 0 && st.cv == 0 && st.meanMicroFen == nil)
    #expect(try d.stats([], years: [2023]).untrimmed == 0)
  }

  @Test(arguments: [DeriveMethod.dip, .drg])
  func tinyChunksDeriveTheSameCatalog(method: DeriveMethod) throws {
    // A whole derivation through a store of 3-record chunks merged 2 at a time, every cost on disk, equals the
    // default store's.
    var lines = DeriveTests.randomHistory(seed: 5, count: 1_500)
    if method == .drg {
      lines = lines.enumerated().map { i, l in String(l.dropLast()) + ",\"group_code\":\"G\(i % 5)\"}" }
    }
    for trim in [Trim.percentiles(lowPerMille: 25, highPerMille: 975), .sd(2)] {
      var o = DeriveOptions()
      o.method = method
      o.coreThreshold = 20
      o.trim = trim
      let normal = Deriver(options: o)
      let tiny = Deriver(options: o, chunkRecords: 3, fanIn: 2, inlineMax: 0)
      for l in lines {
        try TestSupport.withRecord(l) { s in
          try normal.add(s)
          try tiny.add(s)
        }
      }
      let a = try normal.finish()
      let b = try tiny.finish()
      let cat = { (x: DeriveResult) in x.catalog(name: "x", scale: 1000, procClasses: ProcClassTable()).entryLines() }
      #expect(cat(a) == cat(b))
      #expect(a.report == b.report)
    }
  }

  @Test func temporaryFileErrorsAreIOErrors() throws {
    // A directory that does not exist: the first spill fails with an input/output error naming it.
    let store = CostStore(chunkRecords: 2, directory: "/nonexistent-mi-derive-dir")
    let b = store.newBucket()
    try store.add(b, year: 2023, fen: 1)
    do {
      try store.add(b, year: 2023, fen: 2)
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 4)
      #expect(error.message.hasPrefix("cannot create a temporary file in /nonexistent-mi-derive-dir: "))
    }
  }

  @Test func fullDiskIsAClearError() {
    // Writing to /dev/full fails with ENOSPC: the message says how much room derivation needs, and where to set it.
    let f = TempFile(fd: open("/dev/full", O_WRONLY), directory: "/dev")
    let err = [UInt8](repeating: 1, count: 16).withUnsafeBytes { f.append($0) }
    #expect(err == ENOSPC)
    #expect(f.error(err).message.contains("about 24 bytes per case"))
    #expect(f.error(err).exitCode == 4)
  }
}
