import Foundation
import TOMLKit

/// Policy parameters: one commented TOML file per pool and year, imported as a versioned reference set
/// (`mi-catalog import params FILE --name params-2024`) and read by each tool's own section.
///
/// Values are read by dotted path (`clearing.point_value.mode`). Every accessor names the key in its error.
/// Money and fixed-point values are taken from the TOML number's shortest decimal text, never through binary
/// arithmetic, so `0.85` is exactly 0.85. The params object remembers which keys were read, so an import can
/// report keys that no tool knows (a typo that would silently fall back to a default).
public final class Params: @unchecked Sendable {
  /// The version name (or file name) used in messages.
  public let name: String
  private let root: TOMLTable
  private var used: Set<String> = []

  /// Parses TOML text; a syntax error names the line and column.
  public init(text: String, name: String) throws(MIError) {
    self.name = name
    do {
      root = try TOMLTable(string: text)
    } catch let e as TOMLParseError {
      throw MIError.reference("\(name):\(e.source.begin.line):\(e.source.begin.column): \(e.description)")
    } catch {
      throw MIError.reference("\(name): \(error)")
    }
  }

  /// Reads a params file named on a command line, for trying a file before importing it: nil when `spec` is not
  /// an existing `.toml` file (it is then the name of a params version in the workspace).
  public static func file(_ spec: String) throws(MIError) -> Params? {
    guard spec.hasSuffix(".toml") && FileManager.default.fileExists(atPath: spec) else { return nil }
    guard let data = FileManager.default.contents(atPath: spec), let text = String(data: data, encoding: .utf8) else {
      throw MIError.io("\(spec): cannot read the params file as UTF-8 text")
    }
    return try Params(text: text, name: spec)
  }

  /// Loads the params version `name` from the workspace.
  public static func load(_ workspace: Workspace, name: String) throws(MIError) -> Params {
    let set = try workspace.refSet(name, kind: "params")
    guard let data = try workspace.blob(set, "params.toml"), let text = String(data: data, encoding: .utf8) else {
      throw MIError.reference("\(workspace.path): params '\(name)' has no TOML text")
    }
    return try Params(text: text, name: name)
  }

  private func error(_ key: String, _ message: String) -> MIError {
    MIError.reference("\(name): key \"\(key)\": \(message)")
  }

  /// The value at a dotted path, or nil. Quoted path parts are not needed: each part is one table key.
  public func value(_ key: String) -> TOMLValueConvertible? {
    let parts = Params.split(key)
    var table: TOMLTable = root
    for (i, p) in parts.enumerated() {
      guard let v = table[p] else { return nil }
      if i == parts.count - 1 {
        // A table read as a whole (for its keys) does not vouch for its children: each must be read itself, or
        // unusedKeys() reports it.
        if v.table == nil { used.insert(parts.joined(separator: "\u{1F}")) }
        return v
      }
      guard let t = v.table else { return nil }
      table = t
    }
    return nil
  }

  /// Splits a dotted path; a part in double quotes may hold dots (`capitation.pools."310-general".budget`).
  static func split(_ key: String) -> [String] {
    var parts: [String] = []
    var cur = ""
    var quoted = false
    for ch in key {
      if ch == "\"" { quoted.toggle(); continue }
      if ch == "." && !quoted {
        parts.append(cur)
        cur = ""
      } else {
        cur.append(ch)
      }
    }
    parts.append(cur)
    return parts
  }

  /// Whether the file sets no key at all (empty, comments only, or only empty tables).
  public var isEmpty: Bool {
    func empty(_ t: TOMLTable) -> Bool { t.keys.allSatisfy { k in t[k]?.table.map(empty) ?? false } }
    return empty(root)
  }

  /// Whether the key is present.
  public func has(_ key: String) -> Bool { value(key) != nil }

  /// The names of the keys of a table (sorted), or empty when absent. Marks the table as used.
  public func keys(_ key: String) throws(MIError) -> [String] {
    guard let v = value(key) else { return [] }
    guard let t = v.table else { throw error(key, "expected a table") }
    return t.keys.sorted()
  }

  /// A string.
  public func string(_ key: String) throws(MIError) -> String? {
    guard let v = value(key) else { return nil }
    guard let s = v.string else { throw error(key, "expected a string in double quotes") }
    return s
  }

  /// A string from a closed set of choices.
  public func choice(_ key: String, _ choices: [String], default def: String) throws(MIError) -> String {
    guard let s = try string(key) else { return def }
    guard choices.contains(s) else {
      throw error(key, "expected one of \(choices.joined(separator: ", ")), found \"\(s)\"")
    }
    return s
  }

  /// A boolean.
  public func bool(_ key: String) throws(MIError) -> Bool? {
    guard let v = value(key) else { return nil }
    guard let b = v.bool else { throw error(key, "expected true or false") }
    return b
  }

  /// An integer.
  public func int(_ key: String) throws(MIError) -> Int? {
    guard let v = value(key) else { return nil }
    guard let i = v.int else { throw error(key, "expected an integer") }
    return i
  }

  /// A fixed-point number at `scale` from a TOML integer, float or numeric string; more decimals are an error.
  public func fixed(_ key: String, scale: Int) throws(MIError) -> Fixed? {
    guard let v = value(key) else { return nil }
    guard let text = Params.decimalText(v), let f = Fixed(text, scale: scale) else {
      throw error(key, "expected a number with at most \(scale) decimals")
    }
    return f
  }

  /// Money in fen (yuan with at most two decimals).
  public func fen(_ key: String) throws(MIError) -> Int64? {
    guard let v = value(key) else { return nil }
    guard let text = Params.decimalText(v), let f = Money.parse(text) else {
      throw error(key, "expected an amount in yuan with at most two decimals")
    }
    return f
  }

  /// An array of strings.
  public func strings(_ key: String) throws(MIError) -> [String]? {
    guard let v = value(key) else { return nil }
    guard let a = v.array else { throw error(key, "expected an array of strings") }
    var out: [String] = []
    for e in a {
      guard let s = e.string else { throw error(key, "expected an array of strings") }
      out.append(s)
    }
    return out
  }

  /// An array of tables (`[[clearing.bands]]`), each read through a child `Params` view with its own key prefix.
  public func tables(_ key: String) throws(MIError) -> [TOMLTable] {
    guard let v = value(key) else { return [] }
    guard let a = v.array else { throw error(key, "expected an array of tables") }
    var out: [TOMLTable] = []
    for e in a {
      guard let t = e.table else { throw error(key, "expected an array of tables") }
      out.append(t)
    }
    return out
  }

  /// A value checked to lie in a closed range.
  public func fixed(_ key: String, scale: Int, in range: ClosedRange<Fixed>) throws(MIError) -> Fixed? {
    guard let f = try fixed(key, scale: scale) else { return nil }
    guard range.contains(f) else { throw error(key, "\(f) is outside \(range.lowerBound)…\(range.upperBound)") }
    return f
  }

  /// Reports a key as invalid with `message` (for checks across keys).
  public func invalid(_ key: String, _ message: String) -> MIError { error(key, message) }

  /// Every leaf key of the file that no accessor has read, sorted (unknown keys, usually typos).
  public func unusedKeys() -> [String] {
    var out: [String] = []
    func walk(_ t: TOMLTable, _ prefix: [String]) {
      for k in t.keys.sorted() {
        let path = prefix + [k]
        if used.contains(path.joined(separator: "\u{1F}")) { continue }
        if let sub = t[k]?.table {
          walk(sub, path)
        } else {
          out.append(path.map { $0.contains(".") || $0.contains("-") ? "\"\($0)\"" : $0 }.joined(separator: "."))
        }
      }
    }
    walk(root, [])
    return out
  }

  /// The exact decimal text of a TOML number or numeric string.
  static func decimalText(_ v: TOMLValueConvertible) -> String? {
    if let i = v.int { return String(i) }
    if let d = v.double {
      guard d.isFinite else { return nil }
      let s = d.description
      return s.contains("e") ? nil : s
    }
    if let s = v.string { return s }
    return nil
  }
}
