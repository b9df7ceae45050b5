import MICore

/// The 主诊医师 of each settlement (`mi-audit doctors --cases FILE`): case rules (分解住院, 低标准入院, …) find a
/// settlement, not a fee line, so their findings name no billing doctor; the case's `chfpdr_code` is the doctor
/// they are charged to (AUDIT.md §3 G02: "confirmed findings with `bilg_dr_codg`/`chfpdr_code`"). Memory: one
/// entry per case with a `chfpdr_code`.
public struct CaseDoctors: Sendable {
  /// `setl_id` → `chfpdr_code`.
  public private(set) var bySettlement: [String: String] = [:]

  /// Creates an empty table.
  public init() {}

  /// Reads the case records of `path` (`setl_id` required, `chfpdr_code` optional; other fields are ignored); a
  /// bad record stops with its file, line and field. Every record's bytes go into `digest` when one is given.
  public mutating func read(_ path: String, digest: inout SHA256?) throws(MIError) {
    var table = bySettlement
    try SideFile.forEachRecord(path, digest: &digest) { (s, _) throws(FieldError) in
      guard let setl = try s.code("setl_id") else { throw FieldError("setl_id", "missing") }
      if let doctor = try s.code("chfpdr_code") { table[setl] = doctor }
    }
    bySettlement = table
  }

  /// The doctor of a finding: its `bilg_dr_codg`, else its `chfpdr_code`, else its settlement's 主诊医师.
  public func doctor(of f: FindingRecord) -> String? {
    f.doctor ?? f.setlID.flatMap { bySettlement[$0] }
  }
}
