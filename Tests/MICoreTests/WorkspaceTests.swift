import Foundation
import GRDB
import MICore
import MITestSupport
import Testing

/// The workspace database: creation, versions, ledger, refusal of newer schemas; and policy parameters.
@Suite struct WorkspaceTests {
  func newWorkspace() throws -> Workspace {
    try Workspace.open(try TestSupport.tempDir().appendingPathComponent("mi.db").path, create: true)
  }

  @Test func isCreatedWithMode0600() throws {
    let ws = try newWorkspace()
    let attrs = try FileManager.default.attributesOfItem(atPath: ws.path)
    #expect((attrs[.posixPermissions] as? Int) == 0o600)
  }

  @Test func missingDatabaseIsAReferenceErrorWithAHint() {
    do {
      _ = try Workspace.open("/tmp/definitely-not-here-\(UUID().uuidString).db")
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 3)
      #expect(error.message.contains("mi-catalog init"))
    }
  }

  @Test func importsVersionsAndRefusesDuplicatesUnlessReplace() throws {
    let ws = try newWorkspace()
    let codes = [CodeEntry(code: "A01", name: "a"), CodeEntry(code: "B02", name: "b", attrs: #"{"x":"1"}"#)]
    let set = try ws.importSet(name: "dx-1", kind: "dx", source: "f.tsv", sha256: "00", replace: false) { db, id in
      try Workspace.insertCodes(db, set: id, codes)
      return codes.count
    }
    #expect(set.entries == 2)
    #expect(try ws.codes(ws.refSet("dx-1")) == codes)
    #expect(throws: MIError.self) {
      try ws.importSet(name: "dx-1", kind: "dx", source: "f.tsv", sha256: "00", replace: false) { _, _ in 0 }
    }
    let replaced = try ws.importSet(name: "dx-1", kind: "dx", source: "g.tsv", sha256: "11", replace: true) { db, id in
      try Workspace.insertBlob(db, set: id, name: "x", data: Data("hello".utf8))
      return 0
    }
    #expect(try ws.codes(replaced).isEmpty)
    #expect(try ws.blob(replaced, "x") == Data("hello".utf8))
    #expect(try ws.refSets().map(\.name) == ["dx-1"])
  }

  @Test func failedImportLeavesNothingBehind() throws {
    let ws = try newWorkspace()
    #expect(throws: MIError.self) {
      try ws.importSet(name: "bad", kind: "dx", source: "f", sha256: "0", replace: false) { db, id in
        try Workspace.insertCodes(db, set: id, [CodeEntry(code: "A", name: "1"), CodeEntry(code: "A", name: "2")])
        return 2
      }
    }
    #expect(try ws.refSets().isEmpty)
  }

  @Test func postingTheSamePeriodTwiceLeavesOneEffectiveRun() throws {
    let ws = try newWorkspace()
    let lines = [LedgerLine(pool: "310", fixmedinsCode: "H1", item: "prepaid_amt", amountFen: 100)]
    try ws.postRun(tool: "mi-clear", kind: "prepay", period: "2024-01", params: "p", inputSHA256: "a", lines: lines)
    try ws.postRun(tool: "mi-clear", kind: "prepay", period: "2024-01", params: "p", inputSHA256: "b", lines: lines)
    try ws.postRun(tool: "mi-clear", kind: "prepay", period: "2024-02", params: "p", inputSHA256: "c", lines: lines)
    let runs = try ws.ledgerRuns(tool: "mi-clear")
    #expect(runs.count == 3)
    #expect(runs.filter { $0.supersededBy == nil }.count == 2)
    let effective = try ws.effectiveLines(tool: "mi-clear", kind: "prepay", periodPrefix: "2024")
    #expect(effective.map(\.amountFen).reduce(0, +) == 200)
  }

  /// Every posted run records the tool version and its records; the guard sees the run it would supersede, inside
  /// the transaction, and a refusal leaves the ledger as it was; a superseded run is restored with its lines.
  @Test func guardRecordsAndRestore() throws {
    let ws = try newWorkspace()
    let march = [LedgerLine(pool: "310", fixmedinsCode: "H1", item: "prepaid_amt", amountFen: 2_200_000_000)]
    let real = try ws.postRun(
      tool: "mi-clear", kind: "prepay", period: "2024-03", params: "p", inputSHA256: "a", records: 1000, lines: march)
    #expect(real.toolVersion == MIVersion.current && real.records == 1000)
    // An empty rerun: refused, nothing changes.
    var seen: [Int64] = []
    #expect(throws: MIError.self) {
      try ws.postRun(
        tool: "mi-clear", kind: "prepay", period: "2024-03", params: "p", inputSHA256: "b", records: 0, lines: []
      ) { prev in
        seen.append(prev.id)
        return LedgerGuard.refusal(previous: prev, records: 0, outside: 1000, force: false, unit: "cases")
      }
    }
    #expect(seen == [real.id])
    #expect(try ws.ledgerRuns(tool: "mi-clear").count == 1)
    // Forced, it supersedes; restore makes the real run effective again, with its lines.
    let bad = try ws.postRun(
      tool: "mi-clear", kind: "prepay", period: "2024-03", params: "p", inputSHA256: "b", records: 0, lines: [])
    #expect(try ws.effectiveLines(tool: "mi-clear", kind: "prepay", periodPrefix: "2024").isEmpty)
    let (restored, replaced) = try ws.restoreRun(real.id, tool: "mi-clear")
    #expect(restored.id == real.id && restored.effective && replaced?.id == bad.id && replaced?.supersededBy == real.id)
    #expect(try ws.effectiveLines(tool: "mi-clear", kind: "prepay", periodPrefix: "2024") == march)
    let runs = try ws.ledgerRuns(tool: "mi-clear")
    #expect(runs.map(\.supersededBy) == [nil, real.id])
    #expect(try ws.runLines(bad.id).isEmpty && ws.runLines(real.id) == march)
    // Restoring the effective run, another tool's run or no run is an error.
    #expect(throws: MIError.self) { try ws.restoreRun(real.id, tool: "mi-clear") }
    #expect(throws: MIError.self) { try ws.restoreRun(bad.id, tool: "mi-capita") }
    #expect(throws: MIError.self) { try ws.restoreRun(99, tool: "mi-clear") }
  }

  /// The guard's rule: zero records over a run that had some, or fewer than half, is refused unless forced; the
  /// message names the run, its count and the records outside the period.
  @Test func guardRule() {
    let prev = LedgerRun(
      id: 7, tool: "mi-clear", kind: "prepay", period: "2024-03", params: "p", inputSHA256: "", postedAt: "",
      supersededBy: nil, toolVersion: "0.9.0", records: 1000)
    let zero = LedgerGuard.refusal(previous: prev, records: 0, outside: 1000, force: false, unit: "cases")
    #expect(zero?.exitCode == 1)
    #expect(
      zero?.message
        == "refusing to post prepay 2024-03: it would supersede run 7 (1000 cases) with 0 cases in the period "
        + "(1000 outside it); check the input and its setl_time, or give --force to post anyway")
    #expect(LedgerGuard.refusal(previous: prev, records: 499, outside: 0, force: false) != nil)
    #expect(LedgerGuard.refusal(previous: prev, records: 500, outside: 0, force: false) == nil)
    #expect(LedgerGuard.refusal(previous: prev, records: 0, outside: 0, force: true) == nil)
    var empty = prev
    empty.records = 0
    #expect(LedgerGuard.refusal(previous: empty, records: 0, outside: 0, force: false) == nil)
    // A run posted before the count was kept: only an empty rerun is refused.
    var old = prev
    old.records = nil
    #expect(LedgerGuard.refusal(previous: old, records: 1, outside: 0, force: false) == nil)
    #expect(
      LedgerGuard.refusal(previous: old, records: 0, outside: 0, force: false)?.message.contains("not counted") == true)
  }

  /// A schema-1 database (before the tool version) is migrated: its runs read with a nil version and count.
  @Test func migratesASchema1Ledger() throws {
    let path = try TestSupport.tempDir().appendingPathComponent("old.db").path
    let queue = try DatabaseQueue(path: path)
    try queue.write { db in
      try db.execute(
        sql: """
          CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
          INSERT INTO grdb_migrations VALUES ('v1');
          CREATE TABLE refset(
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, source TEXT NOT NULL,
            sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, entries INTEGER NOT NULL, meta TEXT NOT NULL DEFAULT '{}');
          CREATE TABLE ledger_run(
            id INTEGER PRIMARY KEY, tool TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, params TEXT NOT NULL,
            input_sha256 TEXT NOT NULL, posted_at TEXT NOT NULL, superseded_by INTEGER REFERENCES ledger_run(id));
          CREATE TABLE ledger_line(
            run_id INTEGER NOT NULL REFERENCES ledger_run(id) ON DELETE CASCADE, pool TEXT NOT NULL,
            fixmedins_code TEXT NOT NULL, item TEXT NOT NULL, amount_fen INTEGER NOT NULL,
            PRIMARY KEY(run_id, pool, fixmedins_code, item)) WITHOUT ROWID;
          INSERT INTO ledger_run VALUES (1, 'mi-clear', 'prepay', '2024-01', 'p', 'x', '2024-02-01 00:00:00', NULL);
          PRAGMA user_version = 1;
          """)
    }
    try queue.close()
    let ws = try Workspace.open(path)
    let runs = try ws.ledgerRuns()
    #expect(runs.count == 1 && runs[0].toolVersion == nil && runs[0].records == nil)
    let next = try ws.postRun(
      tool: "mi-clear", kind: "prepay", period: "2024-01", params: "p", inputSHA256: "y", records: 5, lines: [])
    #expect(try ws.ledgerRuns().map(\.toolVersion) == [nil, MIVersion.current] && next.records == 5)
    #expect(try ws.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Workspace.schemaVersion)
  }

  @Test func refusesADatabaseFromANewerMiTools() throws {
    let ws = try newWorkspace()
    try ws.queue.write { db in try db.execute(sql: "PRAGMA user_version = 99") }
    do {
      _ = try Workspace.open(ws.path)
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 3)
      #expect(error.message.contains("newer"))
    }
  }

  @Test func paramsReadExactDecimalsAndNameTheKeyInErrors() throws {
    let p = try Params(
      text: """
        # comment
        [clearing]
        budget = 6410000000.00
        ratio = 0.85
        mode = "elastic"
        [capitation.pools."310-general"]
        budget = 160000000
        share_ratio = "0.5"
        """, name: "params-2024")
    #expect(try p.fen("clearing.budget") == 641_000_000_000)
    #expect(try p.fixed("clearing.ratio", scale: 4)?.raw == 8500)
    #expect(try p.choice("clearing.mode", ["fixed", "floating", "elastic"], default: "fixed") == "elastic")
    #expect(try p.fen("capitation.pools.\"310-general\".budget") == 16_000_000_000)
    #expect(try p.fixed("capitation.pools.\"310-general\".share_ratio", scale: 2)?.raw == 50)
    #expect(p.unusedKeys().isEmpty)
    do {
      _ = try p.fixed("clearing.ratio", scale: 1)
      Issue.record("expected an error")
    } catch {
      #expect(error.message == "params-2024:4: key \"clearing.ratio\": expected a number with at most 1 decimals")
    }
    let typo = try Params(text: "[clearing]\nbugdet = 1\n", name: "p")
    #expect(typo.unusedKeys() == ["clearing.bugdet"])
    // Reading a table's keys does not mark its children as read.
    let pools = try Params(text: "[pools.a]\nbudget = 1\nbugdet = 2\n", name: "p")
    #expect(try pools.keys("pools") == ["a"])
    #expect(try pools.fen("pools.a.budget") == 100)
    #expect(pools.unusedKeys() == ["pools.a.bugdet"])
    #expect(throws: MIError.self) { try Params(text: "[x\n", name: "bad") }
  }
}
