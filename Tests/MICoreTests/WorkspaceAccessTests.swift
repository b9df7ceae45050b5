import Foundation
import GRDB
import MICore
import MITestSupport
import Testing

/// Opening the workspace for reading or writing (issue 11 item 5): a reader opens the file read-only, never
/// migrates or writes it, takes no write lock and leaves the file's mode alone; a newer schema is refused either
/// way; an older one is migrated by a writer and named by a reader.
@Suite struct WorkspaceAccessTests {
  /// A workspace with one dictionary version, closed again; its path.
  func makeDatabase() throws -> String {
    let path = try TestSupport.tempDir().appendingPathComponent("mi.db").path
    let ws = try Workspace.open(path, access: .create)
    try ws.importSet(name: "dx-1", kind: "dx", source: "f.tsv", sha256: "00", replace: false) { db, id in
      try Workspace.insertCodes(db, set: id, [CodeEntry(code: "A01", name: "a")])
      return 1
    }
    return path
  }

  func mode(_ path: String) throws -> Int {
    try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1
  }

  @Test func aReaderOpensReadOnlyAndWritesNothing() throws {
    let path = try makeDatabase()
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let ws = try Workspace.open(path, access: .read)
    #expect(try ws.refSets().map(\.name) == ["dx-1"])
    // The connection itself is read-only: even root cannot write through it.
    do {
      try ws.write { db in try db.execute(sql: "DELETE FROM refset") }
      Issue.record("expected a write through a read-only open to fail")
    } catch {
      #expect(error.exitCode == 3)
      #expect(error.message.contains("readonly"), "\(error.message)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
  }

  @Test func aReaderDoesNotWaitBehindAWritersLock() throws {
    let path = try makeDatabase()
    var config = Configuration()
    config.allowsUnsafeTransactions = true
    let other = try DatabaseQueue(path: path, configuration: config)
    // Another tool is posting: it holds the write (RESERVED) lock in an open transaction.
    try other.inDatabase { db in
      try db.execute(sql: "BEGIN IMMEDIATE")
      try db.execute(
        sql: "INSERT INTO refset(name, kind, source, sha256, imported_at, entries) VALUES ('x', 'dx', 'f', '0', 't', 0)"
      )
    }
    defer { try? other.inDatabase { db in try db.execute(sql: "ROLLBACK") } }
    let started = Date()
    let ws = try Workspace.open(path, access: .read)
    #expect(try ws.refSets().map(\.name) == ["dx-1"])
    // A writer that finds the schema up to date does not write at open either.
    _ = try Workspace.open(path, access: .write)
    #expect(Date().timeIntervalSince(started) < 5, "the opens waited for the other connection's lock")
  }

  @Test func opensNeverChangeTheModeOfAnExistingFile() throws {
    let path = try makeDatabase()
    chmod(path, 0o444)
    _ = try Workspace.open(path, access: .read).refSets()
    #expect(try mode(path) == 0o444)
    chmod(path, 0o640)
    let ws = try Workspace.open(path, access: .write)
    try ws.importSet(name: "dx-2", kind: "dx", source: "g.tsv", sha256: "11", replace: false) { _, _ in 0 }
    _ = try Workspace.open(path, access: .create)
    #expect(try mode(path) == 0o640)
  }

  @Test func aNewerSchemaIsRefusedByReadersAndWriters() throws {
    let path = try makeDatabase()
    try DatabaseQueue(path: path).write { db in try db.execute(sql: "PRAGMA user_version = 99") }
    for access in [Workspace.Access.read, .write] {
      do {
        _ = try Workspace.open(path, access: access)
        Issue.record("expected an error for \(access)")
      } catch {
        #expect(error.exitCode == 3)
        #expect(error.message.contains("schema version 99, newer than this mi-tools"), "\(error.message)")
      }
    }
  }

  @Test func anOlderDatabaseIsNamedByAReaderAndMigratedByAWriter() throws {
    let path = try TestSupport.tempDir().appendingPathComponent("old.db").path
    // An empty file: schema version 0, nothing migrated (as a database of an mi-tools before any schema).
    FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o600])
    do {
      _ = try Workspace.open(path, access: .read)
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 3)
      #expect(
        error.message
          == "\(path): the database is not an initialised workspace (schema version 0) and this command only reads it; run 'mi-catalog init --db \(path)' (or any writing command) once to migrate it"
      )
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty, "a reader wrote to the file")
    _ = try Workspace.open(path, access: .write)
    #expect(try Workspace.open(path, access: .read).refSets().isEmpty)
    #expect(try mode(path) == 0o600)
  }

  @Test func aReaderReadsWhatItCanOfAnOlderSchema() throws {
    let path = try makeDatabase()
    // A workspace of a build before the ledger and before migrations were recorded.
    try DatabaseQueue(path: path).write { db in
      try db.execute(sql: "DROP TABLE ledger_line; DROP TABLE ledger_run; DELETE FROM grdb_migrations")
      try db.execute(sql: "PRAGMA user_version = 0")
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let ws = try Workspace.open(path, access: .read)
    #expect(try ws.refSets().map(\.name) == ["dx-1"])
    do {
      _ = try ws.ledgerRuns()
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 3)
      #expect(error.message.contains("no such table: ledger_run"), "\(error.message)")
      #expect(
        error.message.hasSuffix(
          "; the database has schema version 0, older than this mi-tools (\(Workspace.schemaVersion)): run 'mi-catalog init --db \(path)' (or any writing command) once to migrate it"
        ), "\(error.message)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "a reader wrote to the file")
  }

  @Test func onlyCreateCreates() throws {
    let dir = try TestSupport.tempDir()
    for access in [Workspace.Access.read, .write] {
      let path = dir.appendingPathComponent("none.db").path
      #expect(throws: MIError.self) { try Workspace.open(path, access: access) }
      #expect(!FileManager.default.fileExists(atPath: path))
    }
  }
}
