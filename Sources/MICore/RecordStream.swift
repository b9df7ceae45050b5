import Foundation

/// The options every record-reading tool shares (the flags of `MICommandLine.CommonOptions`).
public struct StreamOptions: Sendable {
  /// `-o FILE`: output file, written atomically; nil or `-` for standard output.
  public var output: String?
  /// `--rejects FILE`: where bad lines go instead of stopping the run.
  public var rejects: String?
  /// `--progress`: show progress even when standard error is not a terminal.
  public var progress: Bool
  /// `--assume-filename NAME`: the name of standard input in messages.
  public var assumeFilename: String?

  /// Creates options.
  public init(output: String? = nil, rejects: String? = nil, progress: Bool = false, assumeFilename: String? = nil) {
    self.output = output
    self.rejects = rejects
    self.progress = progress
    self.assumeFilename = assumeFilename
  }
}

/// The record loop every tool runs: read the inputs line by line, scan each record, let the tool handle it,
/// send bad records to `--rejects` or stop on the first, show progress, and close with the summary line.
///
/// The tool's handler writes its output into `out.buffer` (with a `JSONWriter`); if it throws a `FieldError`
/// anything it wrote for that record is taken back, so a rejected record never leaves half a line.
public final class RecordStream {
  /// The scanner holding the current record.
  public let scanner = RecordScanner()
  /// The output the handler writes into.
  public let out: OutputFile
  /// Records read, written and rejected so far.
  public private(set) var counts = Counts()
  /// The name of the input being read and the current line number (for the handler's own messages).
  public private(set) var position: (file: String, line: Int) = ("-", 0)

  private let inputs: [String]
  private let options: StreamOptions
  private let rejects: RejectSink?
  private let progress: Progress

  /// Opens the output and the rejects file. `inputs` empty means standard input.
  public init(inputs: [String], options: StreamOptions) throws(MIError) {
    self.inputs = inputs.isEmpty ? ["-"] : inputs
    self.options = options
    out = try OutputFile(path: options.output)
    rejects = try options.rejects.map { (p: String) throws(MIError) in try RejectSink(path: p) }
    progress = Progress(force: options.progress)
    Diagnostics.summaryOnError { [self] in "\(Diagnostics.tool): \(counts.summary(["stopped by the error above"]))" }
  }

  /// What the handler did with a record.
  public enum Disposition {
    /// It wrote one output record.
    case written
    /// It consumed the record without writing one (an aggregating tool).
    case consumed
  }

  /// Runs `handler` on every record of every input, in order.
  ///
  /// A `FieldError` from the handler (or a malformed line) rejects the record: with `--rejects` the line goes
  /// there with its reason, otherwise the run stops with `MIError.data` naming file, line and field.
  public func run(_ handler: (RecordScanner) throws -> Disposition) throws {
    do {
      try loop(handler)
    } catch {
      writeWhatCameBefore()
      throw error
    }
  }

  /// A run stopped by an error still writes the records before it (best effort: the error may be the output's
  /// own), as a filter in a pipe should; a record the error cut short was taken back.
  private func writeWhatCameBefore() {
    try? out.flush()
  }

  private func loop(_ handler: (RecordScanner) throws -> Disposition) throws {
    for path in inputs {
      let display = path == "-" ? (options.assumeFilename ?? "-") : path
      let reader = try LineReader(path: path, displayName: display, validateUTF8: false)
      while let line = try reader.nextLine() {
        if isBlank(line) { continue }
        counts.read += 1
        position = (display, reader.lineNumber)
        let mark = out.buffer.count
        do {
          do {
            try scanner.parse(line)  // checks the strings' UTF-8 as it goes
          } catch {
            // A line that is not UTF-8 is named as such, wherever its first bad byte lies.
            if let bad = UTF8Check.firstInvalid(line) { throw FieldError(nil, UTF8Check.message(at: bad)) }
            throw error
          }
          switch try handler(scanner) {
          case .written: counts.written += 1
          case .consumed: break
          }
        } catch let e as FieldError {
          out.buffer.removeSubrange(mark...)
          guard let rejects else { throw e.at(display, reader.lineNumber) }
          try rejects.reject(line, reason: e.at(display, reader.lineNumber).message)
          counts.rejected += 1
        } catch {
          out.buffer.removeSubrange(mark...)
          throw error
        }
        try out.flushIfNeeded()
        progress.update(records: counts.read, consumed: { reader.consumedBytes() }, total: reader.size)
      }
    }
  }

  /// A handler for `run(threads:makeHandler:)`: it writes its output record into the buffer it is given.
  public typealias BatchHandler = (RecordScanner, inout [UInt8]) throws -> Disposition

  /// Runs the records through `threads` workers, each with its own handler from `makeHandler(worker)` (and so
  /// its own state, which the tool merges afterwards), and writes their output in input order: the output, the
  /// rejects and the counts are the same bytes as `run` gives, and so is the first error that stops a run
  /// without `--rejects` (the records before it are written, none after it).
  ///
  /// This thread reads the inputs and cuts them into batches of whole lines (about 1 MB); the workers scan and
  /// handle the batches; this thread then takes each batch's output in order. Memory is bounded by the batches
  /// in flight (two per worker). With `threads` ≤ 1 it is `run`.
  public func run(threads: Int, makeHandler: (Int) -> BatchHandler) throws {
    var none: SHA256? = nil
    try run(threads: threads, digest: &none, makeHandler: makeHandler)
  }

  /// `run(threads:makeHandler:)`, and when `digest` is given every record's bytes and a newline go into it, in
  /// input order (the input SHA-256 of a `--post`ed run, as `aggregate` takes it): this thread, which reads the
  /// lines, feeds it, so it is the same for any number of workers.
  public func run(threads: Int, digest: inout SHA256?, makeHandler: (Int) -> BatchHandler) throws {
    if threads <= 1 {
      let handler = makeHandler(0)
      var d = digest
      defer { digest = d }
      try run { s in
        if d != nil {
          d!.update(s.line)
          d!.update(byte: 0x0A)
        }
        return try handler(s, &out.buffer)
      }
      return
    }
    let pool = WorkerPool(handlers: (0..<threads).map { makeHandler($0) }, keepRejects: rejects != nil)
    defer { pool.stop() }
    do {
      try loop(pool, threads: threads, digest: &digest)
    } catch {
      writeWhatCameBefore()
      throw error
    }
  }

  private func loop(_ pool: WorkerPool, threads: Int, digest: inout SHA256?) throws {
    var inFlight: [Batch] = []
    var read = 0
    func retireOldest() throws {
      let b = inFlight.removeFirst()
      pool.wait(for: b)
      defer { pool.recycle(b) }
      counts.read += b.read
      out.buffer.append(contentsOf: b.output)
      counts.written += b.written
      if let rejects {
        for r in b.rejects {
          let line = b.bytes.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[r.start..<r.end]) }
          try rejects.reject(line, reason: r.reason)
        }
      }
      counts.rejected += b.rejects.count
      try out.flushIfNeeded()
      if let failure = b.failure { throw failure }
    }
    for path in inputs {
      let display = path == "-" ? (options.assumeFilename ?? "-") : path
      let reader = try LineReader(path: path, displayName: display, validateUTF8: false)
      var batch = pool.batch(display)
      while let line = try reader.nextLine() {
        if isBlank(line) { continue }
        if digest != nil {
          digest!.update(line)
          digest!.update(byte: 0x0A)
        }
        batch.append(line, number: reader.lineNumber)
        read += 1
        if read & 8191 == 0 { progress.update(records: read, consumed: { reader.consumedBytes() }, total: reader.size) }
        if batch.bytes.count >= Batch.targetBytes {
          if inFlight.count >= 2 * threads { try retireOldest() }
          pool.submit(batch)
          inFlight.append(batch)
          batch = pool.batch(display)
        }
      }
      if batch.ends.isEmpty {
        pool.recycle(batch)
      } else {
        if inFlight.count >= 2 * threads { try retireOldest() }
        pool.submit(batch)
        inFlight.append(batch)
      }
    }
    while !inFlight.isEmpty { try retireOldest() }
  }

  /// Counts records written outside the handler (`emit` and `emitPartials` do; executables call those).
  func countWritten(_ n: Int = 1) { counts.written += n }

  /// Writes records made outside the handler (an aggregating tool's results, written at the end): `write` appends
  /// whole lines to the output and returns how many; they are counted and the output is flushed when full.
  @discardableResult
  public func emit(_ write: (inout [UInt8]) throws -> Int) throws -> Int {
    let n = try write(&out.buffer)
    counts.written += n
    try out.flushIfNeeded()
    return n
  }

  /// Writes one whole record line (ending in a newline) made outside the handler, as `emit(_:)` does.
  public func emit(line: [UInt8]) throws {
    try emit { b in
      b.append(contentsOf: line)
      return 1
    }
  }

  /// Flushes and closes the output and the rejects file, then prints the summary line with `extra` parts.
  public func finish(extra: [String] = []) throws(MIError) {
    try out.finish()
    try rejects?.finish()
    Diagnostics.summaryOnError(nil)
    Diagnostics.line("\(Diagnostics.tool): \(counts.summary(extra))")
  }

  private func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
    for c in line where c != 0x20 && c != 0x09 { return false }
    return true
  }
}

/// Lines of one input for a worker of `RecordStream.run(threads:makeHandler:)`, and what the worker made of them.
final class Batch: @unchecked Sendable {
  /// Input bytes per batch.
  static let targetBytes = 1 << 20

  var display = ""
  /// The lines back to back, each ending at `ends[i]`, with its line number in the input.
  var bytes: [UInt8] = []
  var ends: [Int] = []
  var numbers: [Int] = []
  /// Set by the worker: the output records, the rejected lines with their reasons, the counts, and the error
  /// that stopped the batch (the records after it are not handled).
  var output: [UInt8] = []
  var rejects: [(start: Int, end: Int, reason: String)] = []
  var read = 0
  var written = 0
  var failure: Error? = nil
  var done = false

  init() {
    bytes.reserveCapacity(Batch.targetBytes + Batch.targetBytes / 4)
    output.reserveCapacity(Batch.targetBytes + Batch.targetBytes / 2)
  }

  func append(_ line: UnsafeRawBufferPointer, number: Int) {
    bytes.append(contentsOf: line)
    ends.append(bytes.count)
    numbers.append(number)
  }

  func reset(_ name: String) {
    display = name
    bytes.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    numbers.removeAll(keepingCapacity: true)
    output.removeAll(keepingCapacity: true)
    rejects.removeAll(keepingCapacity: true)
    read = 0
    written = 0
    failure = nil
    done = false
  }

  /// Scans and handles every line, as `RecordStream.run` does for one.
  func process(_ scanner: RecordScanner, _ handler: RecordStream.BatchHandler, keepRejects: Bool) {
    var start = 0
    for (k, end) in ends.enumerated() {
      read += 1
      let mark = output.count
      do {
        let disposition: RecordStream.Disposition = try bytes.withUnsafeBytes { all in
          let line = UnsafeRawBufferPointer(rebasing: all[start..<end])
          do {
            try scanner.parse(line)
          } catch {
            if let bad = UTF8Check.firstInvalid(line) { throw FieldError(nil, UTF8Check.message(at: bad)) }
            throw error
          }
          return try handler(scanner, &output)
        }
        if case .written = disposition { written += 1 }
      } catch let e as FieldError {
        output.removeSubrange(mark...)
        let located = e.at(display, numbers[k])
        guard keepRejects else {
          failure = located
          return
        }
        rejects.append((start, end, located.message))
      } catch {
        output.removeSubrange(mark...)
        failure = error
        return
      }
      start = end
    }
  }
}

/// The worker threads of `RecordStream.run(threads:makeHandler:)` and the batches they share.
final class WorkerPool: @unchecked Sendable {
  private let condition = NSCondition()
  // Guarded by `condition`:
  private var queue: [Batch] = []
  private var stopping = false
  private var spare: [Batch] = []
  private let finished: DispatchSemaphore
  private let count: Int

  init(handlers: [RecordStream.BatchHandler], keepRejects: Bool) {
    count = handlers.count
    finished = DispatchSemaphore(value: 0)
    for (i, h) in handlers.enumerated() {
      let worker = Worker(handler: h)
      let thread = Thread { [self] in
        while let b = self.next() {
          b.process(worker.scanner, worker.handler, keepRejects: keepRejects)
          self.complete(b)
        }
        self.finished.signal()
      }
      thread.name = "mi-worker-\(i)"
      thread.start()
    }
  }

  /// One worker's scanner and handler, used by its thread alone.
  private final class Worker: @unchecked Sendable {
    let scanner = RecordScanner()
    let handler: RecordStream.BatchHandler
    init(handler: @escaping RecordStream.BatchHandler) { self.handler = handler }
  }

  /// An empty batch for input `display` (a recycled one when there is one: its memory is already in place).
  func batch(_ display: String) -> Batch {
    condition.lock()
    let b = spare.popLast() ?? Batch()
    condition.unlock()
    b.reset(display)
    return b
  }

  func recycle(_ b: Batch) {
    condition.lock()
    spare.append(b)
    condition.unlock()
  }

  func submit(_ b: Batch) {
    condition.lock()
    queue.append(b)
    condition.broadcast()
    condition.unlock()
  }

  func wait(for b: Batch) {
    condition.lock()
    while !b.done { condition.wait() }
    condition.unlock()
  }

  private func next() -> Batch? {
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty && !stopping { condition.wait() }
    if stopping { return nil }
    return queue.removeFirst()
  }

  private func complete(_ b: Batch) {
    condition.lock()
    b.done = true
    condition.broadcast()
    condition.unlock()
  }

  /// Ends the workers (batches still queued are dropped) and waits for them.
  func stop() {
    condition.lock()
    stopping = true
    queue.removeAll()
    condition.broadcast()
    condition.unlock()
    for _ in 0..<count { finished.wait() }
  }
}
