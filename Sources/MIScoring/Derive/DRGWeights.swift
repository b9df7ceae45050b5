import Foundation
import MICore
import MIGrouping

/// A DRG weights version (kind `drg-weights`): RW per DRG, scale 4, with the statistics behind it when derived.
///
/// Review NDJSON: `{"kind":"catalog-entry","catalog":"drg-weights","entry":"version","scale":1,…}` then one
/// `"entry":"weight"` line per DRG: `drg_code`, `drg_name`, `weight`, and the informative `case_cnt`, `mean_amt`,
/// `cv`. A bureau's own table imports as CSV/TSV with a header naming `drg_code`, `weight` (and `drg_name`).
public struct DRGWeights: Sendable, Equatable {
  /// One DRG's weight.
  public struct Entry: Sendable, Equatable {
    /// DRG code.
    public var code: String
    /// DRG name.
    public var name: String
    /// RW, scale 4.
    public var weight: Int64
    /// Cases in the derivation history.
    public var caseCount: Int64?
    /// Weighted mean cost in fen.
    public var meanFen: Int64?
    /// CV, scale 4.
    public var cv: Int64?

    /// Creates an entry.
    public init(
      code: String, name: String = "", weight: Int64, caseCount: Int64? = nil, meanFen: Int64? = nil, cv: Int64? = nil
    ) {
      self.code = code
      self.name = name
      self.weight = weight
      self.caseCount = caseCount
      self.meanFen = meanFen
      self.cv = cv
    }
  }

  /// The workspace kind.
  public static let kind = "drg-weights"
  /// The multiplier the weights carry (1, or 100 for a point scheme).
  public var scale: Int64
  /// Entries, sorted by code.
  public var entries: [Entry]
  /// Informative version members (JSON member text).
  public var versionInfo: [(String, String)]

  /// Creates weights.
  public init(scale: Int64 = 1, entries: [Entry], versionInfo: [(String, String)] = []) {
    self.scale = scale
    self.entries = entries.sorted { $0.code < $1.code }
    self.versionInfo = versionInfo
  }

  /// Equality of scale and entries.
  public static func == (a: DRGWeights, b: DRGWeights) -> Bool { a.scale == b.scale && a.entries == b.entries }

  /// The weight of `code`, scale 4.
  public func weight(_ code: String) -> Int64? {
    entries.first { $0.code == code }?.weight
  }

  /// The review NDJSON lines (version first, then DRGs by code).
  public func entryLines() -> [[UInt8]] {
    var out: [[UInt8]] = []
    var b: [UInt8] = []
    var w = JSONWriter()
    w.begin(&b)
    w.string("kind", "catalog-entry", &b)
    w.string("catalog", "drg-weights", &b)
    w.string("entry", "version", &b)
    w.int("scale", scale, &b)
    for (k, v) in versionInfo {
      w.key(k, &b)
      b.append(contentsOf: v.utf8)
    }
    w.end(&b)
    out.append(b)
    for e in entries { out.append(DRGWeights.line(e)) }
    return out
  }

  static func line(_ e: Entry) -> [UInt8] {
    var b: [UInt8] = []
    var w = JSONWriter()
    w.begin(&b)
    w.string("kind", "catalog-entry", &b)
    w.string("catalog", "drg-weights", &b)
    w.string("entry", "weight", &b)
    w.string("drg_code", e.code, &b)
    w.string("drg_name", e.name, &b)
    w.fixed("weight", e.weight, scale: 4, &b)
    if let n = e.caseCount { w.int("case_cnt", n, &b) }
    if let m = e.meanFen { w.fen("mean_amt", m, &b) }
    if let cv = e.cv { w.fixed("cv", cv, scale: 4, &b) }
    w.end(&b)
    return b
  }

  /// Stores the weights as version `name`.
  @discardableResult
  public func store(in ws: Workspace, name: String, source: String, sha256: String, replace: Bool) throws(MIError)
    -> RefSet
  {
    var seen = Set<String>()
    for e in entries where !seen.insert(e.code).inserted {
      throw MIError.reference("duplicate DRG '\(e.code)' in the weights")
    }
    let codes = entries.map {
      CodeEntry(code: $0.code, name: $0.name, attrs: String(decoding: DRGWeights.line($0).dropLast(), as: UTF8.self))
    }
    let meta = String(decoding: entryLines()[0].dropLast(), as: UTF8.self)
    return try ws.importSet(
      name: name, kind: DRGWeights.kind, source: source, sha256: sha256, meta: meta, replace: replace
    ) {
      db, id in
      try Workspace.insertCodes(db, set: id, codes)
      return codes.count
    }
  }

  /// Loads version `name`.
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> DRGWeights {
    let set = try ws.refSet(name, kind: kind)
    var r = Reader()
    let scanner = RecordScanner()
    do {
      try withScanned(scanner, Array(set.meta.utf8)) { (s) throws(FieldError) in try r.add(s) }
      for c in try ws.codes(set) {
        try withScanned(scanner, Array((c.attrs ?? "{}").utf8)) { (s) throws(FieldError) in try r.add(s) }
      }
    } catch let e as FieldError {
      throw MIError.reference("\(ws.path): weights '\(name)': \(e.message)")
    } catch let e as MIError {
      throw e
    } catch {
      throw MIError.reference("\(ws.path): weights '\(name)': \(error)")
    }
    return r.weights
  }

  /// Reads review NDJSON entries or table rows into weights.
  public struct Reader {
    /// The weights read so far.
    public private(set) var weights = DRGWeights(entries: [])
    private var seen: Set<String> = []

    /// Creates a reader.
    public init() {}

    /// Adds one NDJSON entry (or a table row in the same member names).
    public mutating func add(_ s: RecordScanner) throws(FieldError) {
      if let k = try s.string("kind"), k != "catalog-entry" { throw FieldError("kind", "expected \"catalog-entry\"") }
      if let c = try s.string("catalog"), c != "drg-weights" { throw FieldError("catalog", "expected \"drg-weights\"") }
      switch try s.string("entry") ?? "weight" {
      case "version":
        guard let sc = try s.int("scale"), sc > 0 else { throw FieldError("scale", "expected a positive integer") }
        weights.scale = sc
      case "weight":
        guard let code = try s.code("drg_code") else { throw FieldError("drg_code", "missing DRG code") }
        guard let w = try s.fixed("weight", scale: 4) else { throw FieldError("weight", "missing weight") }
        guard w > 0 else { throw FieldError("weight", "weight must be positive") }
        guard seen.insert(code).inserted else { throw FieldError("drg_code", "duplicate DRG '\(code)'") }
        let e = Entry(
          code: code, name: try s.string("drg_name") ?? "", weight: w, caseCount: try s.int("case_cnt"),
          meanFen: try s.fen("mean_amt"), cv: try s.fixed("cv", scale: 4))
        weights.entries.append(e)
        weights.entries.sort { $0.code < $1.code }
      case let other: throw FieldError("entry", "expected version or weight, found \"\(other)\"")
      }
    }
  }

  /// Reads a weights file: NDJSON entries (`.ndjson`, `.jsonl`, `.json`) or a CSV/TSV table with a header row.
  public static func read(_ path: String) throws(MIError) -> DRGWeights {
    var r = Reader()
    let lower = path.lowercased()
    if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".json")
      || lower.hasSuffix(".ndjson.gz")
    {
      try SideFile.forEachRecord(path) { (s, _) throws(FieldError) in try r.add(s) }
      return r.weights
    }
    let table = try TableReader(path: path)
    guard let header = try table.nextRow() else {
      throw MIError.data(file: path, line: 1, field: nil, message: "empty file")
    }
    var index: [String: Int] = [:]
    for (i, h) in header.enumerated() { index[h.trimmingCharacters(in: .whitespaces).lowercased()] = i }
    for c in ["drg_code", "weight"] where index[c] == nil {
      throw table.error(c, "missing column (the header must name drg_code and weight; drg_name is optional)")
    }
    let scanner = RecordScanner()
    while let row = try table.nextRow() {
      var w = JSONWriter()
      var b: [UInt8] = []
      w.begin(&b)
      for c in ["drg_code", "drg_name", "weight"] {
        guard let i = index[c], i < row.count else { continue }
        let v = row[i].trimmingCharacters(in: .whitespaces)
        if v.isEmpty { continue }
        w.key(c, &b)
        JSONWriter.appendString(v, to: &b)
      }
      w.end(&b)
      do {
        try withScanned(scanner, b) { (s) throws(FieldError) in try r.add(s) }
      } catch {
        throw table.error(error.field, error.message)
      }
    }
    return r.weights
  }
}
