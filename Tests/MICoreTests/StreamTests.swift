import Foundation
import MICore
import MITestSupport
import Testing

/// `RecordStream.run(threads:)`: the same output, rejects, counts and first error as the sequential loop.
@Suite struct StreamTests {
  /// An input of about 4 MB (several batches): records, blank lines, CRLF endings, and bad records every so often:
  /// malformed JSON, a field of the wrong type, and a record the handler refuses.
  func input(lines: Int, badEvery: Int) -> String {
    var text = ""
    for i in 1...lines {
      let pad = String(repeating: "x", count: (i * 7919) % 150)
      switch i % badEvery == 0 ? (i / badEvery) % 3 : -1 {
      case 0: text += #"{"n":\#(i),"pad":"\#(pad)""# + "\n"
      case 1: text += #"{"n":"not a number","pad":"\#(pad)"}"# + "\n"
      case 2: text += #"{"n":\#(i),"refuse":true}"# + "\n"
      default: text += #"{"n":\#(i),"pad":"\#(pad)","医":"保"}"# + (i % 11 == 0 ? "\r\n" : "\n")
      }
      if i % 1000 == 0 { text += "\n" }
    }
    return text
  }

  /// Writes `text` to a file; returns its path.
  func file(_ text: String) throws -> String {
    let path = try TestSupport.tempDir().appendingPathComponent("in.ndjson").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Runs the file at `inPath` through a stream with `threads` workers; returns the output, the rejects and the counts, or the
  /// error's message.
  func run(_ inPath: String, threads: Int, rejects: Bool) throws -> (out: String, rejects: String, counts: String) {
    let dir = try TestSupport.tempDir()
    let outPath = dir.appendingPathComponent("out.ndjson").path
    let rejPath = dir.appendingPathComponent("rejects.ndjson").path
    let stream = try RecordStream(
      inputs: [inPath], options: StreamOptions(output: outPath, rejects: rejects ? rejPath : nil))
    do {
      try stream.run(threads: threads) { _ in
        var w = JSONWriter()
        return { s, out in
          guard let n = try s.int("n") else { throw FieldError("n", "missing") }
          if try s.bool("refuse") == true { throw FieldError("refuse", "refused by the handler") }
          w.begin(&out)
          w.int("n", n, &out)
          w.int("twice", 2 * n, &out)
          w.end(&out)
          return n % 5 == 0 ? .consumed : .written
        }
      }
    } catch {
      // The records before the error, as standard output would have them.
      try stream.out.finish()
      return (try String(contentsOfFile: outPath, encoding: .utf8), "", "error: \(error)")
    }
    try stream.finish()
    let c = stream.counts
    return (
      try String(contentsOfFile: outPath, encoding: .utf8),
      rejects ? try String(contentsOfFile: rejPath, encoding: .utf8) : "",
      "read \(c.read) written \(c.written) rejected \(c.rejected)"
    )
  }

  @Test(arguments: [2, 3, 8])
  func workersGiveTheSameOutputRejectsAndCounts(threads: Int) throws {
    let text = try file(input(lines: 30_000, badEvery: 997))
    let one = try run(text, threads: 1, rejects: true)
    let many = try run(text, threads: threads, rejects: true)
    #expect(one.counts == "read 30000 written 23976 rejected 30")
    #expect(many.counts == one.counts)
    #expect(many.out == one.out)
    #expect(many.rejects == one.rejects)
    #expect(one.rejects.contains("in.ndjson:"))
  }

  @Test(arguments: [2, 3])
  func theFirstBadRecordStopsTheRunAsInSequence(threads: Int) throws {
    let text = try file(input(lines: 30_000, badEvery: 9_001))  // the first bad record: line 9001, after 9 blank lines
    let one = try run(text, threads: 1, rejects: false)
    let many = try run(text, threads: threads, rejects: false)
    #expect(one.counts.hasPrefix("error:"))
    #expect(one.counts.contains("line: 9010"))
    #expect(many.counts == one.counts)
    #expect(many.out == one.out)
    #expect(one.out.hasSuffix(#"{"n":9000,"twice":18000}"# + "\n"))
  }
}
