import Foundation

/// The temporary files of `-o` and `--rejects` outputs (`.NAME.tmp-PID` beside `NAME`), removed when the run is
/// ended by SIGTERM (what `timeout` and cron supervisors send), SIGINT or SIGHUP, so that no partial copy of
/// personal data is left behind. SIGKILL cannot be caught: the next run of the same output removes the
/// temporaries whose process no longer exists (`removeStale`).
///
/// The signal handler may run at any moment on any thread, so it only reads a fixed table of C strings built in
/// advance and calls `unlink`, `signal` and `raise`, which are async-signal-safe; then it re-raises the signal
/// with its default disposition, so the exit status still says which signal ended the run.
public enum TempFiles {
  /// Room for this many temporary files at once (a run has one output and one rejects file).
  static let slots = 32
  /// The table: a slot holds a path (a `strdup`'ed C string) or nil. Set up before any handler is installed.
  nonisolated(unsafe) static let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
    let t = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slots)
    t.initialize(repeating: nil, count: slots)
    return t
  }()
  nonisolated(unsafe) static var installed = false
  static let lock = NSLock()
  /// The signals that remove the temporary files before ending the run.
  static let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

  /// Registers `path` for removal on a signal; returns its slot for `unregister` (nil when the table is full,
  /// which only a tool with dozens of open outputs could reach: those temporaries are left to `removeStale`).
  static func register(_ path: String) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    let t = table
    if !installed {
      installed = true
      // A signal blocked by whoever started the run (a blocked mask is inherited, as from a thread of a program
      // that spawned the tool) would never be delivered: `timeout` could not end the run at all.
      var unblock = sigset_t()
      sigemptyset(&unblock)
      for sig in signals { sigaddset(&unblock, sig) }
      pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
      for sig in signals {
        // A signal the run was started to ignore (nohup ignores SIGHUP) stays ignored.
        let previous = signal(sig, tempFilesSignalHandler)
        if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(sig, SIG_IGN) }
      }
    }
    for i in 0..<slots where t[i] == nil {
      t[i] = strdup(path)
      return i
    }
    return nil
  }

  /// Forgets the path in `slot` (its file was renamed into place or removed).
  ///
  /// The C string is not freed: a handler running on another thread may be reading it at this very moment. It
  /// is a few bytes per output and run.
  static func unregister(_ slot: Int?) {
    guard let slot else { return }
    lock.lock()
    defer { lock.unlock() }
    table[slot] = nil
  }

  /// Removes the temporary files of the output `path` (`.NAME.tmp-PID` beside it) left by runs that no longer
  /// exist: a run killed with SIGKILL or by a power cut. A temporary of a process that still runs (another run
  /// writing the same output at this moment) is left alone.
  static func removeStale(of path: String) {
    let dir = (path as NSString).deletingLastPathComponent
    let prefix = "." + (path as NSString).lastPathComponent + ".tmp-"
    let own = getpid()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return }
    for name in names where name.hasPrefix(prefix) {
      let digits = name.dropFirst(prefix.count)
      guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let pid = Int32(digits), pid > 0,
        pid != own
      else { continue }
      if kill(pid, 0) == 0 || errno != ESRCH { continue }
      unlink((dir.isEmpty ? "" : dir + "/") + name)
    }
  }
}

/// Removes every registered temporary file, then ends the process with the same signal.
private func tempFilesSignalHandler(_ sig: Int32) {
  let t = TempFiles.table
  for i in 0..<TempFiles.slots {
    if let p = t[i] { unlink(p) }
  }
  signal(sig, SIG_DFL)
  raise(sig)
}
