import Foundation
import MICore
import MITestSupport
import Testing

/// Output files hold personal data (issue 11 items 3 and 4): created 0600, never looser than the file they
/// replace, and no temporary file left by an earlier run that was killed.
@Suite struct OutputSafetyTests {
  func mode(_ path: String) -> mode_t {
    var st = stat()
    return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
  }

  func write(_ path: String, _ text: String) throws {
    let out = try OutputFile(path: path)
    try out.write(text)
    try out.finish()
  }

  @Test func outputsAndTheirTemporariesAre0600() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("out.ndjson").path
    let out = try OutputFile(path: path)
    try out.write("{\"psn_no\":\"P1\"}\n")
    try out.flush()
    let temps = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(temps == [".out.ndjson.tmp-\(getpid())"])
    #expect(mode(dir.appendingPathComponent(temps[0]).path) == 0o600)
    try out.finish()
    #expect(mode(path) == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.ndjson"])
  }

  @Test(arguments: [(0o644, 0o600), (0o640, 0o600), (0o600, 0o600), (0o400, 0o400), (0o200, 0o200)] as [(Int, Int)])
  func replacingAFileNeverLoosensItsMode(before: Int, after: Int) throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("out.ndjson").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data("old\n".utf8)))
    #expect(chmod(path, mode_t(before)) == 0)
    try write(path, "new\n")
    #expect(mode(path) == mode_t(after))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
  }

  @Test func staleTemporariesOfTheSameOutputAreRemovedLiveOnesAndOthersKept() throws {
    let dir = try TestSupport.tempDir()
    // A process that has ended: its id is free (reused only after the whole pid range has gone round).
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    let dead = p.processIdentifier
    let live = getppid()
    let names = [
      ".out.ndjson.tmp-\(dead)", ".out.ndjson.tmp-\(live)", ".other.ndjson.tmp-\(dead)", ".out.ndjson.tmp-x1",
      ".out.ndjson.tmp-",
    ]
    for n in names {
      #expect(FileManager.default.createFile(atPath: dir.appendingPathComponent(n).path, contents: Data("p\n".utf8)))
    }
    try write(dir.appendingPathComponent("out.ndjson").path, "x\n")
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
    #expect(left == Set(names.dropFirst()).union(["out.ndjson"]))
  }
}
