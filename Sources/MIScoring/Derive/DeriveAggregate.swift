import MICore

extension Deriver: Aggregate {
  /// Adds one historical case (`add(_:)`).
  public func add(record: RecordScanner) throws { try add(record) }

  /// The header of the run's partials (`DeriveOptions.partialHeader`).
  public var partialHeader: PartialHeader { options.partialHeader }

  /// Adds one derive-partial record (`addPartial(_:)`).
  public func merge(partial record: RecordScanner) throws { try addPartial(record) }

  /// The derive-partial records (`writePartial`), one line at a time.
  public func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    var n = 0
    try writePartial { line in
      try emit(line)
      n += 1
    }
    return n
  }
}
