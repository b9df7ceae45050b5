import Foundation
import MICore

/// One pass of fee lines through the fee rules, visit by visit (audit-spec "Engine").
final class FeePass {
  private let index: CaseIndex
  private var dispatch: FeeRuleDispatch
  private let loop: RecordLoop
  private let reader = FeeReader()
  /// Findings of the visits handed on.
  let store: FindingStore
  private var findings: [Finding] = []
  /// Fee lines read (valid ones).
  private(set) var lines = 0
  /// Lines whose visit has no case.
  private(set) var withoutCase = 0
  /// Input lines read when the pass stopped (blank and rejected ones included), for a second pass's rejects.
  private(set) var position = 0
  private var buffer: [FeeLine] = []

  init(index: CaseIndex, rules: [any FeeRule], loop: RecordLoop, store: FindingStore) {
    self.store = store
    self.index = index
    self.dispatch = FeeRuleDispatch(rules)
    self.loop = loop
    buffer.reserveCapacity(256)
  }

  /// Hands the buffered visit on to every rule.
  private func flush() throws {
    guard let first = buffer.first else { return }
    let c = index.find(setlID: first.setlID, mdtrtID: first.mdtrtID)
    if c == nil { withoutCase += buffer.count }
    try dispatch.visit(buffer[...], case: c, into: &findings)
    try store.add(&findings)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Streams the lines as they come, a visit at each key change; false when a visit key came back after its group
  /// was handed on (the input is not grouped by visit: the caller starts again with `regrouped`).
  func streamGrouped(_ sources: [AuditSource]) throws -> Bool {
    var handed = PersonSet(capacity: 1 << 16)
    var current: UInt64 = 0  // hash of the current visit key; 0 = none
    let feed = FeeLineFeed(sources: sources, loop: loop)
    feed.start()
    defer { _ = feed.stop() }  // a rule's error ends the reading too
    while let batch = try feed.next() {
      for item in batch {
        lines += 1
        if item.key == 0 {
          // No setl_id nor mdtrt_id: the line is a visit of its own.
          try flush()
          current = 0
          buffer.append(item.line)
          try flush()
          continue
        }
        if item.key != current {
          if handed.contains(hash: item.key) {
            position = feed.stop()
            return false
          }
          try flush()
          handed.insert(hash: item.key)
          current = item.key
        }
        buffer.append(item.line)
      }
    }
    position = feed.position
    try flush()
    return true
  }

  /// Spools the lines into partitions by visit key, then hands each partition's visits on (sorted by key, lines
  /// in input order). Lines of the first `quietBefore` input lines were already checked by the first pass.
  /// Returns the number of partitions.
  func regrouped(_ sources: [AuditSource], quietBefore: Int, partitionBytes: Int64) throws -> Int {
    var total: Int64 = 0
    for s in sources {
      switch s {
      case .file(let p), .copy(let p, _):
        total += (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int64 ?? 0) ?? 0
      case .text(_, let t): total += Int64(t.utf8.count)
      }
    }
    let count = Int(max(1, min(4096, (total + partitionBytes - 1) / max(1, partitionBytes))))
    let dir = try TempDir()
    defer { dir.remove() }
    var parts: [SpoolFile] = []
    for _ in 0..<count { parts.append(try SpoolFile(path: dir.next("part"))) }
    lines = 0
    var prefix: [UInt8] = []
    try loop.run(sources, quietBefore: quietBefore) { s, _, _ in
      _ = try reader.read(s, seq: lines)  // checks the line now, at its file and line
      let key = reader.visitKey(s)
      let p = key.map { Int(PersonSet.hash($0) % UInt64(count)) } ?? 0
      prefix.removeAll(keepingCapacity: true)
      prefix.append(contentsOf: String(lines).utf8)
      prefix.append(UInt8(ascii: "\t"))
      try parts[p].append(prefix)
      try parts[p].append(s.line)
      try parts[p].append([UInt8(ascii: "\n")])
      lines += 1
      return true
    }
    for p in parts { try p.close() }
    for p in parts { try handOnPartition(p.path) }
    return count
  }

  /// Reads one partition and hands its visits on.
  private func handOnPartition(_ path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw MIError.io("\(path): cannot read a temporary file")
    }
    let scanner = RecordScanner()
    var entries: [(key: String?, line: FeeLine)] = []
    try data.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
      var start = 0
      while start < all.count {
        var end = start
        while all[end] != UInt8(ascii: "\n") { end += 1 }
        var tab = start
        while all[tab] != UInt8(ascii: "\t") { tab += 1 }
        let seq = Int(String(decoding: UnsafeRawBufferPointer(rebasing: all[start..<tab]), as: UTF8.self))!
        let line = UnsafeRawBufferPointer(rebasing: all[(tab + 1)..<end])
        try scanner.parse(line)
        let key = reader.visitKey(scanner).map { String(decoding: $0, as: UTF8.self) }
        entries.append((key, try reader.read(scanner, seq: seq)))
        start = end + 1
      }
    }
    entries.sort { a, b in
      switch (a.key, b.key) {
      case (nil, nil): return a.line.seq < b.line.seq
      case (nil, _): return true
      case (_, nil): return false
      case (let x?, let y?): return x != y ? x.utf8.lexicographicallyPrecedes(y.utf8) : a.line.seq < b.line.seq
      }
    }
    var currentKey: String? = nil
    for e in entries {
      if e.key == nil || e.key != currentKey { try flush() }
      currentKey = e.key
      buffer.append(e.line)
      if e.key == nil { try flush() }
    }
    try flush()
  }
}
