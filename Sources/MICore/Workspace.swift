import Foundation
import GRDB

/// One named, versioned set of reference data: a dictionary, a scheme, a catalog, a weights table, parameters.
public struct RefSet: Sendable, Equatable {
  /// Row id.
  public var id: Int64
  /// The version's name (`chs-drg-1.1`, `dip-2024`, `params-2024`).
  public var name: String
  /// What it holds (`dx`, `proc`, `dict`, `hospitals`, `drg-scheme`, `dip`, `params`, …).
  public var kind: String
  /// The file or directory it was imported from.
  public var source: String
  /// SHA-256 of the source bytes.
  public var sha256: String
  /// Import time, `yyyy-MM-dd HH:mm:ss` UTC.
  public var importedAt: String
  /// Number of entries.
  public var entries: Int
  /// Kind-specific facts as a JSON object (scale of a DIP catalog, counts of a scheme, …).
  public var meta: String
}

/// One code of a reference set: code, name, and kind-specific attributes as a JSON object.
public struct CodeEntry: Sendable, Equatable {
  /// The code.
  public var code: String
  /// Its name.
  public var name: String
  /// Extra attributes (a JSON object), or nil.
  public var attrs: String?

  /// Creates an entry.
  public init(code: String, name: String, attrs: String? = nil) {
    self.code = code
    self.name = name
    self.attrs = attrs
  }
}

/// A row of the clearing ledger: one amount of one hospital in one pool of one posted run.
public struct LedgerLine: Sendable, Equatable {
  /// The pool (`310`, `390`, `310-general`, …).
  public var pool: String
  /// The hospital.
  public var fixmedinsCode: String
  /// What the amount is (`prepaid_amt`, `deposit_amt`, `clearing_amt`, …).
  public var item: String
  /// The amount in fen.
  public var amountFen: Int64

  /// Creates a ledger line.
  public init(pool: String, fixmedinsCode: String, item: String, amountFen: Int64) {
    self.pool = pool
    self.fixmedinsCode = fixmedinsCode
    self.item = item
    self.amountFen = amountFen
  }
}

/// A posted run of the ledger.
public struct LedgerRun: Sendable, Equatable {
  /// Run id.
  public var id: Int64
  /// The tool that posted it (`mi-clear`, `mi-capita`).
  public var tool: String
  /// `prepay` or `settle`.
  public var kind: String
  /// The period (`2024-03` or `2024`).
  public var period: String
  /// The params version used.
  public var params: String
  /// SHA-256 of the inputs.
  public var inputSHA256: String
  /// When it was posted.
  public var postedAt: String
  /// The run that replaced it, if a later run of the same tool, kind and period was posted.
  public var supersededBy: Int64?
  /// The mi-tools version that posted it (`MIVersion.current`); nil for runs posted before schema version 2.
  public var toolVersion: String?
  /// The input records that fell in its period (cases, settlements); nil for runs posted before schema version 2.
  public var records: Int64?

  /// Whether it is the effective run of its tool, kind and period.
  public var effective: Bool { supersededBy == nil }

  /// Creates a run record.
  public init(
    id: Int64, tool: String, kind: String, period: String, params: String, inputSHA256: String, postedAt: String,
    supersededBy: Int64?, toolVersion: String?, records: Int64?
  ) {
    self.id = id
    self.tool = tool
    self.kind = kind
    self.period = period
    self.params = params
    self.inputSHA256 = inputSHA256
    self.postedAt = postedAt
    self.supersededBy = supersededBy
    self.toolVersion = toolVersion
    self.records = records
  }
}

/// The rule that keeps a bad rerun from replacing a real run (a file of the wrong month, times written as Excel
/// writes them, an empty file): a `--post` that would supersede an effective run is refused, unless forced, when
/// it has no records in the period or fewer than half of that run's.
public enum LedgerGuard {
  /// The refusal of posting `records` records over `previous`, or nil when the post may go ahead.
  ///
  /// `outside` is the number of input records that fell outside the period (the usual cause), shown in the message.
  /// `unit` names the records (`cases`, `settlements`); `rejected` counts the records `--rejects` set aside; `check`
  /// says what to look at (the records' date field).
  public static func refusal(
    previous: LedgerRun, records: Int64, outside: Int, rejected: Int = 0, force: Bool, unit: String = "records",
    check: String = "the input and its setl_time"
  ) -> MIError? {
    if force { return nil }
    let had = previous.records
    let tooFew: Bool
    if records == 0 {
      tooFew = had != 0
    } else if let had {
      tooFew = records * 2 < had
    } else {
      tooFew = false
    }
    guard tooFew else { return nil }
    let hadText = had.map { "\($0) \(unit)" } ?? "\(unit) not counted (posted before mi-tools 0.9)"
    return .refused(
      "refusing to post \(previous.kind) \(previous.period): it would supersede run \(previous.id) (\(hadText)) "
        + "with \(records) \(unit) in the period (\(outside) outside it\(rejected > 0 ? ", \(rejected) rejected" : ""));"
        + " check \(check), "
        + "or give --force to post anyway")
  }
}

/// The workspace database: one SQLite file with versioned reference data and the ledgers (DESIGN.md §5).
///
/// The file is created with mode 0600 (it holds personal data); every write is one transaction; a database
/// written by a newer mi-tools is refused.
public final class Workspace: @unchecked Sendable {
  /// The database file.
  public let path: String
  /// The GRDB queue; every access is serialised through it.
  public let queue: DatabaseQueue
  /// Set when a reader opened a database of an older schema (it reads what it can): the schema version found.
  private var olderSchema: Int?

  /// The schema version this build writes (`PRAGMA user_version`).
  public static let schemaVersion = 2

  /// The database path: `--db`, else `$MI_DB`, else `./mi.db`.
  public static func resolvePath(_ option: String?) -> String {
    if let option, !option.isEmpty { return option }
    if let env = ProcessInfo.processInfo.environment["MI_DB"], !env.isEmpty { return env }
    return "mi.db"
  }

  /// How a command uses the workspace database.
  public enum Access: Sendable, Equatable {
    /// Reads only: the file is opened read-only, never migrated and never written, so a read-only file (the
    /// database shipped to cluster workers) reads, and a reader takes no write lock. A database of an older schema
    /// is read as far as it can be; a read that fails on it, or a file that is not a workspace at all, gets an
    /// error saying to run a writing command on it once.
    case read
    /// Writes (imports, ledger posts): opened read-write and migrated to this build's schema when it is older.
    case write
    /// As `write`, creating the file (mode 0600) when it does not exist (`mi-catalog`).
    case create
  }

  /// Opens the workspace database for writing, creating it (mode 0600) when `create` is set, and migrating it.
  public static func open(_ option: String?, create: Bool = false) throws(MIError) -> Workspace {
    try open(option, access: create ? .create : .write)
  }

  /// Opens the workspace database as `access` says. An existing file's mode is never changed; only `.create`
  /// creates a file, and only `.write` and `.create` migrate one. A database of a newer schema is refused.
  public static func open(_ option: String?, access: Access) throws(MIError) -> Workspace {
    let path = resolvePath(option)
    if !FileManager.default.fileExists(atPath: path) {
      guard access == .create else {
        throw MIError.reference(
          "\(path): no workspace database here; create one with 'mi-catalog init' (or name one with --db or $MI_DB)")
      }
      let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      if fd < 0 { throw MIError.io("\(path): \(systemMessage())") }
      close(fd)
    } else if access != .read && Foundation.access(path, W_OK) != 0 {
      throw MIError.reference(
        "\(path): this command writes to the workspace database, and the file cannot be written (\(systemMessage()))")
    }
    do {
      var config = Configuration()
      config.foreignKeysEnabled = true
      config.busyMode = .timeout(10)
      config.readonly = access == .read
      let queue = try DatabaseQueue(path: path, configuration: config)
      let ws = Workspace(path: path, queue: queue)
      try ws.migrate(write: access != .read)
      return ws
    } catch let e as MIError {
      throw e
    } catch {
      throw MIError.reference("\(path): \(Workspace.describe(error))")
    }
  }

  private init(path: String, queue: DatabaseQueue) {
    self.path = path
    self.queue = queue
  }

  static func describe(_ error: Error) -> String {
    if let e = error as? DatabaseError { return "database error: \(e.message ?? e.description)" }
    if let e = error as? MIError { return e.message }
    return "\(error)"
  }

  /// Checks the schema version and, when `write`, migrates an older database; a database that is up to date is
  /// not written at all (no lock is taken, so an open never waits behind another tool's write).
  private func migrate(write: Bool) throws {
    let migrator = Workspace.migrator
    let (version, complete) = try queue.read { db in
      (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0, try migrator.hasCompletedMigrations(db))
    }
    if version > Workspace.schemaVersion {
      throw MIError.reference(
        "\(path): the database has schema version \(version), newer than this mi-tools (\(Workspace.schemaVersion)); use a newer mi-tools"
      )
    }
    if complete && version == Workspace.schemaVersion { return }
    guard write else {
      // A reader never migrates: it reads an older workspace as far as it can (see `read`), and refuses a file
      // that holds no workspace tables at all.
      if try queue.read({ db in try db.tableExists("refset") }) {
        olderSchema = version
        return
      }
      throw MIError.reference(
        "\(path): the database is not an initialised workspace (schema version \(version)) and this command only reads it; \(migrateHint)"
      )
    }
    try migrator.migrate(queue)
    try queue.write { db in try db.execute(sql: "PRAGMA user_version = \(Workspace.schemaVersion)") }
  }

  /// The schema's migrations, oldest first.
  private static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE refset(
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, source TEXT NOT NULL,
            sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, entries INTEGER NOT NULL, meta TEXT NOT NULL DEFAULT '{}');
          CREATE TABLE ref_code(
            set_id INTEGER NOT NULL REFERENCES refset(id) ON DELETE CASCADE, code TEXT NOT NULL, name TEXT NOT NULL,
            attrs TEXT, PRIMARY KEY(set_id, code)) WITHOUT ROWID;
          CREATE TABLE ref_blob(
            set_id INTEGER NOT NULL REFERENCES refset(id) ON DELETE CASCADE, name TEXT NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY(set_id, name)) WITHOUT ROWID;
          CREATE TABLE ledger_run(
            id INTEGER PRIMARY KEY, tool TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, params TEXT NOT NULL,
            input_sha256 TEXT NOT NULL, posted_at TEXT NOT NULL, superseded_by INTEGER REFERENCES ledger_run(id));
          CREATE INDEX ledger_run_period ON ledger_run(tool, kind, period);
          CREATE TABLE ledger_line(
            run_id INTEGER NOT NULL REFERENCES ledger_run(id) ON DELETE CASCADE, pool TEXT NOT NULL,
            fixmedins_code TEXT NOT NULL, item TEXT NOT NULL, amount_fen INTEGER NOT NULL,
            PRIMARY KEY(run_id, pool, fixmedins_code, item)) WITHOUT ROWID;
          """)
    }
    // Version 2: the mi-tools version and the records in the period of every posted run.
    migrator.registerMigration("v2") { db in
      try db.execute(
        sql: """
          ALTER TABLE ledger_run ADD COLUMN tool_version TEXT;
          ALTER TABLE ledger_run ADD COLUMN records INTEGER;
          """)
    }
    return migrator
  }

  /// Runs `body` in one write transaction, mapping database errors to `MIError.reference`.
  public func write<T>(_ body: (Database) throws -> T) throws(MIError) -> T {
    do { return try queue.write(body) } catch let e as MIError { throw e } catch {
      throw MIError.reference("\(path): \(Workspace.describe(error))")
    }
  }

  /// Runs `body` in a read transaction, mapping database errors to `MIError.reference` (which, on a database of
  /// an older schema, say how to migrate it).
  public func read<T>(_ body: (Database) throws -> T) throws(MIError) -> T {
    do { return try queue.read(body) } catch let e as MIError { throw e } catch {
      let older = olderSchema.map {
        "; the database has schema version \($0), older than this mi-tools (\(Workspace.schemaVersion)): \(migrateHint)"
      }
      throw MIError.reference("\(path): \(Workspace.describe(error))\(older ?? "")")
    }
  }

  /// How to bring an older database up to this build's schema.
  private var migrateHint: String {
    "run 'mi-catalog init --db \(path)' (or any writing command) once to migrate it"
  }

  // MARK: - Reference sets

  private static func refSet(_ row: Row) -> RefSet {
    RefSet(
      id: row["id"], name: row["name"], kind: row["kind"], source: row["source"], sha256: row["sha256"],
      importedAt: row["imported_at"], entries: row["entries"], meta: row["meta"])
  }

  /// Every reference set, by kind then name.
  public func refSets(kind: String? = nil) throws(MIError) -> [RefSet] {
    try read { db in
      let rows =
        if let kind {
          try Row.fetchAll(db, sql: "SELECT * FROM refset WHERE kind = ? ORDER BY name", arguments: [kind])
        } else { try Row.fetchAll(db, sql: "SELECT * FROM refset ORDER BY kind, name") }
      return rows.map(Workspace.refSet)
    }
  }

  /// The reference set named `name`; an error naming what exists when it is missing or of another kind.
  public func refSet(_ name: String, kind: String? = nil) throws(MIError) -> RefSet {
    let found = try read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM refset WHERE name = ?", arguments: [name]).map(Workspace.refSet)
    }
    guard let found else {
      let names = try refSets(kind: kind).map(\.name)
      let hint = names.isEmpty ? "import one with mi-catalog" : "have: \(names.joined(separator: ", "))"
      throw MIError.reference(
        "\(path): no reference set named '\(name)'\(kind.map { " of kind \($0)" } ?? "") (\(hint))")
    }
    if let kind, found.kind != kind {
      throw MIError.reference("\(path): '\(name)' is a \(found.kind) set, not \(kind)")
    }
    return found
  }

  /// Imports a new reference set in one transaction: `fill` writes its rows (codes and blobs) for the new set id.
  ///
  /// A name that exists is refused unless `replace`, which deletes the old set in the same transaction.
  @discardableResult
  public func importSet(
    name: String, kind: String, source: String, sha256: String, meta: String = "{}", replace: Bool,
    fill: (Database, Int64) throws -> Int
  ) throws(MIError) -> RefSet {
    let now = Clock.timestamp()
    return try write { db in
      if let old = try Int64.fetchOne(db, sql: "SELECT id FROM refset WHERE name = ?", arguments: [name]) {
        guard replace else {
          throw MIError.reference("\(path): a reference set named '\(name)' exists; use --replace to replace it")
        }
        try db.execute(sql: "DELETE FROM refset WHERE id = ?", arguments: [old])
      }
      try db.execute(
        sql: "INSERT INTO refset(name, kind, source, sha256, imported_at, entries, meta) VALUES (?, ?, ?, ?, ?, 0, ?)",
        arguments: [name, kind, source, sha256, now, meta])
      let id = db.lastInsertedRowID
      let entries = try fill(db, id)
      try db.execute(sql: "UPDATE refset SET entries = ? WHERE id = ?", arguments: [entries, id])
      return RefSet(
        id: id, name: name, kind: kind, source: source, sha256: sha256, importedAt: now, entries: entries, meta: meta)
    }
  }

  /// Inserts codes into a set being imported (call inside `importSet`'s `fill`).
  public static func insertCodes(_ db: Database, set: Int64, _ codes: [CodeEntry]) throws {
    let stmt = try db.makeStatement(sql: "INSERT INTO ref_code(set_id, code, name, attrs) VALUES (?, ?, ?, ?)")
    for c in codes {
      do {
        try stmt.execute(arguments: [set, c.code, c.name, c.attrs])
      } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
        throw MIError.reference("duplicate code '\(c.code)' in the import")
      }
    }
  }

  /// Stores a named blob in a set being imported (call inside `importSet`'s `fill`).
  public static func insertBlob(_ db: Database, set: Int64, name: String, data: Data) throws {
    try db.execute(sql: "INSERT INTO ref_blob(set_id, name, data) VALUES (?, ?, ?)", arguments: [set, name, data])
  }

  /// The codes of a set, sorted by code.
  public func codes(_ set: RefSet) throws(MIError) -> [CodeEntry] {
    try read { db in
      try Row.fetchAll(
        db, sql: "SELECT code, name, attrs FROM ref_code WHERE set_id = ? ORDER BY code", arguments: [set.id]
      )
      .map { CodeEntry(code: $0["code"], name: $0["name"], attrs: $0["attrs"]) }
    }
  }

  /// The names of a set's blobs, sorted.
  public func blobNames(_ set: RefSet) throws(MIError) -> [String] {
    try read { db in
      try String.fetchAll(db, sql: "SELECT name FROM ref_blob WHERE set_id = ? ORDER BY name", arguments: [set.id])
    }
  }

  /// A named blob of a set, or nil.
  public func blob(_ set: RefSet, _ name: String) throws(MIError) -> Data? {
    try read { db in
      try Data.fetchOne(db, sql: "SELECT data FROM ref_blob WHERE set_id = ? AND name = ?", arguments: [set.id, name])
    }
  }

  // MARK: - Ledger

  /// Posts a run: earlier effective runs of the same tool, kind and period are marked superseded by it, in the same
  /// transaction, so a period posted twice has one effective run and a cron job that runs twice pays once.
  ///
  /// `refuse` sees the effective run about to be superseded (inside the transaction) and may return an error that
  /// cancels the post (`LedgerGuard`). `records` are the input records in the period; the tool version is recorded.
  @discardableResult
  public func postRun(
    tool: String, kind: String, period: String, params: String, inputSHA256: String, records: Int64? = nil,
    toolVersion: String = MIVersion.current, lines: [LedgerLine], refuse: (LedgerRun) -> MIError? = { _ in nil }
  ) throws(MIError) -> LedgerRun {
    let now = Clock.timestamp()
    return try write { db in
      let current = try Row.fetchAll(
        db, sql: "SELECT * FROM ledger_run WHERE tool = ? AND kind = ? AND period = ? AND superseded_by IS NULL",
        arguments: [tool, kind, period]
      ).map(Workspace.ledgerRun)
      for c in current { if let e = refuse(c) { throw e } }
      try db.execute(
        sql: """
          INSERT INTO ledger_run(tool, kind, period, params, input_sha256, posted_at, tool_version, records)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [tool, kind, period, params, inputSHA256, now, toolVersion, records])
      let id = db.lastInsertedRowID
      try db.execute(
        sql:
          "UPDATE ledger_run SET superseded_by = ? WHERE tool = ? AND kind = ? AND period = ? AND id <> ? AND superseded_by IS NULL",
        arguments: [id, tool, kind, period, id])
      let stmt = try db.makeStatement(
        sql: "INSERT INTO ledger_line(run_id, pool, fixmedins_code, item, amount_fen) VALUES (?, ?, ?, ?, ?)")
      for l in lines {
        try stmt.execute(arguments: [id, l.pool, l.fixmedinsCode, l.item, l.amountFen])
      }
      return LedgerRun(
        id: id, tool: tool, kind: kind, period: period, params: params, inputSHA256: inputSHA256, postedAt: now,
        supersededBy: nil, toolVersion: toolVersion, records: records)
    }
  }

  private static func ledgerRun(_ row: Row) -> LedgerRun {
    LedgerRun(
      id: row["id"], tool: row["tool"], kind: row["kind"], period: row["period"], params: row["params"],
      inputSHA256: row["input_sha256"], postedAt: row["posted_at"], supersededBy: row["superseded_by"],
      toolVersion: row["tool_version"], records: row["records"])
  }

  /// The runs of the ledger, oldest first; `tool` filters.
  public func ledgerRuns(tool: String? = nil) throws(MIError) -> [LedgerRun] {
    try read { db in
      let sql = "SELECT * FROM ledger_run" + (tool == nil ? "" : " WHERE tool = ?") + " ORDER BY id"
      return try Row.fetchAll(db, sql: sql, arguments: tool.map { [$0] } ?? []).map(Workspace.ledgerRun)
    }
  }

  /// Makes the superseded run `id` of `tool` effective again, in one transaction: the run that is effective for its
  /// kind and period now is marked superseded by it, and the run keeps its lines, so a bad post is undone without
  /// running anything again. Returns the run restored and the run it replaced (nil when none was effective).
  @discardableResult
  public func restoreRun(_ id: Int64, tool: String) throws(MIError) -> (restored: LedgerRun, replaced: LedgerRun?) {
    try write { db in
      guard
        let run = try Row.fetchOne(
          db, sql: "SELECT * FROM ledger_run WHERE id = ? AND tool = ?", arguments: [id, tool]
        )
        .map(Workspace.ledgerRun)
      else {
        throw MIError.usage("\(path): no run \(id) of \(tool) in the ledger (see '\(tool) ledger --all')")
      }
      guard !run.effective else {
        throw MIError.usage("\(path): run \(id) (\(run.kind) \(run.period)) is already the effective run")
      }
      let current = try Row.fetchOne(
        db, sql: "SELECT * FROM ledger_run WHERE tool = ? AND kind = ? AND period = ? AND superseded_by IS NULL",
        arguments: [tool, run.kind, run.period]
      ).map(Workspace.ledgerRun)
      try db.execute(
        sql:
          "UPDATE ledger_run SET superseded_by = ? WHERE tool = ? AND kind = ? AND period = ? AND superseded_by IS NULL",
        arguments: [id, tool, run.kind, run.period])
      try db.execute(sql: "UPDATE ledger_run SET superseded_by = NULL WHERE id = ?", arguments: [id])
      var restored = run
      restored.supersededBy = nil
      var replaced = current
      replaced?.supersededBy = id
      return (restored, replaced)
    }
  }

  /// The lines of the run `id`, by pool, hospital and item.
  public func runLines(_ id: Int64) throws(MIError) -> [LedgerLine] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT pool, fixmedins_code, item, amount_fen FROM ledger_line WHERE run_id = ?
          ORDER BY pool, fixmedins_code, item
          """, arguments: [id]
      ).map {
        LedgerLine(pool: $0["pool"], fixmedinsCode: $0["fixmedins_code"], item: $0["item"], amountFen: $0["amount_fen"])
      }
    }
  }

  /// The lines of the effective (not superseded) runs of `tool` and `kind` whose period starts with `periodPrefix`
  /// (`2024` gives every month of 2024).
  public func effectiveLines(tool: String, kind: String, periodPrefix: String) throws(MIError) -> [LedgerLine] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT l.pool, l.fixmedins_code, l.item, l.amount_fen FROM ledger_line l JOIN ledger_run r ON r.id = l.run_id
          WHERE r.tool = ? AND r.kind = ? AND r.period LIKE ? AND r.superseded_by IS NULL
          ORDER BY r.period, l.pool, l.fixmedins_code, l.item
          """, arguments: [tool, kind, periodPrefix + "%"]
      ).map {
        LedgerLine(pool: $0["pool"], fixmedinsCode: $0["fixmedins_code"], item: $0["item"], amountFen: $0["amount_fen"])
      }
    }
  }
}

/// The time stamps written into the database and reports.
///
/// `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention) fixes the clock, so that golden
/// tests and re-runs give the same bytes.
public enum Clock {
  /// Now, as a `Date`.
  public static func now() -> Date {
    if let s = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let t = TimeInterval(s) {
      return Date(timeIntervalSince1970: t)
    }
    return Date()
  }

  /// Now as `yyyy-MM-dd HH:mm:ss` (UTC).
  public static func timestamp() -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return f.string(from: now())
  }
}
