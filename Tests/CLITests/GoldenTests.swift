import Foundation
import MITestSupport
import Testing

/// Golden case directories, in Miller's layout: `Cases/<tool>/<NNNN>/cmd` is a bash script run in a fresh copy
/// of its directory with the built tools first on PATH, `$EXAMPLES` naming the project's examples and
/// `SOURCE_DATE_EPOCH` fixed; its standard output, standard error and exit status must equal `expout`, `experr`
/// and `status` byte for byte. `MI_RECORD=1 swift test --filter GoldenTests` re-records them; review with git diff.
@Suite struct GoldenTests {
  static let casesDir = TestSupport.packageRoot.appendingPathComponent("Tests/CLITests/Cases")

  /// Every case directory, as `tool/NNNN`.
  static let cases: [String] = {
    let fm = FileManager.default
    var out: [String] = []
    for tool in (try? fm.contentsOfDirectory(atPath: casesDir.path)) ?? [] {
      for n in (try? fm.contentsOfDirectory(atPath: casesDir.appendingPathComponent(tool).path)) ?? []
      where fm.fileExists(atPath: casesDir.appendingPathComponent("\(tool)/\(n)/cmd").path) {
        out.append("\(tool)/\(n)")
      }
    }
    return out.sorted()
  }()

  @Test(arguments: GoldenTests.cases)
  func golden(_ name: String) throws {
    let source = GoldenTests.casesDir.appendingPathComponent(name)
    let work = try TestSupport.tempDir("mi-golden")
    defer { try? FileManager.default.removeItem(at: work) }
    for f in try FileManager.default.contentsOfDirectory(atPath: source.path) {
      try FileManager.default.copyItem(at: source.appendingPathComponent(f), to: work.appendingPathComponent(f))
    }
    let run = try TestSupport.shell(
      "exec /bin/bash ./cmd", in: work, env: ["EXAMPLES": TestSupport.examplesDir.path, "LC_ALL": "C.UTF-8"])
    let status = "\(run.status)\n"
    if ProcessInfo.processInfo.environment["MI_RECORD"] == "1" {
      try run.stdout.write(to: source.appendingPathComponent("expout"))
      try run.stderr.write(to: source.appendingPathComponent("experr"))
      try Data(status.utf8).write(to: source.appendingPathComponent("status"))
      return
    }
    let expout = (try? Data(contentsOf: source.appendingPathComponent("expout"))) ?? Data()
    let experr = (try? Data(contentsOf: source.appendingPathComponent("experr"))) ?? Data()
    let expstatus = (try? String(contentsOf: source.appendingPathComponent("status"), encoding: .utf8)) ?? "0\n"
    #expect(status == expstatus, "exit status of \(name); stderr: \(run.err)")
    #expect(run.out == String(decoding: expout, as: UTF8.self), "standard output of \(name)")
    #expect(run.err == String(decoding: experr, as: UTF8.self), "standard error of \(name)")
  }
}
