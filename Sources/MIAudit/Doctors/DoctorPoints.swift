import MICore

/// One confirmed finding charged to a doctor: the points it gives and the running total after it.
public struct PointsEvent: Sendable, Equatable {
  /// The finding's rule and key.
  public var ruleID: String, key: String
  /// Its `occur_date` and that day's number (days since 1970-01-01).
  public var occurDate: String, day: Int
  /// Its institution, when the finding names one.
  public var fixmedinsCode: String?
  /// Its points (`[points] map`).
  public var points: Int
  /// The doctor's points in the year after it (set when the standing is computed).
  public var total = 0
}

/// A doctor's standing in a year: points, events, and the suspension or termination they led to.
public struct DoctorStanding: Sendable, Equatable {
  /// What the points led to.
  public enum Status: String, Sendable {
    /// Below the suspension threshold.
    case normal
    /// Reached `suspend_at`: suspended from the day after the event that reached it, for `suspend_months`.
    case suspended
    /// Reached `terminate_at`: the qualification ends from the day after the event that reached it.
    case terminated
  }

  /// The doctor's code (`bilg_dr_codg` / `chfpdr_code`).
  public var doctor: String
  /// The year.
  public var year: String
  /// The events in date order (then rule and key), each with the running total.
  public var events: [PointsEvent]
  /// The points of the year.
  public var points: Int
  /// The status at the end of the year's events.
  public var status: Status
  /// The suspension's first and last day (day numbers), when the points reached `suspend_at` before (or without)
  /// reaching `terminate_at` at the same event.
  public var suspendedFrom: Int?, suspendedUntil: Int?
  /// The termination's first day, when the points reached `terminate_at`.
  public var terminatedFrom: Int?
  /// The running totals at the events that started the suspension and the termination.
  public var pointsAtSuspension: Int?, pointsAtTermination: Int?
  /// The institution of most of the doctor's events (ties: the smaller code), nil when none names one.
  public var fixmedinsCode: String?
}

/// Turns confirmed findings into each doctor's points of one natural year (AUDIT.md §4, G02), holding one small
/// event per confirmed finding charged to a doctor: memory follows confirmed findings, not findings read.
public struct DoctorPoints {
  /// The `[points]` section.
  public let policy: PointsPolicy
  /// The year (`YYYY`).
  public let year: String
  /// What happened to the findings read, for the summary line.
  public private(set) var counts = Counts()
  /// The events of each doctor, in input order.
  private var byDoctor: [String: [PointsEvent]] = [:]

  /// The fates of the findings read; nothing is dropped silently (DESIGN.md §4).
  public struct Counts: Sendable, Equatable {
    /// Findings read.
    public var findings = 0
    /// Confirmed findings of the year with a doctor and a mapped rule: the events.
    public var events = 0
    /// Findings not confirmed (not in the list; with `--auto`, 可疑).
    public var notConfirmed = 0
    /// Confirmed findings whose `occur_date` is in another year or absent.
    public var otherYear = 0
    /// Confirmed findings of the year with neither `bilg_dr_codg` nor `chfpdr_code` (nor, with `--cases`, a
    /// settlement whose case has one).
    public var withoutDoctor = 0
    /// Confirmed findings of the year with a doctor whose rule is not in `[points] map`.
    public var unmapped = 0
  }

  /// Starts an empty year.
  public init(policy: PointsPolicy, year: String) {
    self.policy = policy
    self.year = year
  }

  /// Takes one finding; `confirmed` says whether it was confirmed (by the list, or `--auto` for 明确违规);
  /// `cases` gives the 主诊医师 of a finding that names no doctor.
  public mutating func add(_ f: FindingRecord, confirmed: Bool, cases: CaseDoctors = CaseDoctors()) {
    counts.findings += 1
    guard confirmed else {
      counts.notConfirmed += 1
      return
    }
    guard let date = f.occurDate, date.hasPrefix(year + "-"), let day = PointsCalendar.day(date) else {
      counts.otherYear += 1
      return
    }
    guard let doctor = cases.doctor(of: f) else {
      counts.withoutDoctor += 1
      return
    }
    guard let points = policy.map[f.ruleID] else {
      counts.unmapped += 1
      return
    }
    counts.events += 1
    byDoctor[doctor, default: []].append(
      PointsEvent(
        ruleID: f.ruleID, key: f.key, occurDate: date, day: day, fixmedinsCode: f.fixmedinsCode, points: points))
  }

  /// Every doctor with an event, by doctor code: the events in date order (then rule, key), the running totals,
  /// and the first event whose total reaches each threshold. A suspension or termination starts the day after
  /// that event (the points attach to a confirmed finding, so the day of the violation itself was not yet under
  /// it) and a suspension lasts `suspend_months` whole months. One event that reaches both thresholds at once
  /// terminates without a suspension (national: "一次性记满12分").
  public func standings() -> [DoctorStanding] {
    byDoctor.keys.sorted().map { doctor in
      var events = byDoctor[doctor]!.sorted { ($0.day, $0.ruleID, $0.key) < ($1.day, $1.ruleID, $1.key) }
      var total = 0
      var s = DoctorStanding(
        doctor: doctor, year: year, events: [], points: 0, status: .normal, fixmedinsCode: mainInstitution(events))
      for i in events.indices {
        total += events[i].points
        events[i].total = total
        if s.terminatedFrom == nil && policy.terminates(total) {
          s.terminatedFrom = events[i].day + 1
          s.pointsAtTermination = total
          s.status = .terminated
        } else if s.status == .normal && policy.suspends(total) {
          s.suspendedFrom = events[i].day + 1
          s.pointsAtSuspension = total
          s.suspendedUntil = PointsCalendar.lastDay(from: events[i].day + 1, months: policy.suspendMonths)
          s.status = .suspended
        }
      }
      s.events = events
      s.points = total
      return s
    }
  }

  /// The institution named by most events; ties go to the smaller code.
  private func mainInstitution(_ events: [PointsEvent]) -> String? {
    var n: [String: Int] = [:]
    for e in events { if let c = e.fixmedinsCode { n[c, default: 0] += 1 } }
    return n.min { ($1.value, $0.key) < ($0.value, $1.key) }?.key
  }
}
