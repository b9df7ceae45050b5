/// Appends JSON text to a byte buffer: the members of an output record, and enriched copies of input records.
///
/// An enriched record keeps every member of the input byte for byte, drops the members the tool itself writes
/// (so a field left by an earlier run is replaced, never duplicated), and appends the tool's fields after them.
public struct JSONWriter {
  /// Whether the object being written has a member already (a comma is due before the next).
  private var needsComma = false

  /// Creates a writer.
  public init() {}

  /// Starts a new object.
  public mutating func begin(_ out: inout [UInt8]) {
    out.append(UInt8(ascii: "{"))
    needsComma = false
  }

  /// Starts an object that copies every member of `record` except those whose names are in `owned`.
  ///
  /// Members are copied with their original bytes (spacing inside values included).
  public mutating func beginCopy(of record: RecordScanner, except owned: FieldSet, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "{"))
    needsComma = false
    let line = record.line
    let members = record.members
    // With the record's key index, the owned members are found by name (usually none is there) and marked in a
    // bit set; otherwise each member's name is tested against the set.
    var dropLow: UInt64 = 0
    var dropHigh: UInt64 = 0
    let marked = !owned.isEmpty && record.uniquelyIndexed
    if marked {
      owned.forEachIndex(in: record) { i in
        if i < 64 { dropLow |= 1 << UInt64(i) } else { dropHigh |= 1 << UInt64(i - 64) }
      }
      if dropLow | dropHigh == 0 {
        if let first = members.first, let last = members.last {
          out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[first.memberStart..<last.valueEnd]))
          needsComma = true
        }
        return
      }
    }
    // Runs of members that are kept are copied in one piece, separators included.
    var runStart = -1
    var runEnd = 0
    for (i, m) in members.enumerated() {
      let dropped =
        marked
        ? (i < 64 ? dropLow >> UInt64(i) : dropHigh >> UInt64(i - 64)) & 1 == 1
        : !owned.isEmpty && owned.contains(m, line: line, record: record, index: i)
      if dropped {
        if runStart >= 0 {
          if needsComma { out.append(UInt8(ascii: ",")) }
          out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[runStart..<runEnd]))
          needsComma = true
          runStart = -1
        }
        continue
      }
      if runStart < 0 { runStart = m.memberStart }
      runEnd = m.valueEnd
    }
    if runStart >= 0 {
      if needsComma { out.append(UInt8(ascii: ",")) }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[runStart..<runEnd]))
      needsComma = true
    }
  }

  /// Ends the object and the line.
  public mutating func end(_ out: inout [UInt8]) {
    out.append(UInt8(ascii: "}"))
    out.append(0x0A)
  }

  /// Writes the key of the next member.
  @inline(__always)
  public mutating func key(_ key: StaticString, _ out: inout [UInt8]) {
    if needsComma { out.append(UInt8(ascii: ",")) }
    needsComma = true
    out.append(UInt8(ascii: "\""))
    out.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    out.append(UInt8(ascii: "\""))
    out.append(UInt8(ascii: ":"))
  }

  /// The text `"name":` of a key, encoded once for `key(encoded:_:)`.
  public static func encodedKey(_ key: String) -> [UInt8] {
    var b: [UInt8] = []
    appendString(key, to: &b)
    b.append(UInt8(ascii: ":"))
    return b
  }

  /// Writes the key of the next member from its encoded text (`encodedKey`): one append on the record path.
  @inline(__always)
  public mutating func key(encoded: [UInt8], _ out: inout [UInt8]) {
    if needsComma { out.append(UInt8(ascii: ",")) }
    needsComma = true
    out.append(contentsOf: encoded)
  }

  /// Writes the key of the next member, by dynamic name.
  public mutating func key(_ key: String, _ out: inout [UInt8]) {
    if needsComma { out.append(UInt8(ascii: ",")) }
    needsComma = true
    JSONWriter.appendString(key, to: &out)
    out.append(UInt8(ascii: ":"))
  }

  /// A string member; nil writes `null`.
  public mutating func string(_ k: StaticString, _ value: String?, _ out: inout [UInt8]) {
    key(k, &out)
    if let value { JSONWriter.appendString(value, to: &out) } else { JSONWriter.appendNull(&out) }
  }

  /// A money member in yuan with two decimals; nil writes `null`.
  public mutating func fen(_ k: StaticString, _ value: Int64?, _ out: inout [UInt8]) {
    key(k, &out)
    if let value { Fixed.appendRaw(value, scale: 2, to: &out) } else { JSONWriter.appendNull(&out) }
  }

  /// A fixed-point member with `scale` decimals; nil writes `null`.
  public mutating func fixed(_ k: StaticString, _ raw: Int64?, scale: Int, _ out: inout [UInt8]) {
    key(k, &out)
    if let raw { Fixed.appendRaw(raw, scale: scale, to: &out) } else { JSONWriter.appendNull(&out) }
  }

  /// An integer member; nil writes `null`.
  public mutating func int(_ k: StaticString, _ value: Int64?, _ out: inout [UInt8]) {
    key(k, &out)
    if let value { JSONWriter.appendInt(value, to: &out) } else { JSONWriter.appendNull(&out) }
  }

  /// A boolean member.
  public mutating func bool(_ k: StaticString, _ value: Bool, _ out: inout [UInt8]) {
    key(k, &out)
    out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
  }

  /// An array of strings.
  public mutating func strings(_ k: StaticString, _ values: [String], _ out: inout [UInt8]) {
    key(k, &out)
    JSONWriter.appendStringArray(values, to: &out)
  }

  /// Whole members (`"k":v,"k2":v2`) the caller has already built, e.g. precomputed once at start-up.
  public mutating func rawMembers(_ members: [UInt8], _ out: inout [UInt8]) {
    guard !members.isEmpty else { return }
    if needsComma { out.append(UInt8(ascii: ",")) }
    out.append(contentsOf: members)
    needsComma = true
  }

  /// A member whose value is JSON text the caller has already built.
  public mutating func raw(_ k: StaticString, _ json: [UInt8], _ out: inout [UInt8]) {
    key(k, &out)
    out.append(contentsOf: json)
  }

  // MARK: - Values

  /// Appends `null`.
  @inline(__always)
  public static func appendNull(_ out: inout [UInt8]) {
    out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
  }

  /// Appends a decimal integer.
  public static func appendInt(_ value: Int64, to out: inout [UInt8]) {
    Fixed.appendRaw(value, scale: 0, to: &out)
  }

  /// Appends an array of JSON strings.
  public static func appendStringArray(_ values: [String], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (i, v) in values.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      appendString(v, to: &out)
    }
    out.append(UInt8(ascii: "]"))
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// Appends a JSON string: quotes, backslashes and control characters escaped; other Unicode as UTF-8.
  public static func appendString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for c in s.utf8 {
      switch c {
      case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
      case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
      case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
      case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
      case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
      case 0x00..<0x20:
        out.append(contentsOf: Array("\\u00".utf8))
        out.append(hexDigits[Int(c >> 4)])
        out.append(hexDigits[Int(c & 15)])
      default: out.append(c)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  /// A JSON string literal for `s`, as a Swift string (for messages and small records).
  public static func quoted(_ s: String) -> String {
    var b: [UInt8] = []
    appendString(s, to: &b)
    return String(decoding: b, as: UTF8.self)
  }
}

/// A set of member names a tool writes, matched against a record's keys without allocating.
public struct FieldSet: Sendable {
  private let names: [[UInt8]]
  /// The scanner's key tags of the names, compared before their bytes.
  private let tags: [UInt64]
  /// One bit per name (bit `tag % 64`): a member whose bit is clear is not in the set, the common case.
  private let mask: UInt64

  /// Creates the set.
  public init(_ names: [String]) {
    self.names = names.map { Array($0.utf8) }
    tags = self.names.map { n in
      n.withUnsafeBytes { RecordScanner.tag($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, n.count) }
    }
    mask = tags.reduce(0) { $0 | (1 << ($1 & 63)) }
  }

  /// Whether the set is empty.
  public var isEmpty: Bool { names.isEmpty }

  /// Calls `body` with the index of each member of `record` named in the set; the record must be uniquely indexed.
  @inline(__always)
  func forEachIndex(in record: RecordScanner, _ body: (Int) -> Void) {
    for (k, name) in names.enumerated() {
      let found = name.withUnsafeBytes { record.index($0, tag: tags[k]) }
      if let i = found { body(i) }
    }
  }

  /// Whether member `i` of `record` has one of these names.
  public func contains(_ record: RecordScanner, member i: Int) -> Bool {
    contains(record.members[i], line: record.line, record: record, index: i)
  }

  /// Whether the member `m` (number `index` of `record`, in `line`) has one of these names.
  @inline(__always)
  func contains(_ m: RecordScanner.Member, line: UnsafeRawBufferPointer, record: RecordScanner, index: Int) -> Bool {
    if m.keyEscaped { return names.contains { $0 == Array(record.key(index).utf8) } }
    if mask & (1 << (m.keyTag & 63)) == 0 { return false }
    let len = m.keyEnd - m.keyStart
    let key = UnsafeRawBufferPointer(rebasing: line[m.keyStart..<m.keyEnd])
    for (k, name) in names.enumerated() where tags[k] == m.keyTag && name.count == len {
      if name.withUnsafeBytes({ $0.elementsEqual(key) }) { return true }
    }
    return false
  }
}
