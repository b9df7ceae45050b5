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
  /// Where the bytes go: the file descriptor, through the gzip encoder for a `.gz` name.
  private let sink = Sink()
  /// The temporary file's slot in `TempFiles` (removed on a signal), when there is one.
  private var slot: Int? = nil
  private static let flushThreshold = 256 * 1024
  /// The capacity of each buffer: a record or two past the threshold fit without growing it.
  static let bufferCapacity = flushThreshold + flushThreshold / 4

  /// Opens standard output (`nil` or `-`) or a temporary file beside `path`.
  ///
  /// A file output holds personal data (`psn_no`, `certno`, names): its temporary is created with mode 0600, and
  /// the file keeps that mode, or the stricter mode of the file it replaces. The temporary is removed when the run
  /// ends by an error or by SIGTERM, SIGINT or SIGHUP; temporaries of the same output left by runs that were
  /// killed outright are removed first. A name ending in `.gz` is written as gzip.
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
      TempFiles.removeStale(of: path)
      // 0600, or the stricter mode of the file being replaced (0400 stays 0400; 0644 becomes 0600).
      var mode: mode_t = 0o600
      if stat(path, &st) == 0 { mode &= st.st_mode & 0o777 }
      // Registered before it exists, so that a signal between open and the registration cannot leave it behind.
      let registered = TempFiles.register(temp)
      slot = registered
      let opened = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
      if opened < 0 || fchmod(opened, mode) != 0 {
        let msg = systemMessage()
        if opened >= 0 {
          close(opened)
          unlink(temp)
        }
        TempFiles.unregister(registered)
        throw MIError.io("\(path): \(msg)")
      }
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
    if let path, path != "-", path.hasSuffix(".gz") { sink.encoder = GzipEncoder() }
    sink.fd = fd
  }

  deinit {
    // An output that was never finished (an error ended the run) must not leave its temporary file behind.
    if !finished {
      writer?.stop(abandon: true)
      if let tempPath {
        close(fd)
        unlink(tempPath)
        TempFiles.unregister(slot)
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
    if writer == nil { writer = BackgroundWriter(sink: sink, name: name) }
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
    if let code = sink.write(buffer) { throw error(code) }
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
    if let code = sink.end() {
      finished = true
      if let tempPath {
        close(fd)
        unlink(tempPath)
        TempFiles.unregister(slot)
      }
      throw error(code)
    }
    finished = true
    if let tempPath, let finalPath {
      if fsync(fd) != 0 || close(fd) != 0 {
        let msg = systemMessage()
        unlink(tempPath)
        TempFiles.unregister(slot)
        throw MIError.io("\(finalPath): \(msg)")
      }
      if rename(tempPath, finalPath) != 0 {
        let msg = systemMessage()
        unlink(tempPath)
        TempFiles.unregister(slot)
        throw MIError.io("\(finalPath): \(msg)")
      }
      TempFiles.unregister(slot)
    }
  }

  /// The end of the pipe of bytes: writes to the file descriptor, compressing first for a gzip output. Used by
  /// one thread at a time (the writing thread, or the caller once it has stopped or before it starts).
  final class Sink: @unchecked Sendable {
    var fd: Int32 = -1
    var encoder: GzipEncoder? = nil

    /// Writes (or compresses and writes) `bytes`; the errno of a failure, or nil.
    func write(_ bytes: [UInt8]) -> Int32? {
      guard let encoder else { return Sink.writeAll(fd, bytes) }
      let fd = fd
      return bytes.withUnsafeBytes { raw in encoder.encode(raw, finish: false) { Sink.writeAll(fd, $0) } }
    }

    /// Ends a gzip stream with its trailer; the errno of a failure, or nil.
    func end() -> Int32? {
      guard let encoder else { return nil }
      let fd = fd
      return encoder.encode(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { Sink.writeAll(fd, $0) }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
      bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Writes all of `raw` to `fd`; the errno of a failure, or nil.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Int32? {
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

  /// The thread that writes full buffers, in order, and hands back empty ones.
  final class BackgroundWriter: @unchecked Sendable {
    private let sink: Sink
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

    init(sink: Sink, name: String) {
      self.sink = sink
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
        let code = failed ? nil : sink.write(b)
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
  }
}

/// Ignores SIGPIPE once, so that a closed pipe is a write error (`EPIPE`) the tool can end on quietly, instead of
/// a kill with status 141 that fails a `set -o pipefail` script.
public func ignoreSIGPIPE() {
  signal(SIGPIPE, SIG_IGN)
}
