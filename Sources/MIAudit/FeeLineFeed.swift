import Foundation
import MICore

/// Reads and parses fee lines on a second thread, in batches, while the rules run on the caller's (the machine
/// has two cores: reading and parsing a line costs about as much as the rules over it).
///
/// Bad lines are rejected (or stop the run) on the reading thread, in input order, as the sequential loop would;
/// an error reaches the caller after the lines before it. `stop()` ends the reading early (a visit key came back:
/// the caller starts again, regrouped); `position` is then the number of input lines the reader had read, whose
/// rejects are already written.
final class FeeLineFeed: @unchecked Sendable {
  /// A parsed line and the hash of its visit key (0: the line has no setl_id nor mdtrt_id).
  struct Item {
    var line: FeeLine
    var key: UInt64
  }

  private let cond = NSCondition()
  private var queue: [[Item]] = []
  private var finished = false
  private var stopping = false
  private var failure: Error?
  private let loop: RecordLoop
  private let sources: [AuditSource]
  static let batch = 4096
  static let depth = 4

  init(sources: [AuditSource], loop: RecordLoop) {
    self.sources = sources
    self.loop = loop
  }

  /// Starts the reading thread.
  func start() {
    let t = Thread { [self] in read() }
    t.stackSize = 1 << 22
    t.start()
  }

  private func read() {
    let reader = FeeReader()
    var batch: [Item] = []
    batch.reserveCapacity(FeeLineFeed.batch)
    var seq = 0
    do {
      try loop.run(sources) { s, _, _ in
        let key = reader.visitKey(s).map { PersonSet.hash($0) } ?? 0
        batch.append(Item(line: try reader.read(s, seq: seq), key: key))
        seq += 1
        if batch.count == FeeLineFeed.batch {
          guard push(batch) else { return false }
          batch.removeAll(keepingCapacity: true)
        }
        return true
      }
      if !batch.isEmpty { _ = push(batch) }
    } catch {
      cond.lock()
      failure = error
      cond.unlock()
    }
    cond.lock()
    finished = true
    cond.broadcast()
    cond.unlock()
  }

  /// Queues a batch; false when the caller stopped the reading.
  private func push(_ b: [Item]) -> Bool {
    cond.lock()
    defer { cond.unlock() }
    while queue.count >= FeeLineFeed.depth && !stopping { cond.wait() }
    if stopping { return false }
    queue.append(b)
    cond.broadcast()
    return true
  }

  /// The next batch, nil at the end; the reader's error once the batches before it are taken.
  func next() throws -> [Item]? {
    cond.lock()
    defer { cond.unlock() }
    while queue.isEmpty && !finished { cond.wait() }
    if !queue.isEmpty {
      let b = queue.removeFirst()
      cond.broadcast()
      return b
    }
    if let failure { throw failure }
    return nil
  }

  /// Ends the reading early and waits for the thread; returns the input lines it had read.
  func stop() -> Int {
    cond.lock()
    stopping = true
    cond.broadcast()
    while !finished { cond.wait() }
    cond.unlock()
    return loop.position
  }

  /// The input lines read, once the feed is finished.
  var position: Int { loop.position }
}
