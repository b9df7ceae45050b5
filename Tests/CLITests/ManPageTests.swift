import Foundation
import MITestSupport
import Testing

/// The hand-written man pages: they lint cleanly and document every long option the tool accepts.
@Suite struct ManPageTests {
  static var manDir: URL { TestSupport.packageRoot.appendingPathComponent("man") }

  /// The tools, found from their pages `man/mi-*.1` (Package.swift's `tools` is the one written list).
  static let tools: [String] = TestSupport.tools

  @Test(arguments: ManPageTests.tools)
  func pageExistsAndLintsCleanly(_ tool: String) throws {
    let page = ManPageTests.manDir.appendingPathComponent("\(tool).1")
    #expect(FileManager.default.fileExists(atPath: page.path), "man/\(tool).1 is missing")
    guard FileManager.default.fileExists(atPath: page.path) else { return }
    // -K utf8 -Tutf8: the pages use the bureau's Chinese terms.
    let run = try TestSupport.shell("groff -K utf8 -Tutf8 -mandoc -ww -z '\(page.path)'", in: try TestSupport.tempDir())
    #expect(run.status == 0)
    #expect(run.err == "", "groff warnings for \(tool).1")
  }

  @Test(arguments: ManPageTests.tools)
  func pageDocumentsEveryLongOption(_ tool: String) throws {
    let page = ManPageTests.manDir.appendingPathComponent("\(tool).1")
    guard let text = try? String(contentsOf: page, encoding: .utf8) else { return }
    let manText = text.replacingOccurrences(of: "\\-", with: "-")
    let run = try TestSupport.shell("\(tool) --experimental-dump-help", in: try TestSupport.tempDir())
    #expect(run.status == 0)
    let json = try JSONSerialization.jsonObject(with: run.stdout)
    var options: Set<String> = []
    func walk(_ node: Any) {
      if let dict = node as? [String: Any] {
        if let names = dict["names"] as? [[String: Any]] {
          for n in names where (n["kind"] as? String) == "long" {
            if let name = n["name"] as? String { options.insert(name) }
          }
        }
        for (_, v) in dict { walk(v) }
      } else if let array = node as? [Any] {
        for v in array { walk(v) }
      }
    }
    walk(json)
    options.subtract(["help", "version", "experimental-dump-help"])
    #expect(!options.isEmpty)
    for option in options.sorted() {
      #expect(manText.contains("--\(option)"), "man/\(tool).1 does not mention --\(option)")
    }
  }
}
