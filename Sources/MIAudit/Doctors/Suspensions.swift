import MICore

/// The periods in which doctors may not bill the fund: the suspensions and terminations of the effective points
/// runs in the workspace ledger (`mi-audit doctors --post`), and those of `doctor_points` records named in a file
/// (points are shared nationally: another region's notice is such a file).
public struct Suspensions: Sendable, Equatable {
  /// One period of a doctor: first and last day (day numbers since 1970-01-01); `until` nil for a termination.
  public struct Period: Sendable, Equatable {
    /// The first day.
    public var from: Int
    /// The last day, nil when open (terminated).
    public var until: Int?
    /// The points run (ledger) or file it comes from, for the finding's 依据.
    public var source: String

    /// Whether `day` falls in the period.
    public func covers(_ day: Int) -> Bool { day >= from && until.map { day <= $0 } ?? true }

    /// `FROM..UNTIL`, or `FROM..` for a termination.
    public var text: String { "\(PointsCalendar.text(from))..\(until.map(PointsCalendar.text) ?? "")" }
  }

  /// The periods of each doctor, by first day.
  public private(set) var byDoctor: [String: [Period]] = [:]

  /// Creates an empty set.
  public init() {}

  /// Whether there is no period at all.
  public var isEmpty: Bool { byDoctor.isEmpty }

  /// Adds a period.
  public mutating func add(doctor: String, _ p: Period) {
    byDoctor[doctor, default: []].append(p)
    byDoctor[doctor]!.sort { ($0.from, $0.until ?? Int.max, $0.source) < ($1.from, $1.until ?? Int.max, $1.source) }
  }

  /// The period of `doctor` that covers `day`, or nil.
  public func period(_ doctor: String, on day: Int) -> Period? {
    byDoctor[doctor]?.first { $0.covers(day) }
  }

  /// Adds the suspensions and terminations of the effective points runs of the workspace's ledger (tool
  /// "mi-audit", kind "points", every year).
  public mutating func addLedger(_ ws: Workspace) throws(MIError) {
    for run in try ws.ledgerRuns(tool: "mi-audit") where run.effective && run.kind == "points" {
      for l in try ws.runLines(run.id) {
        guard let p = Suspensions.period(item: l.item, source: "points run \(run.id) (\(run.period))") else { continue }
        add(doctor: l.pool, p)
      }
    }
  }

  /// The period a ledger item names (`suspended FROM..UNTIL`, `terminated FROM`), nil for other items.
  static func period(item: String, source: String) -> Period? {
    let parts = item.split(separator: " ")
    guard parts.count == 2 else { return nil }
    if parts[0] == Substring(DoctorRecords.suspendedItem) {
      let range = parts[1].split(separator: ".")
      guard range.count == 2, let f = PointsCalendar.day(String(range[0])), let u = PointsCalendar.day(String(range[1]))
      else {
        return nil
      }
      return Period(from: f, until: u, source: source)
    }
    if parts[0] == Substring(DoctorRecords.terminatedItem), let f = PointsCalendar.day(String(parts[1])) {
      return Period(from: f, until: nil, source: source)
    }
    return nil
  }

  /// Adds the suspensions and terminations of the kind "doctor_points" records of an NDJSON file (`mi-audit doctors`
  /// output; other kinds are skipped). A bad date stops with file, line and field.
  public mutating func addFile(_ path: String) throws(MIError) {
    var periods: [(String, Period)] = []
    try SideFile.forEachRecord(path) { (s, at) throws(FieldError) in
      guard try s.string("kind") == "doctor_points" else { return }
      guard let doctor = try s.code("doctor") else { throw FieldError("doctor", "missing") }
      let source = "\(at.file):\(at.line)"
      if let f = try DateTime.read(s, "suspended_from", time: false) {
        guard let u = try DateTime.read(s, "suspended_until", time: false) else {
          throw FieldError("suspended_until", "missing (suspended_from is given)")
        }
        periods.append(
          (
            doctor,
            Period(
              from: PointsCalendar.day(f.year, f.month, f.day), until: PointsCalendar.day(u.year, u.month, u.day),
              source: source)
          ))
      }
      if let t = try DateTime.read(s, "terminated_from", time: false) {
        periods.append((doctor, Period(from: PointsCalendar.day(t.year, t.month, t.day), until: nil, source: source)))
      }
    }
    for (d, p) in periods { add(doctor: d, p) }
  }
}
