import Foundation

/// Every failure a tool reports, with the exit status DESIGN.md §4 assigns to it.
///
/// Libraries throw these; only the shared `main()` turns them into an exit status.
public enum MIError: Error, Sendable, Equatable {
  /// A record is bad: exit 1. `field` is nil when the line as a whole is bad (malformed JSON, bad UTF-8).
  case data(file: String, line: Int, field: String?, message: String)
  /// The input as a whole is unfit for what was asked (a `--post` that would replace a real run by an empty
  /// one): exit 1, like bad data, with a message that names what was found.
  case refused(String)
  /// The command line is wrong: exit 2.
  case usage(String)
  /// Reference data or the workspace database is missing or inconsistent: exit 3.
  case reference(String)
  /// Input/output or system failure: exit 4.
  case io(String)
  /// The reader of our output went away (`| head`): ends quietly with exit 0.
  case closedPipe

  /// The exit status of this error.
  public var exitCode: Int32 {
    switch self {
    case .data, .refused: return 1
    case .usage: return 2
    case .reference: return 3
    case .io: return 4
    case .closedPipe: return 0
    }
  }

  /// The message without the tool name, in the GNU `file:line: message` form.
  public var message: String {
    switch self {
    case .data(let file, let line, let field, let message):
      if let field { return "\(file):\(line): field \"\(field)\": \(message)" }
      return "\(file):\(line): \(message)"
    case .refused(let m), .usage(let m), .reference(let m), .io(let m): return m
    case .closedPipe: return "closed pipe"
    }
  }
}

/// A problem with one field of one record, before the reader knows its file and line.
///
/// The record loop turns it into `MIError.data` with the position of the line.
public struct FieldError: Error, Sendable, Equatable {
  /// The field the problem is in, or nil for the whole record.
  public var field: String?
  /// What is wrong, lowercase, no final period.
  public var message: String

  /// Creates a field error.
  public init(_ field: String?, _ message: String) {
    self.field = field
    self.message = message
  }

  /// The error at a known position.
  public func at(_ file: String, _ line: Int) -> MIError {
    .data(file: file, line: line, field: field, message: message)
  }
}

/// The text of the current `errno`, as the system says it.
public func systemMessage(_ code: Int32 = errno) -> String {
  String(cString: strerror(code))
}
