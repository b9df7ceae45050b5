import Foundation
import MICore
import MIReport

/// The hospital registry of `mi-report --hospitals`: a `hospitals` version of the workspace, or a registry CSV file
/// (the columns `mi-catalog import hospitals` reads), for names beside codes, levels and payment methods. Here
/// rather than in MIReport because MIReference checks a params version's `[targets]` through MIReport.
public enum Registry {
  /// Loads `spec`: an existing file ending in `.csv` is read directly (checked as the import checks it), anything
  /// else names a version in the workspace `open()` gives.
  public static func load(_ spec: String, workspace open: () throws(MIError) -> Workspace) throws(MIError)
    -> [String: HospitalInfo]
  {
    let entries: [CodeEntry]
    if spec.hasSuffix(".csv") && FileManager.default.fileExists(atPath: spec) {
      entries = try HospitalRegistry.read(spec)
    } else {
      let ws = try open()
      entries = try ws.codes(try ws.refSet(spec, kind: "hospitals"))
    }
    var out: [String: HospitalInfo] = [:]
    let scanner = RecordScanner()
    for e in entries {
      var level = ""
      var payment = ""
      if var text = e.attrs {
        text.withUTF8 { buf in
          guard (try? scanner.parse(UnsafeRawBufferPointer(buf))) != nil else { return }
          level = ((try? scanner.code("hosp_lv")) ?? nil) ?? ""
          payment = ((try? scanner.string("payment")) ?? nil) ?? ""
        }
      }
      out[e.code] = HospitalInfo(name: e.name, level: level, payment: payment)
    }
    return out
  }
}
