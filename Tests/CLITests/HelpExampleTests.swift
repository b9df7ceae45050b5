import Foundation
import MITestSupport
import Testing

/// Every example in every tool's and subcommand's `--help` is copyable (issue 13 item 7): ArgumentParser wraps
/// the discussion to the terminal's width (80 columns when it cannot tell), and a wrapped command line loses its
/// indentation and its `\`, so pasting it runs half a command. An example block is the indented lines after a
/// line starting "Example"; at 80 columns each of them must stay whole (the same lines as at 1000 columns,
/// all indented), and a block must not end in a `\` continuation.
@Suite struct HelpExampleTests {
  /// Every command of `tool` as its words (`["mi-catalog", "import", "dip"]`), from `--experimental-dump-help`.
  static func commands(_ tool: String) throws -> [[String]] {
    let run = try TestSupport.shell("\(tool) --experimental-dump-help", in: try TestSupport.tempDir())
    let json = try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any]
    var out: [[String]] = []
    func walk(_ node: [String: Any], _ path: [String]) {
      guard let name = node["commandName"] as? String, path.isEmpty || name != "help" else { return }
      out.append(path + [name])
      for sub in node["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path + [name]) }
    }
    if let root = json?["command"] as? [String: Any] { walk(root, []) }
    return out
  }

  /// The example blocks of a help text; a line that is not indented inside a block is kept, so that a command
  /// cut by the wrapping shows in the block.
  static func exampleBlocks(_ help: String) -> [[String]] {
    var blocks: [[String]] = []
    var inBlock = false
    for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("USAGE:") { break }
      if line.hasPrefix("Example") {
        blocks.append([])
        inBlock = true
      } else if line.isEmpty {
        inBlock = false
      } else if inBlock && (line.hasPrefix(" ") || !blocks[blocks.count - 1].isEmpty) {
        // Before the first indented line, an unindented line is the heading's own prose, wrapped.
        blocks[blocks.count - 1].append(line)
      }
    }
    return blocks
  }

  @Test(arguments: TestSupport.tools)
  func examplesAreWholeCommandLines(_ tool: String) throws {
    var examples = 0
    for command in try HelpExampleTests.commands(tool) {
      let words = command.map { "'\($0)'" }.joined(separator: " ")
      let dir = try TestSupport.tempDir()
      let narrow = try TestSupport.shell("\(words) --help", in: dir, env: ["COLUMNS": "80"])
      let wide = try TestSupport.shell("\(words) --help", in: dir, env: ["COLUMNS": "1000"])
      let blocks = HelpExampleTests.exampleBlocks(narrow.out)
      let name = command.joined(separator: " ")
      #expect(blocks == HelpExampleTests.exampleBlocks(wide.out), "\(name) --help: an example wraps at 80 columns")
      for block in blocks {
        examples += block.count
        for line in block {
          #expect(line.hasPrefix("  "), "\(name) --help: example line cut by the wrapping: \(line)")
        }
        #expect(block.last?.hasSuffix("\\") != true, "\(name) --help: an example ends in a continuation")
      }
    }
    #expect(examples > 0, "\(tool): no example in any --help")
  }
}
