import Foundation
import MICore

// Reading a case: the normalised record R built from a record's fields, with the warnings that reading finds.

extension DRGGrouper {
  /// Sets `R.gender` from its text (nil or empty: missing).
  func setGender(_ g: String?) {
    guard let g, !g.isEmpty else { return }
    genderText = g
    gender = -2
    let bytes = Array(g.utf8)
    for (i, known) in engine.genders.enumerated() where known == bytes { gender = Int32(i) }
  }

  /// Builds R from the current record (FORMAT.md §2).
  func read(_ s: RecordScanner) throws(FieldError) {
    reset()
    // `as StaticString` picks the scanner's allocation-free overload (a bare literal would pick the String one).
    if let i = s.index("gend" as StaticString) { readGender(s, i) }
    age = number(s, s.index("age" as StaticString), "age")
    if let i = s.index("nwb_age" as StaticString) {
      ageDays = number(s, i, "nwb_age")
    }
    if ageDays.state == 0 && age.state == 1 && age.value >= 1 { ageDays = DRGNumber(state: 1, value: age.value &* 365) }
    weight = number(s, s.index("nwb_bir_wt" as StaticString), "nwb_bir_wt")
    if let i = s.index("diag_codes" as StaticString) { try readCodes(s, i, "diag_codes", into: &dx, isDx: true) }
    if dx.isEmpty { dx.append(-1) }  // FORMAT.md §2: an absent or empty list is [""], matching nothing
    if let i = s.index("oprn_codes" as StaticString) { try readCodes(s, i, "oprn_codes", into: &px, isDx: false) }
    noteSexConflicts()
  }

  @inline(__always)
  private func number(_ s: RecordScanner, _ i: Int?, _ field: String) -> DRGNumber {
    guard let i else { return DRGNumber() }
    do {
      guard let v = try s.int(at: i, field: field) else { return DRGNumber() }
      return DRGNumber(state: 1, value: v)
    } catch {
      return DRGNumber(state: 2, value: 0)
    }
  }

  private func readGender(_ s: RecordScanner, _ i: Int) {
    let raw = s.rawValue(i)
    guard raw.count >= 2, raw[0] == UInt8(ascii: "\"") else {
      // A number (`1`, `1.0`) or another type: normalised through the scanner's code reading.
      setGender(
        (try? s.code(at: i, field: "gend"))
          ?? (raw.first == UInt8(ascii: "n") ? nil : String(decoding: raw, as: UTF8.self)))
      return
    }
    let body = UnsafeRawBufferPointer(rebasing: raw[1..<(raw.count - 1)])
    if body.isEmpty { return }
    if body.contains(UInt8(ascii: "\\")) {
      setGender(try? s.code(at: i, field: "gend"))
      return
    }
    gender = genderLookup.lookup(body.baseAddress!, body.count).id
    if gender >= 0 { return }
    gender = -2
    genderText = String(decoding: body, as: UTF8.self)
  }

  /// Reads an array of codes straight from the line's bytes; escapes and numbers go through the scanner.
  private func readCodes(
    _ s: RecordScanner, _ i: Int, _ field: String, into out: inout DRGCodeList, isDx: Bool
  ) throws(FieldError) {
    let raw = s.rawValue(i)
    guard let base = raw.baseAddress, raw.count > 0 else { return }
    if raw[0] == UInt8(ascii: "n") { return }
    guard raw[0] == UInt8(ascii: "[") else {
      _ = try s.forEachString(at: i, field: field) { _ in }  // throws the scanner's own message
      return
    }
    let n = raw.count
    var p = 1
    @inline(__always) func space() {
      while p < n, raw[p] == 0x20 || raw[p] == 0x09 || raw[p] == 0x0A || raw[p] == 0x0D { p += 1 }
    }
    space()
    if p < n && raw[p] == UInt8(ascii: "]") { return }
    while p < n {
      guard raw[p] == UInt8(ascii: "\"") else { return try readCodesSlowly(s, i, field, into: &out, isDx: isDx) }
      let start = p + 1
      var e = start
      while e < n && raw[e] != UInt8(ascii: "\"") {
        if raw[e] == UInt8(ascii: "\\") { return try readCodesSlowly(s, i, field, into: &out, isDx: isDx) }
        e += 1
      }
      let (id, attributes) = codeLookup.lookup(base + start, e - start)
      out.append(id)
      if isDx && attributes >= 4 { sexSpecific = true }
      if id < 0 || attributes & (isDx ? 1 : 2) == 0 {
        noteCode(String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<e]), as: UTF8.self), id, dx: isDx)
      }
      p = e + 1
      space()
      if p < n && raw[p] == UInt8(ascii: ",") {
        p += 1
        space()
        continue
      }
      return
    }
  }

  private func readCodesSlowly(
    _ s: RecordScanner, _ i: Int, _ field: String, into out: inout DRGCodeList, isDx: Bool
  ) throws(FieldError) {
    out.removeAll()
    var codes: [String] = []
    _ = try s.forEachString(at: i, field: field) { codes.append($0) }
    // Warnings of the fast pass for this field are dropped and made again here.
    warnings.removeAll { $0.hasPrefix(isDx ? DRGWarning.dxPrefix : DRGWarning.pxPrefix) }
    sexSpecific = true
    for c in codes {
      let id = engine.codes.lookup(c)
      out.append(id)
      noteCode(c, id, dx: isDx)
    }
  }

  /// Warns of a code absent from its dictionary (when the scheme has dictionaries).
  func noteCode(_ code: String, _ id: Int32, dx isDx: Bool) {
    guard engine.hasDictionaries else { return }
    if id >= 0 && inDictionary[Int(id)] & (isDx ? 1 : 2) != 0 { return }
    warnings.append(isDx ? DRGWarning.dx(code) : DRGWarning.px(code))
  }

  /// Warns of each diagnosis that belongs to the other sex.
  func noteSexConflicts() {
    guard gender >= 0 && sexSpecific else { return }
    for id in dx where id >= 0 {
      let need = sexOfDx[Int(id)]
      if need >= 0 && need != gender && engine.genders[Int(need)].count == 1 && engine.genders[Int(gender)].count == 1 {
        let g = String(decoding: engine.genders[Int(gender)], as: UTF8.self)
        let n = String(decoding: engine.genders[Int(need)], as: UTF8.self)
        warnings.append(DRGWarning.sex(engine.codes.code(id), mdc: engine.sexMDC[need] ?? "", need: n, gender: g))
      }
    }
  }
}

/// The texts of `group_warnings`.
enum DRGWarning {
  /// Start of a diagnosis-dictionary warning.
  static let dxPrefix = "诊断编码不在诊断字典中："
  /// Start of a procedure-dictionary warning.
  static let pxPrefix = "手术操作编码不在手术操作字典中："

  /// A diagnosis code absent from the dictionary.
  static func dx(_ code: String) -> String { dxPrefix + code }
  /// A procedure code absent from the dictionary.
  static func px(_ code: String) -> String { pxPrefix + code }
  /// A diagnosis that only one sex can have.
  static func sex(_ code: String, mdc: String, need: String, gender: String) -> String {
    "诊断与性别不符：\(code) 属 \(mdc)（性别 \(need)），病人性别 \(gender)"
  }
}
