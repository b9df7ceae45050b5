import Foundation
import MITestSupport
import Testing

/// The README's "A pipeline" section runs as written, from the root of a fresh clone after building: its shell
/// block is run in a directory holding only what a clone has that the block may read (`examples/`) and the built
/// tools where a release build puts them (`.build/release`), with no other tool directory on PATH.
@Suite struct ReadmePipelineTests {
  /// The first `sh` block after the heading `## A pipeline`.
  static func pipelineBlock() throws -> String {
    let readme = try String(
      contentsOf: TestSupport.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    guard let section = readme.range(of: "\n## A pipeline\n") else { return "" }
    let rest = readme[section.upperBound...]
    guard let open = rest.range(of: "```sh\n") else { return "" }
    guard let close = rest[open.upperBound...].range(of: "\n```") else { return "" }
    return String(rest[open.upperBound..<close.lowerBound]) + "\n"
  }

  @Test func theReadmePipelineRunsAsWritten() throws {
    let block = try ReadmePipelineTests.pipelineBlock()
    #expect(block.contains("mi-catalog init"), "no pipeline block found in README.md")
    #expect(!block.contains("../"), "the pipeline must read only files of the repository")
    guard TestSupport.toolsBuilt("mi-catalog", "mi-gen", "mi-group", "mi-score", "mi-clear") else { return }
    let root = try TestSupport.tempDir("mi-readme")
    defer { try? FileManager.default.removeItem(at: root) }
    let fm = FileManager.default
    try fm.copyItem(at: TestSupport.examplesDir, to: root.appendingPathComponent("examples"))
    try fm.createDirectory(at: root.appendingPathComponent(".build"), withIntermediateDirectories: true)
    try fm.createSymbolicLink(
      at: root.appendingPathComponent(".build/release"), withDestinationURL: TestSupport.productsDir)
    try block.write(to: root.appendingPathComponent("pipeline.sh"), atomically: true, encoding: .utf8)
    let run = try TestSupport.shell(
      "exec /bin/bash -e -o pipefail ./pipeline.sh", in: root, env: ["PATH": "/usr/local/bin:/usr/bin:/bin"])
    #expect(run.status == 0, "README pipeline failed:\n\(run.err)")
    guard run.status == 0 else { return }
    // Each tool ended with its summary line, and the clearing reconciles.
    for tool in ["mi-group", "mi-score", "mi-clear"] {
      #expect(run.err.contains("\(tool): read "), "no summary line of \(tool)")
    }
    #expect(!run.err.contains("stopped by the error above"))
    let clearing = try String(contentsOf: root.appendingPathComponent("clearing-2024.ndjson"), encoding: .utf8)
    let pools = clearing.split(separator: "\n").filter { $0.contains(#""kind":"pool""#) }
    #expect(pools.count == 2)
    #expect(pools.allSatisfy { $0.contains(#""check":"pass""#) }, "\(pools)")
    #expect(run.out.split(separator: "\n").filter { $0.contains(#""kind":"ledger-run""#) }.count == 1)
    let attrs = try fm.attributesOfItem(atPath: root.appendingPathComponent("mi.db").path)
    #expect((attrs[.posixPermissions] as? Int) == 0o600)
  }
}
