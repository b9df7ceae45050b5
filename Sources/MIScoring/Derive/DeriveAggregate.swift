import MICore

extension Deriver: Aggregate {
  /// Adds one historical case (`add(_:)`).
  public func add(record: RecordScanner) throws { try add(record) }

  /// Adds one derive-partial record (`addPartial(_:)`) after its file's header (`PartialHeaderReader`).
  public func merge(partial record: RecordScanner, file: String, line: Int) throws {
    if try partialHeaders.read(record, file: file, line: line) { return }
    try addPartial(record)
  }

  /// The header and the derive-partial records (`writePartial`), one line at a time.
  public func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    try emit(partialHeaders.expected.line())
    var n = 1
    try writePartial { line in
      try emit(line)
      n += 1
    }
    return n
  }
}
