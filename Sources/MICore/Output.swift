import Foundation

/// A checked, buffered output: standard output, or a file written under a temporary name and renamed into place
/// by `finish()`, so that a failed cron run never leaves half a file.
///
/// Every write is checked. A reader that went away (`EPIPE`, with SIGPIPE ignored) throws `MIError.closedPipe`,
/// which the shared `main()` turns into a quiet exit 0; any other failure (a full disk) throws `MIError.io` with
/// the system's message, exit 4.
public final class OutputFile {
  /// The bytes waiting to be written. Builders append here directly; `flushIfNeeded()` writes them out.
  public var buffer: [UInt8] = []
  private let fd: Int32
  private let finalPath: String?
  private let tempPath: String?
  private let name: String
  private var finished = false
  private static let flushThreshold = 64 * 1024

  /// Opens standard output (`nil` or `-`) or a temporary file beside `path`.
  public init(path: String?) throws(MIError) {
    buffer.reserveCapacity(OutputFile.flushThreshold * 2)
    ignoreSIGPIPE()
    var st = stat()
    if let path, path != "-", stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
      // A device or a pipe (/dev/stdout, a FIFO): write to it directly; there is nothing to rename.
      let opened = open(path, O_WRONLY | O_CLOEXEC)
      if opened < 0 { throw MIError.io("\(path): \(systemMessage())") }
      fd = opened
      finalPath = nil
      tempPath = nil
      name = path
    } else if let path, path != "-" {
      let dir = (path as NSString).deletingLastPathComponent
      let base = (path as NSString).lastPathComponent
      let temp = (dir.isEmpty ? "" : dir + "/") + ".\(base).tmp-\(getpid())"
      let opened = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      if opened < 0 { throw MIError.io("\(path): \(systemMessage())") }
      fd = opened
      finalPath = path
      tempPath = temp
      name = path
    } else {
      fd = STDOUT_FILENO
      finalPath = nil
      tempPath = nil
      name = "standard output"
    }
  }

  deinit {
    // An output that was never finished (an error ended the run) must not leave its temporary file behind.
    if !finished, let tempPath {
      close(fd)
      unlink(tempPath)
    }
  }

  /// Appends text.
  public func write(_ text: String) throws(MIError) {
    buffer.append(contentsOf: text.utf8)
    try flushIfNeeded()
  }

  /// Appends bytes.
  public func write(_ bytes: UnsafeRawBufferPointer) throws(MIError) {
    buffer.append(contentsOf: bytes)
    try flushIfNeeded()
  }

  /// Writes the buffer out once it holds 64 KiB or more.
  @inline(__always)
  public func flushIfNeeded() throws(MIError) {
    if buffer.count >= OutputFile.flushThreshold { try flush() }
  }

  /// Writes out everything buffered.
  public func flush() throws(MIError) {
    var offset = 0
    let count = buffer.count
    while offset < count {
      let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, count - offset) }
      if n < 0 {
        let code = errno
        if code == EINTR { continue }
        buffer.removeAll(keepingCapacity: true)
        if code == EPIPE { throw MIError.closedPipe }
        throw MIError.io("\(name): \(systemMessage(code))")
      }
      offset += n
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes, and for a file output syncs and renames the temporary file into place.
  public func finish() throws(MIError) {
    try flush()
    finished = true
    if let tempPath, let finalPath {
      if fsync(fd) != 0 || close(fd) != 0 {
        let msg = systemMessage()
        unlink(tempPath)
        throw MIError.io("\(finalPath): \(msg)")
      }
      if rename(tempPath, finalPath) != 0 {
        let msg = systemMessage()
        unlink(tempPath)
        throw MIError.io("\(finalPath): \(msg)")
      }
    }
  }
}

/// Ignores SIGPIPE once, so that a closed pipe is a write error (`EPIPE`) the tool can end on quietly, instead of
/// a kill with status 141 that fails a `set -o pipefail` script.
public func ignoreSIGPIPE() {
  signal(SIGPIPE, SIG_IGN)
}
