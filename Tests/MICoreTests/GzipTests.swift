import Foundation
import MICore
import MITestSupport
import Testing

/// Gzip input and output: a stream is read to its checked end (issue 11 item 2), gzip is known by its magic
/// bytes, and `-o NAME.gz` writes gzip that gzip(1) reads back, the same bytes every time.
@Suite struct GzipTests {
  /// 3,000 NDJSON lines.
  static let text: String = (0..<3000).map {
    "{\"setl_id\":\"S\($0)\",\"pad\":\"\(String(repeating: "x", count: $0 % 61))\"}\n"
  }
  .joined()

  /// The bytes `gzip -c` makes of `text`.
  func gzipped(_ text: String, in dir: URL) throws -> [UInt8] {
    try Data(text.utf8).write(to: dir.appendingPathComponent("plain"))
    let run = try TestSupport.shell("gzip -c plain", in: dir)
    #expect(run.status == 0)
    return Array(run.stdout)
  }

  /// Reads every line of `bytes` stored as `name`.
  func readAll(_ bytes: [UInt8], name: String, in dir: URL) throws -> [String] {
    let path = dir.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let r = try LineReader(path: path, displayName: name)
    var out: [String] = []
    while let l = try r.nextLine() { out.append(String(decoding: l, as: UTF8.self)) }
    return out
  }

  /// The I/O error reading `bytes` gives, or nil when it reads cleanly.
  func readError(_ bytes: [UInt8], name: String, in dir: URL) throws -> MIError? {
    do {
      _ = try readAll(bytes, name: name, in: dir)
      return nil
    } catch let e as MIError {
      return e
    }
  }

  @Test func aTruncatedGzipFileIsAnIOErrorWhereverItIsCut() throws {
    let dir = try TestSupport.tempDir()
    let gz = try gzipped(GzipTests.text, in: dir)
    #expect(try readAll(gz, name: "c.ndjson.gz", in: dir).count == 3000)
    // Without the trailer (all the data is there: zlib's gz* functions call that a complete file), inside the
    // trailer, in the middle of the data, inside the header.
    for cut in [gz.count - 8, gz.count - 3, gz.count - 1, gz.count / 2, 100, 5] {
      let e = try readError(Array(gz.prefix(cut)), name: "c.ndjson.gz", in: dir)
      #expect(e == .io("c.ndjson.gz: truncated gzip file: it ends before the gzip trailer"), "cut at \(cut)")
    }
  }

  @Test func aWrongCRCOrLengthIsAnIOError() throws {
    let dir = try TestSupport.tempDir()
    var crc = try gzipped(GzipTests.text, in: dir)
    crc[crc.count - 6] ^= 1
    #expect(try readError(crc, name: "c.gz", in: dir) == .io("c.gz: corrupt gzip file: incorrect data check"))
    var length = try gzipped(GzipTests.text, in: dir)
    length[length.count - 2] ^= 1
    #expect(try readError(length, name: "c.gz", in: dir) == .io("c.gz: corrupt gzip file: incorrect length check"))
  }

  @Test func concatenatedMembersReadAsOneStreamAndGarbageAfterThemIsAnError() throws {
    let dir = try TestSupport.tempDir()
    let a = try gzipped("{\"a\":1}\n", in: dir)
    let b = try gzipped("{\"b\":2}\n", in: dir)
    #expect(try readAll(a + b, name: "ab.gz", in: dir) == ["{\"a\":1}", "{\"b\":2}"])
    let e = try readError(a + Array("junk\n".utf8), name: "ab.gz", in: dir)
    #expect(e?.exitCode == 4)
    #expect(e?.message.hasPrefix("ab.gz: corrupt gzip file: ") == true)
  }

  @Test func gzipIsKnownByItsMagicBytesNotByItsName() throws {
    let dir = try TestSupport.tempDir()
    let gz = try gzipped(GzipTests.text, in: dir)
    #expect(try readAll(gz, name: "cases.ndjson", in: dir).count == 3000)
    // A .gz name holding plain text is read as it is; so are inputs of zero and one byte.
    #expect(try readAll(Array("{\"a\":1}\n".utf8), name: "plain.gz", in: dir) == ["{\"a\":1}"])
    #expect(try readAll([], name: "empty", in: dir) == [])
    #expect(try readAll([0x1F], name: "one", in: dir) == ["\u{1F}"])
  }

  @Test func gzipOutputIsReadByGzipAndIsTheSameBytesEveryTime() throws {
    let dir = try TestSupport.tempDir()
    var files: [Data] = []
    for name in ["a.ndjson.gz", "b.ndjson.gz"] {
      let out = try OutputFile(path: dir.appendingPathComponent(name).path)
      // Through the writing thread: more than one buffer.
      for _ in 0..<3 {
        out.buffer.append(contentsOf: GzipTests.text.utf8)
        try out.flushIfNeeded()
      }
      try out.finish()
      files.append(try Data(contentsOf: dir.appendingPathComponent(name)))
    }
    #expect(files[0] == files[1])
    // The header: magic, deflate, no flags (no file name), mtime 0.
    #expect(Array(files[0].prefix(8)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0])
    let run = try TestSupport.shell("gzip -t a.ndjson.gz && gzip -dc a.ndjson.gz", in: dir)
    #expect(run.status == 0)
    #expect(run.out == String(repeating: GzipTests.text, count: 3))
    #expect(try readAll(Array(files[0]), name: "back.gz", in: dir).count == 9000)
  }

  @Test func sha256IsLibcryptosAndCopiesAreIndependent() {
    var a = SHA256()
    a.update(Array("ab".utf8))
    var b = a  // a copy goes on by itself
    a.update(Array("c".utf8))
    b.update(byte: 0x63)
    b.update(byte: 0x64)
    #expect(a.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(b.hexDigest() == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589")
    // A digest can be read and the input goes on.
    a.update(byte: 0x64)
    #expect(a.hexDigest() == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589")
    let million = [UInt8](repeating: 0x61, count: 1_000_000)
    #expect(
      SHA256.hex(Data(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}
