import Foundation

/// A checked, buffered output: standard output, or a file written under a temporary name and renamed into place
/// by `finish()`, so that a failed cron run never leaves half a file.
///
/// Every write is checked. A reader that went away (`EPIPE`, with SIGPIPE ignored) throws `MIError.closedPipe`,
/// which the shared `main()` turns into a quiet exit 0; any other failure (a full disk) throws `MIError.io` with
/// the system's message, exit 4.
///
/// Large outputs are written by a second thread: a full buffer is handed over and the record loop goes on with
/// another, so time blocked in `write(2)` (a slow disk's write-back, a full pipe) is not added to the computing
/// time. At most two full buffers wait, so memory stays bounded; the first write error is reported by the next
/// hand-over or by `finish()`. The thread starts with the first hand-over: small outputs never start it.
public final class OutputFile {
  /// The bytes waiting to be written. Builders append here directly; `flushIfNeeded()` writes them out.
  public var buffer: [UInt8] = []
  private let fd: Int32
  private let finalPath: String?
  private let tempPath: String?
  private let name: String
  private var finished = false
  private var writer: BackgroundWriter?
  private static let flushThreshold = 256 * 1024
  /// The capacity of each buffer: a record or two past the threshold fit without growing it.
  static let bufferCapacity = flushThreshold + flushThreshold / 4

  /// Opens standard output (`nil` or `-`) or a temporary file beside `path`.
  public init(path: String?) throws(MIError) {
    buffer.reserveCapacity(OutputFile.bufferCapacity)
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
    if !finished {
      writer?.stop(abandon: true)
      if let tempPath {
        close(fd)
        unlink(tempPath)
      }
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

  /// Hands the buffer to the writing thread once it holds 256 KiB or more.
  @inline(__always)
  public func flushIfNeeded() throws(MIError) {
    if buffer.count >= OutputFile.flushThreshold { try handOver() }
  }

  private func handOver() throws(MIError) {
    if writer == nil { writer = BackgroundWriter(fd: fd, name: name) }
    try writer!.submit(&buffer).get()
  }

  /// Writes out everything buffered, and waits until it is written.
  public func flush() throws(MIError) {
    if let writer {
      if !buffer.isEmpty { try handOver() }
      try writer.drain().get()
    }
    if buffer.isEmpty { return }
    defer { buffer.removeAll(keepingCapacity: true) }
    if let code = BackgroundWriter.writeAll(fd, buffer) { throw error(code) }
  }

  private func error(_ code: Int32) -> MIError {
    code == EPIPE ? .closedPipe : .io("\(name): \(systemMessage(code))")
  }

  /// Flushes, and for a file output syncs and renames the temporary file into place.
  public func finish() throws(MIError) {
    let flushed: Result<Void, MIError>
    do throws(MIError) {
      try flush()
      flushed = .success(())
    } catch {
      flushed = .failure(error)
    }
    writer?.stop(abandon: false)
    writer = nil
    try flushed.get()
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

  /// The thread that writes full buffers, in order, and hands back empty ones.
  final class BackgroundWriter: @unchecked Sendable {
    private let fd: Int32
    private let name: String
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var pending: [[UInt8]] = []
    private var spare: [[UInt8]] = []
    private var busy = false
    private var failure: Int32? = nil
    private var stopping = false
    private var abandoned = false
    private let done = DispatchSemaphore(value: 0)
    private static let maxPending = 2

    init(fd: Int32, name: String) {
      self.fd = fd
      self.name = name
      let thread = Thread { [self] in run() }
      thread.name = "mi-output"
      thread.start()
    }

    /// Queues the full `buffer` (waiting while two are queued) and replaces it with an empty one; the first write
    /// error if there was one.
    ///
    /// Buffers change hands only under the lock, so each is referenced from one place and is reused in place (a
    /// second reference would make the next append copy it into fresh memory).
    func submit(_ buffer: inout [UInt8]) -> Result<Void, MIError> {
      condition.lock()
      defer { condition.unlock() }
      while pending.count >= BackgroundWriter.maxPending && failure == nil { condition.wait() }
      if let code = failure { return .failure(error(code)) }
      pending.append(buffer)
      buffer = spare.popLast() ?? []
      // A fixed size, not the last buffer's capacity: buffers of slightly different sizes would be reallocated
      // at every hand-over, and each new one is fresh memory faulted in page by page.
      if buffer.capacity < OutputFile.bufferCapacity { buffer.reserveCapacity(OutputFile.bufferCapacity) }
      condition.broadcast()
      return .success(())
    }

    /// Waits until every queued buffer is written; the first write error if there was one.
    func drain() -> Result<Void, MIError> {
      condition.lock()
      defer { condition.unlock() }
      while (!pending.isEmpty || busy) && failure == nil { condition.wait() }
      if let code = failure { return .failure(error(code)) }
      return .success(())
    }

    /// Ends the thread once the queue is written (or at once, dropping it, when `abandon`), and waits for it.
    func stop(abandon: Bool) {
      condition.lock()
      stopping = true
      if abandon { abandoned = true }
      condition.broadcast()
      condition.unlock()
      done.wait()
    }

    private func run() {
      condition.lock()
      while true {
        while pending.isEmpty && !stopping { condition.wait() }
        if abandoned || (pending.isEmpty && stopping) { break }
        var b = pending.removeFirst()
        busy = true
        let failed = failure != nil
        condition.unlock()
        let code = failed ? nil : BackgroundWriter.writeAll(fd, b)
        b.removeAll(keepingCapacity: true)
        condition.lock()
        busy = false
        if let code, failure == nil { failure = code }
        spare.append(b)
        b = []  // the spare list holds the only reference before the lock is released
        condition.broadcast()
      }
      condition.unlock()
      done.signal()
    }

    private func error(_ code: Int32) -> MIError {
      code == EPIPE ? .closedPipe : .io("\(name): \(systemMessage(code))")
    }

    /// Writes all of `bytes` to `fd`; the errno of a failure, or nil.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
      bytes.withUnsafeBytes { raw -> Int32? in
        var offset = 0
        while offset < raw.count {
          let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
          if n < 0 {
            if errno == EINTR { continue }
            return errno
          }
          offset += n
        }
        return nil
      }
    }
  }
}

/// Ignores SIGPIPE once, so that a closed pipe is a write error (`EPIPE`) the tool can end on quietly, instead of
/// a kill with status 141 that fails a `set -o pipefail` script.
public func ignoreSIGPIPE() {
  signal(SIGPIPE, SIG_IGN)
}
