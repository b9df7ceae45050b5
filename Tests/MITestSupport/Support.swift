import Foundation
import MICore

/// Helpers shared by the test targets: where the package and the shared reference data are, temporary
/// directories, and running the built tools as a user would.
public enum TestSupport {
  /// The package root (the directory holding Package.swift).
  public static let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  }()

  /// `../shared/reference` beside the project root, or nil when it is absent (tests that need it skip and say so).
  public static var referenceDir: URL? {
    if let env = ProcessInfo.processInfo.environment["MI_REFERENCE"], !env.isEmpty {
      return FileManager.default.fileExists(atPath: env) ? URL(fileURLWithPath: env) : nil
    }
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  /// The message a test prints when it skips for lack of the reference data.
  public static let referenceSkipMessage =
    "skipped: ../shared/reference is absent (set MI_REFERENCE to its path to run this test)"

  /// The project's `examples/` directory.
  public static var examplesDir: URL { packageRoot.appendingPathComponent("examples") }

  /// The tools, one per man page `man/mi-*.1`, sorted (a tool added to Package.swift's `tools` comes with its page).
  public static let tools: [String] = {
    let man = packageRoot.appendingPathComponent("man").path
    let pages = (try? FileManager.default.contentsOfDirectory(atPath: man)) ?? []
    return pages.filter { $0.hasPrefix("mi-") && $0.hasSuffix(".1") }.map { String($0.dropLast(2)) }.sorted()
  }()

  /// A new empty temporary directory.
  public static func tempDir(_ label: String = "mi-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The directory holding the built executables (the test bundle sits beside them).
  public static var productsDir: URL {
    let env = ProcessInfo.processInfo.environment
    if let dir = env["MI_BIN"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      return bundle.bundleURL.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
  }

  /// Whether `tools` are built beside the tests; when not, says which tests skip and why (end-to-end tests run
  /// the binaries, which `swift test --filter` may not have built).
  public static func toolsBuilt(_ tools: String...) -> Bool {
    let missing = tools.filter {
      !FileManager.default.isExecutableFile(atPath: productsDir.appendingPathComponent($0).path)
    }
    if missing.isEmpty { return true }
    print("skipped: \(missing.joined(separator: ", ")) not built in \(productsDir.path)")
    return false
  }

  /// The result of running a tool.
  public struct Run: Sendable {
    /// Exit status.
    public var status: Int32
    /// Standard output.
    public var stdout: Data
    /// Standard error.
    public var stderr: Data
    /// Standard output as text.
    public var out: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as text.
    public var err: String { String(decoding: stderr, as: UTF8.self) }
  }

  /// Runs `/bin/sh -c script` in `dir` with the built tools first on PATH; output goes through files, so a large
  /// output never blocks on a full pipe.
  public static func shell(_ script: String, in dir: URL, env extra: [String: String] = [:]) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    p.currentDirectoryURL = dir
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = productsDir.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
    env["SOURCE_DATE_EPOCH"] = env["SOURCE_DATE_EPOCH"] ?? "1700000000"
    env.removeValue(forKey: "MI_DB")
    for (k, v) in extra { env[k] = v }
    p.environment = env
    let outURL = dir.appendingPathComponent(".stdout-\(UUID().uuidString)")
    let errURL = dir.appendingPathComponent(".stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    p.standardOutput = outHandle
    p.standardError = errHandle
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    let run = Run(
      status: p.terminationStatus, stdout: try Data(contentsOf: outURL), stderr: try Data(contentsOf: errURL))
    try? FileManager.default.removeItem(at: outURL)
    try? FileManager.default.removeItem(at: errURL)
    return run
  }

  /// Scans one JSON line with MICore's scanner and hands it to `body` (for checking fields of tool output).
  public static func withRecord<T>(_ line: String, _ body: (RecordScanner) throws -> T) throws -> T {
    var text = line
    return try text.withUTF8 { buf in
      let s = RecordScanner()
      try s.parse(UnsafeRawBufferPointer(buf))
      return try body(s)
    }
  }
}
