import Foundation
import MICore

extension ClearingParams {
  /// The [clearing] section for `mi-clear`. An imported version was checked by mi-catalog; a file tried directly
  /// gets the same check of its [clearing] keys, so a typo is an error rather than a silent default.
  public static func loadForClearing(_ p: Params) throws(MIError) -> ClearingParams {
    let params = try load(p)
    if let typo = p.unusedKeys().first(where: { $0.hasPrefix("clearing.") }) {
      throw p.invalid(typo, "unknown key: mi-clear does not read it")
    }
    return params
  }
}

extension BenefitPolicy {
  /// Reads the benefit policy file (TOML) at `path`; a file that cannot be read or is not UTF-8 is an I/O error.
  public static func load(file path: String) throws(MIError) -> BenefitPolicy {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw MIError.io("\(path): cannot read the policy file")
    }
    return try load(try Params(text: text, name: path))
  }
}

extension BenefitSimulation {
  /// The cases no benefit rule matched, over every pool and hospital.
  public var unmatched: Int64 { totals.values.reduce(0) { $0 + $1.unmatched } }
}
