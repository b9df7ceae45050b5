/// Hospital levels from the registry (ref set kind `hospitals`, attrs `hosp_lv`), for cases without `hosp_lv`:
/// the one loader mi-score and mi-audit share.
public enum HospitalLevels {
  /// Loads `fixmedins_code → hosp_lv` of the registry version `name`.
  public static func load(_ ws: Workspace, name: String) throws(MIError) -> [String: String] {
    let set = try ws.refSet(name, kind: "hospitals")
    var out: [String: String] = [:]
    let scanner = RecordScanner()
    for e in try ws.codes(set) {
      guard var text = e.attrs else { continue }
      let level: String? = text.withUTF8 { buf in
        guard (try? scanner.parse(UnsafeRawBufferPointer(buf))) != nil else { return nil }
        return (try? scanner.code("hosp_lv")) ?? nil
      }
      if let level { out[e.code] = level }
    }
    return out
  }
}
