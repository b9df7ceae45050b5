import Foundation
import MICore

/// The findings of a run on their way to the output in rule, key and input order (audit-spec "Output order").
///
/// Up to `limit` findings are kept in memory; beyond, each full buffer is sorted and written to a temporary run
/// file as length-prefixed records (rule index, key, input order, the finding's output line), and the runs are
/// merged at the end. So a run that finds a finding on most of its lines (a data problem, or a rule set that
/// does not fit the data) needs memory for `limit` findings, not for all of them.
final class FindingStore {
  private var buffer: [Finding] = []
  private let limit: Int
  private var dir: TempDir?
  private(set) var runs: [String] = []
  /// Findings per rule index.
  private(set) var counts: [Int: Int] = [:]

  init(limit: Int) {
    self.limit = max(1, limit)
  }

  /// Takes the findings (the array is emptied, its capacity kept).
  func add(_ findings: inout [Finding]) throws {
    guard !findings.isEmpty else { return }
    for f in findings { counts[f.ruleIndex, default: 0] += 1 }
    buffer.append(contentsOf: findings)
    findings.removeAll(keepingCapacity: true)
    if buffer.count >= limit { try spill() }
  }

  /// Sorts the buffer into a run file.
  private func spill() throws {
    buffer.sort(by: Finding.ordered)
    let d = try dir ?? TempDir()
    dir = d
    let out = try SpoolFile(path: d.next("findings"))
    var rec: [UInt8] = []
    var line: [UInt8] = []
    for f in buffer {
      line.removeAll(keepingCapacity: true)
      FindingWriter.append(f, to: &line)
      rec.removeAll(keepingCapacity: true)
      FindingStore.encode(f, line: line, into: &rec)
      try out.append(rec)
    }
    try out.close()
    runs.append(out.path)
    buffer.removeAll(keepingCapacity: false)
  }

  /// One run record: u32 rule index, u32 key length, key, i64 seq, u32 line length, line (little-endian).
  static func encode(_ f: Finding, line: [UInt8], into rec: inout [UInt8]) {
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { rec.append(contentsOf: $0) } }
    u32(f.ruleIndex)
    let key = Array(f.key.utf8)
    u32(key.count)
    rec.append(contentsOf: key)
    withUnsafeBytes(of: Int64(f.seq).littleEndian) { rec.append(contentsOf: $0) }
    u32(line.count)
    rec.append(contentsOf: line)
  }

  /// Forgets every finding (a fee pass started again).
  func discard() {
    buffer = []
    runs = []
    counts = [:]
    dir?.remove()
    dir = nil
  }

  /// Removes the temporary files.
  func remove() { dir?.remove() }

  /// The findings in output order, when none was spilled (the in-memory path of tests and examples).
  func sortedInMemory() -> [Finding] {
    precondition(runs.isEmpty, "findings were spilled to disk")
    return buffer.sorted(by: Finding.ordered)
  }

  /// Writes the findings of `stores` to `out` in output order: from memory when nothing was spilled, else by
  /// merging every run (the buffers are spilled first).
  static func write(_ stores: [FindingStore], to out: OutputFile) throws {
    if stores.allSatisfy({ $0.runs.isEmpty }) {
      let all = stores.flatMap(\.buffer).sorted(by: Finding.ordered)
      for f in all {
        FindingWriter.append(f, to: &out.buffer)
        try out.flushIfNeeded()
      }
      return
    }
    for s in stores where !s.buffer.isEmpty { try s.spill() }
    var readers: [RunReader] = []
    for s in stores { for r in s.runs { readers.append(try RunReader(path: r)) } }
    defer { for r in readers { r.close() } }
    var heads: [RunReader.Record?] = try readers.map { try $0.next() }
    while true {
      var best = -1
      for i in heads.indices {
        guard let h = heads[i] else { continue }
        if best < 0 || RunReader.Record.precedes(h, heads[best]!) { best = i }
      }
      guard best >= 0 else { break }
      out.buffer.append(contentsOf: heads[best]!.line)
      try out.flushIfNeeded()
      heads[best] = try readers[best].next()
    }
  }
}

/// Reads the records of one run file in order.
final class RunReader {
  struct Record {
    var rule: UInt32
    var key: [UInt8]
    var seq: Int64
    var line: [UInt8]

    static func precedes(_ a: Record, _ b: Record) -> Bool {
      if a.rule != b.rule { return a.rule < b.rule }
      if a.key != b.key { return a.key.lexicographicallyPrecedes(b.key) }
      return a.seq < b.seq
    }
  }

  private let file: UnsafeMutablePointer<FILE>
  private let path: String

  init(path: String) throws(MIError) {
    guard let f = fopen(path, "rb") else { throw MIError.io("\(path): cannot open: \(systemMessage())") }
    file = f
    self.path = path
  }

  private func read(_ n: Int) throws(MIError) -> [UInt8]? {
    if n == 0 { return [] }
    var b = [UInt8](repeating: 0, count: n)
    let got = b.withUnsafeMutableBytes { fread($0.baseAddress!, 1, n, file) }
    if got == 0 && feof(file) != 0 { return nil }
    guard got == n else { throw MIError.io("\(path): a temporary file of findings is cut short") }
    return b
  }

  private func u32() throws(MIError) -> UInt32? {
    guard let b = try read(4) else { return nil }
    return b.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
  }

  func next() throws(MIError) -> Record? {
    guard let rule = try u32() else { return nil }
    guard let kl = try u32(), let key = try read(Int(kl)), let s = try read(8), let ll = try u32(),
      let line = try read(Int(ll))
    else { throw MIError.io("\(path): a temporary file of findings is cut short") }
    let seq = s.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
    return Record(rule: rule, key: key, seq: seq, line: line)
  }

  func close() { fclose(file) }
}
