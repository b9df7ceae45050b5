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
  /// Where the parameters come from, which decides the exit status of their errors (DESIGN.md §4).
  public enum Origin: Sendable {
    /// A file named on the command line (`--params p.toml`, `mi-catalog import params p.toml`): a bad value is
    /// a usage error, exit 2.
    case file
    /// A params version stored in the workspace: a bad value is a reference-data error, exit 3.
    case workspace
  }

  /// The version name (or file name) used in messages.
  public let name: String
  /// Where the text comes from.
  public let origin: Origin
  private let root: TOMLTable
  private let text: String
  private var used: Set<String> = []

  /// Parses TOML text; a syntax error names the line and column.
  public init(text: String, name: String, origin: Origin = .file) throws(MIError) {
    self.name = name
    self.origin = origin
    self.text = text
    do {
      root = try TOMLTable(string: text)
    } catch let e as TOMLParseError {
      throw Params.failure(origin, "\(name):\(e.source.begin.line):\(e.source.begin.column): \(e.description)")
    } catch {
      throw Params.failure(origin, "\(name): \(error)")
    }
  }

  /// The error of a bad params text: usage (exit 2) for a file of the command line, reference (exit 3) for a
  /// workspace version.
  static func failure(_ origin: Origin, _ message: String) -> MIError {
    origin == .file ? .usage(message) : .reference(message)
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
    return try Params(text: text, name: name, origin: .workspace)
  }

  /// An error about `key`, naming the file (or version), the key's line and the key:
  /// `p.toml:12: key "scoring.dip.low_cmp": …` (issue 12 item 6). A key that is absent is placed at the line
  /// of the nearest table or key that holds it; without any, the line is left out.
  private func error(_ key: String, _ message: String) -> MIError {
    let at = line(of: key).map { ":\($0)" } ?? ""
    return Params.failure(origin, "\(name)\(at): key \"\(key)\": \(message)")
  }

  /// The line (1-based) of `key` (a dotted path as the accessors take it; `[i]` array indices are ignored) in the
  /// TOML text, else of the longest prefix of it that a table header or key line names; nil when none.
  ///
  /// TOMLKit keeps no source positions for values, so the text is scanned: table headers (`[a.b]`, `[[a.b]]`)
  /// set the current table, `k = v` and dotted `a.b = v` lines name keys inside it; comments, strings and the
  /// continuation lines of multi-line arrays or strings are skipped. This one helper serves every params reader.
  public func line(of key: String) -> Int? {
    let want = Params.split(key).map { part -> String in
      // `high_bands[1]` → `high_bands`.
      if let b = part.firstIndex(of: "["), part.hasSuffix("]") { return String(part[..<b]) }
      return part
    }.filter { !$0.isEmpty }
    var table: [String] = []
    var best: (length: Int, line: Int)?
    var depth = 0  // open brackets of a multi-line value
    var inMultiline: String? = nil  // the closing delimiter of a multi-line string
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var lineText = Substring(raw)
      if let close = inMultiline {
        guard let r = lineText.range(of: close) else { continue }
        lineText = lineText[r.upperBound...]
        inMultiline = nil
        continue
      }
      if depth > 0 {
        depth += Params.bracketBalance(lineText, &inMultiline)
        continue
      }
      let t = lineText.drop { $0 == " " || $0 == "\t" }
      if t.isEmpty || t.hasPrefix("#") { continue }
      var path: [String]
      if t.hasPrefix("[") {
        let inner = t.drop { $0 == "[" }
        guard let end = Params.unquotedIndex(of: "]", in: inner) else { continue }
        table = Params.keyParts(inner[..<end])
        path = table
      } else {
        guard let eq = Params.unquotedIndex(of: "=", in: t) else { continue }
        path = table + Params.keyParts(t[..<eq])
        depth = max(0, Params.bracketBalance(t[t.index(after: eq)...], &inMultiline))
      }
      var n = 0
      while n < path.count && n < want.count && path[n] == want[n] { n += 1 }
      // A line counts when its whole path is a prefix of the key (the key itself, or a table holding it).
      guard n == path.count, n > 0 else { continue }
      if best == nil || n > best!.length { best = (n, i + 1) }
      if n == want.count { return i + 1 }
    }
    return best?.line
  }

  /// The parts of a TOML key or table name (`a."b.c" . d` → a, b.c, d).
  static func keyParts(_ s: Substring) -> [String] {
    var parts: [String] = []
    var cur = ""
    var quote: Character? = nil
    for ch in s {
      if let q = quote {
        if ch == q { quote = nil } else { cur.append(ch) }
      } else if ch == "\"" || ch == "'" {
        quote = ch
      } else if ch == "." {
        parts.append(cur)
        cur = ""
      } else if ch != " " && ch != "\t" {
        cur.append(ch)
      }
    }
    parts.append(cur)
    return parts
  }

  /// The first `target` outside quotes, before any comment.
  static func unquotedIndex(of target: Character, in s: Substring) -> Substring.Index? {
    var found: Substring.Index? = nil
    var multiline: String? = nil
    forEachUnquoted(s, &multiline) { i, ch in
      if ch == target { found = i }
      return found == nil
    }
    return found
  }

  /// Open minus closed brackets and braces of a value text outside strings and comments; sets `multiline` to the
  /// closing delimiter when a multi-line string opens and does not close on this line.
  static func bracketBalance(_ s: Substring, _ multiline: inout String?) -> Int {
    var balance = 0
    forEachUnquoted(s, &multiline) { _, ch in
      if ch == "[" || ch == "{" {
        balance += 1
      } else if ch == "]" || ch == "}" {
        balance -= 1
      }
      return true
    }
    return balance
  }

  /// Calls `visit` with each character of `s` outside strings (the quotes excluded) up to a comment, until it
  /// returns false. A `"""` or `'''` string is passed over whole; one that does not close on this line sets
  /// `multiline` to its delimiter and ends the walk.
  static func forEachUnquoted(
    _ s: Substring, _ multiline: inout String?, _ visit: (Substring.Index, Character) -> Bool
  ) {
    var quote: Character? = nil
    var i = s.startIndex
    while i < s.endIndex {
      let ch = s[i]
      if let q = quote {
        if ch == "\\" && q == "\"" {
          i = s.index(after: i)
          if i == s.endIndex { break }
        } else if ch == q {
          quote = nil
        }
      } else if ch == "\"" || ch == "'" {
        let triple = String(repeating: ch, count: 3)
        if s[i...].hasPrefix(triple) {
          let after = s.index(i, offsetBy: 3)
          guard let r = s[after...].range(of: triple) else {
            multiline = triple
            return
          }
          i = r.upperBound
          continue
        }
        quote = ch
      } else if ch == "#" {
        break
      } else if !visit(i, ch) {
        return
      }
      i = s.index(after: i)
    }
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

  /// SHA-256 (hex) of every leaf key under `section` and its value, one `path=value` line each, sorted by path:
  /// the same values give the same digest whether they come from a workspace version or a `.toml` file (comments
  /// and layout aside). Reading them this way does not count as use (`unusedKeys`).
  public func digest(section: String) -> String {
    var t = ""
    func walk(_ table: TOMLTable, _ prefix: String) {
      for k in table.keys.sorted() {
        guard let v = table[k] else { continue }
        if let sub = v.table { walk(sub, prefix + k + ".") } else { t += "\(prefix)\(k)=\(v)\n" }
      }
    }
    if let s = root[section]?.table { walk(s, section + ".") }
    return PartialHeader.digest(t)
  }

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
