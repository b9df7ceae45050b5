import Foundation
import MICore

/// One line kept by a rule that decides per person at the end: the group it belongs to (a key that starts with
/// the person, so that a person's groups share a partition), a tag and a text the rule gives it (B02: main or
/// sub line, and the main line's visit), and the line with its case's keys.
struct SpillRecord {
  var key: String
  var tag: UInt8
  var aux: String
  var held: HeldLine
}

/// How the person-state rules of a run keep their lines (issue 14: memory ∝ cases, not fee lines).
public struct PersonSpillSettings: Sendable {
  /// Temporary partition files per rule once it spills.
  public var partitions: Int
  /// Lines a rule keeps in memory before it spills them all to its partitions.
  public var linesInMemory: Int

  /// 64 partitions (a rule holding 10 million lines reads about 20 MB of them at a time; 64 open files and
  /// 64 KB of write buffer each) and 100,000 lines in memory (about 25 MB) per rule.
  public init(partitions: Int = 64, linesInMemory: Int = 100_000) {
    self.partitions = max(1, partitions)
    self.linesInMemory = max(0, linesInMemory)
  }
}

/// The person-partitioned state of a fee rule that decides at finish() (C01–C03, B02 across visits, H02Q, H03,
/// `frequency`): inpatient bed, consultation and nursing fees are charged every day, so the lines of the listed
/// codes grow with the fee lines, not with the cases.
///
/// Up to `linesInMemory` lines are kept in memory. Beyond, every kept line is appended as a compact record to
/// one of `partitions` temporary files (mode 0600 in a 0700 directory, removed when the rule is done or
/// dropped) chosen by a hash of its group key, which starts with the person. At finish() the rule reads one
/// partition at a time, groups its records by key in append order and evaluates each group with the same code
/// as the in-memory path, so both give the same findings (tested with tiny partitions); after each partition
/// its findings go to the engine's store (`drain`), so neither lines nor findings accumulate.
final class PersonSpill {
  var settings = PersonSpillSettings()
  /// Takes the findings of a partition (the engine's finding store); nil keeps them in the array.
  var drain: ((inout [Finding]) throws -> Void)?
  private var memory: [SpillRecord] = []
  private var dir: TempDir?
  private var parts: [SpoolFile] = []
  private var record: [UInt8] = []
  /// Records written to the partition files.
  private(set) var spilled = 0
  /// The directory of the partition files, while there are some.
  var directory: String? { dir?.path }

  deinit { discard() }

  /// Forgets every line and removes the temporary files (the rule's pass was abandoned, or it is done).
  func discard() {
    for p in parts { try? p.close() }  // still open only when the pass was abandoned
    dir?.remove()
    dir = nil
    parts = []
    memory = []
  }

  /// Keeps a line of group `key` until finish().
  func append(key: String, tag: UInt8 = 0, aux: String = "", _ held: HeldLine) throws {
    let r = SpillRecord(key: key, tag: tag, aux: aux, held: held)
    if parts.isEmpty {
      memory.append(r)
      if memory.count > settings.linesInMemory { try spillMemory() }
      return
    }
    try write(r)
  }

  /// Opens the partitions and moves the lines in memory there.
  private func spillMemory() throws {
    let d = try TempDir()
    dir = d
    for _ in 0..<settings.partitions { parts.append(try SpoolFile(path: d.next("person"))) }
    for r in memory { try write(r) }
    memory = []
  }

  private func write(_ r: SpillRecord) throws {
    record.removeAll(keepingCapacity: true)
    PersonSpill.encode(r, into: &record)
    let p = Int(PersonSpill.hash(r.key) % UInt64(parts.count))
    try parts[p].append(record)
    spilled += 1
  }

  /// The partition hash of a group key: the person part only (up to the first U+001F), so that every group of
  /// a person lands in the same partition.
  static func hash(_ key: String) -> UInt64 {
    var k = key
    return k.withUTF8 { b in
      let end = b.firstIndex(of: 0x1F) ?? b.count
      return PersonSet.hash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[0..<end])))
    }
  }

  /// Hands every group to `evaluate` (its records in append order), one partition at a time, then forgets the
  /// lines and removes the temporary files.
  func forEachGroup(
    into findings: inout [Finding], _ evaluate: ([SpillRecord], inout [Finding]) throws -> Void
  ) throws {
    defer { discard() }
    if parts.isEmpty {
      try evaluateAll(memory, into: &findings, evaluate)
      return
    }
    let written = parts
    parts = []  // closed here, not again by discard()
    for p in written { try p.close() }
    for path in written.map(\.path) {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw MIError.io("\(path): cannot read a temporary file")
      }
      // Removed once read: the disk holds only what is still to be evaluated.
      unlink(path)
      var records: [SpillRecord] = []
      try data.withUnsafeBytes { (b: UnsafeRawBufferPointer) in
        var r = SpillReader(bytes: b, path: path)
        while !r.atEnd { records.append(try r.record()) }
      }
      try evaluateAll(records, into: &findings, evaluate)
    }
  }

  /// Groups `records` by key (append order kept within a group) and evaluates each group.
  private func evaluateAll(
    _ records: [SpillRecord], into findings: inout [Finding],
    _ evaluate: ([SpillRecord], inout [Finding]) throws -> Void
  ) throws {
    var groups: [String: [SpillRecord]] = [:]
    for r in records { groups[r.key, default: []].append(r) }
    for g in groups.values { try evaluate(g, &findings) }
    try drain?(&findings)
  }

  /// One record: key, tag, aux, then the line's fields and its case's keys (little-endian, strings
  /// length-prefixed, an absent string as length 0xFFFFFFFF).
  static func encode(_ r: SpillRecord, into out: inout [UInt8]) {
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func str(_ s: String?) {
      guard let s else { return u32(UInt32.max) }
      u32(UInt32(s.utf8.count))
      out.append(contentsOf: s.utf8)
    }
    func fixed(_ f: Fixed) {
      i64(f.raw)
      out.append(UInt8(f.scale))
    }
    let h = r.held
    str(r.key)
    out.append(r.tag)
    str(r.aux)
    str(h.sn)
    str(h.setlID)
    str(h.mdtrtID)
    str(h.psnNo)
    str(h.fixmedinsCode)
    str(h.bilgDrCodg)
    str(h.code)
    fixed(h.cnt)
    fixed(h.pric)
    i64(h.exposure)
    i64(h.time)
    i64(Int64(h.seq))
    guard let c = h.c else { return out.append(0) }
    out.append(1)
    str(c.setlID)
    str(c.mdtrtID)
    str(c.fixmedinsCode)
    str(c.psnNo)
    str(c.insutype)
  }
}

/// Reads the records of one partition file.
private struct SpillReader {
  let bytes: UnsafeRawBufferPointer
  let path: String
  var at = 0

  init(bytes: UnsafeRawBufferPointer, path: String) {
    self.bytes = bytes
    self.path = path
  }

  var atEnd: Bool { at >= bytes.count }

  private func short() -> MIError { MIError.io("\(path): a temporary file of held fee lines is cut short") }

  private mutating func take(_ n: Int) throws(MIError) -> UnsafeRawBufferPointer {
    guard n >= 0, at + n <= bytes.count else { throw short() }
    defer { at += n }
    return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)])
  }

  private mutating func u8() throws(MIError) -> UInt8 { try take(1)[0] }
  private mutating func u32() throws(MIError) -> UInt32 {
    UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self))
  }
  private mutating func i64() throws(MIError) -> Int64 {
    Int64(littleEndian: try take(8).loadUnaligned(as: Int64.self))
  }
  private mutating func optional() throws(MIError) -> String? {
    let n = try u32()
    if n == UInt32.max { return nil }
    return String(decoding: try take(Int(n)), as: UTF8.self)
  }
  private mutating func string() throws(MIError) -> String {
    guard let s = try optional() else { throw short() }
    return s
  }
  private mutating func fixed() throws(MIError) -> Fixed {
    let raw = try i64()
    let scale = Int(try u8())
    guard scale <= 18 else { throw short() }
    return Fixed(raw: raw, scale: scale)
  }

  mutating func record() throws(MIError) -> SpillRecord {
    let key = try string()
    let tag = try u8()
    let aux = try string()
    let sn = try string()
    let setl = try optional()
    let mdtrt = try optional()
    let psn = try optional()
    let fix = try optional()
    let dr = try optional()
    let code = try string()
    let cnt = try fixed()
    let pric = try fixed()
    let exposure = try i64()
    let time = try i64()
    let seq = Int(try i64())
    var c: CaseKeys? = nil
    if try u8() == 1 {
      c = CaseKeys(
        setlID: try string(), mdtrtID: try optional(), fixmedinsCode: try optional(), psnNo: try optional(),
        insutype: try optional())
    }
    let held = HeldLine(
      sn: sn, setlID: setl, mdtrtID: mdtrt, psnNo: psn, fixmedinsCode: fix, bilgDrCodg: dr, code: code, cnt: cnt,
      pric: pric, exposure: exposure, time: time, seq: seq, c: c)
    return SpillRecord(key: key, tag: tag, aux: aux, held: held)
  }
}

extension CaseKeys {
  init(setlID: String, mdtrtID: String?, fixmedinsCode: String?, psnNo: String?, insutype: String?) {
    self.setlID = setlID
    self.mdtrtID = mdtrtID
    self.fixmedinsCode = fixmedinsCode
    self.psnNo = psnNo
    self.insutype = insutype
  }
}

extension HeldLine {
  init(
    sn: String, setlID: String?, mdtrtID: String?, psnNo: String?, fixmedinsCode: String?, bilgDrCodg: String?,
    code: String, cnt: Fixed, pric: Fixed, exposure: Int64, time: Int64, seq: Int, c: CaseKeys?
  ) {
    self.sn = sn
    self.setlID = setlID
    self.mdtrtID = mdtrtID
    self.psnNo = psnNo
    self.fixmedinsCode = fixmedinsCode
    self.bilgDrCodg = bilgDrCodg
    self.code = code
    self.cnt = cnt
    self.pric = pric
    self.exposure = exposure
    self.time = time
    self.seq = seq
    self.c = c
  }
}

/// A fee rule whose state is person-partitioned: the engine sets its spills' settings and drain.
protocol PersonStateRule: FeeRule {
  var personSpills: [PersonSpill] { get }
}
