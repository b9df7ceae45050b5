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
