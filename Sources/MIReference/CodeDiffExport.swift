import Foundation
import MICore

/// The code-level difference of two sorted code lists.
public enum CodeDiff {
  /// `+`, `-` and `~` lines in code order.
  public static func lines(_ old: [CodeEntry], _ new: [CodeEntry]) -> [String] {
    var out: [String] = []
    var i = 0
    var j = 0
    while i < old.count || j < new.count {
      if j >= new.count || (i < old.count && old[i].code < new[j].code) {
        out.append("-\t\(old[i].code)\t\(old[i].name)")
        i += 1
      } else if i >= old.count || new[j].code < old[i].code {
        out.append("+\t\(new[j].code)\t\(new[j].name)")
        j += 1
      } else {
        if old[i].name != new[j].name {
          out.append("~\t\(old[i].code)\t\(old[i].name)\t\(new[j].name)")
        } else if old[i].attrs != new[j].attrs {
          out.append("~\t\(old[i].code)\t\(old[i].attrs ?? "")\t\(new[j].attrs ?? "")")
        }
        i += 1
        j += 1
      }
    }
    return out
  }
}

/// A code set as TSV: a header (code, name, then one column per attribute any entry has, in first-seen order) and
/// one row per entry.
public enum CodeExport {
  /// The header and the rows, without line ends. `columns` (the names the version was imported with, from its
  /// meta: `importedColumns`) replace the header's names when there are as many; a version imported before they
  /// were kept has none and keeps the header `code`, `name`, attributes.
  public static func tsvLines(_ codes: [CodeEntry], columns: [String]? = nil) -> [String] {
    let attrKeys = attributeKeys(codes)
    var header = ["code", "name"] + attrKeys
    // A name holding a tab or line break would break the TSV header; such a header is not used.
    if let columns, columns.count == header.count,
      !columns.contains(where: { $0.contains { $0 == "\t" || $0.isNewline } })
    {
      header = columns
    }
    var lines = [header.joined(separator: "\t")]
    for c in codes {
      var row = [c.code, c.name]
      if !attrKeys.isEmpty {
        let values = attributes(c.attrs)
        row += attrKeys.map { values[$0] ?? "" }
      }
      lines.append(row.joined(separator: "\t"))
    }
    return lines
  }

  /// The meta of a code version imported with the header `columns`: `{"columns":[…]}`, or `{}` without one.
  public static func columnsMeta(_ columns: [String]?) -> String {
    guard let columns else { return "{}" }
    var b: [UInt8] = []
    var w = JSONWriter()
    w.begin(&b)
    w.strings("columns", columns, &b)
    b.append(UInt8(ascii: "}"))
    return String(decoding: b, as: UTF8.self)
  }

  /// The header names a version's `meta` keeps (`columnsMeta`), nil when it keeps none.
  public static func importedColumns(_ meta: String) -> [String]? {
    (try? TestableRecord.scan(meta) { s in try s.strings("columns") }) ?? nil
  }

  /// The attribute names used by any entry, in first-seen order.
  private static func attributeKeys(_ codes: [CodeEntry]) -> [String] {
    var keys: [String] = []
    for c in codes {
      for k in attributeOrder(c.attrs) where !keys.contains(k) { keys.append(k) }
    }
    return keys
  }

  private static func attributeOrder(_ attrs: String?) -> [String] {
    guard let attrs else { return [] }
    return (try? TestableRecord.scan(attrs) { s in (0..<s.members.count).map { s.key($0) } }) ?? []
  }

  private static func attributes(_ attrs: String?) -> [String: String] {
    guard let attrs else { return [:] }
    return
      (try? TestableRecord.scan(attrs) { s in
        var out: [String: String] = [:]
        for i in 0..<s.members.count {
          let k = s.key(i)
          out[k] = (try? s.code(k)) ?? String(decoding: s.rawValue(i), as: UTF8.self)
        }
        return out
      }) ?? [:]
  }
}

/// Scans a JSON object held in a String.
enum TestableRecord {
  static func scan<T>(_ text: String, _ body: (RecordScanner) throws -> T) throws -> T {
    var t = text
    return try t.withUTF8 { buf in
      let s = RecordScanner()
      try s.parse(UnsafeRawBufferPointer(buf))
      return try body(s)
    }
  }
}

extension CodeDiff {
  /// The summary of change lines: `added N, removed N, changed N` (`+` lines, `-` lines, the others).
  public static func summary(_ lines: [String]) -> String {
    let added = lines.filter { $0.hasPrefix("+") }.count
    let removed = lines.filter { $0.hasPrefix("-") }.count
    return "added \(added), removed \(removed), changed \(lines.count - added - removed)"
  }
}
