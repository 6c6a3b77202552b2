import Foundation

// Events published by pacer-kpi on the `kpi` stream.

public enum PaceStatus: String, Codable, Sendable { case ahead, onTrack = "on_track", behind }

/// Published once per change of a plan's pace status (not on every event that moves the fact).
public struct PlanPaceChanged: EventPayload, Hashable {
    public static let eventType: EventType = "plan.pace_changed"
    public var planId: String
    public var managerId: String?
    public var metric: String
    public var period: String          // e.g. 2026-11, 2026-Q4
    public var target: Int64
    public var fact: Int64
    public var expectedByNow: Int64
    public var status: PaceStatus
    public init(planId: String, managerId: String?, metric: String, period: String, target: Int64, fact: Int64,
                expectedByNow: Int64, status: PaceStatus) {
        self.planId = planId; self.managerId = managerId; self.metric = metric; self.period = period
        self.target = target; self.fact = fact; self.expectedByNow = expectedByNow; self.status = status
    }
}

/// A manager's figures moved: the current month's value of every metric that has one. Published
/// at most once per manager per check of pacer-kpi (every few seconds), not per event.
public struct KpiChanged: EventPayload, Hashable {
    public static let eventType: EventType = "kpi.changed"
    public var managerId: String
    public var period: String
    public var values: [String: Int64]
    /// The manager's own plans of the current periods, with their fact and pace.
    public var plans: [PlanPace]
    public init(managerId: String, period: String, values: [String: Int64], plans: [PlanPace]) {
        self.managerId = managerId; self.period = period; self.values = values; self.plans = plans
    }
}

/// A plan's standing: target, fact, the share of the target expected by now, and the status.
public struct PlanPace: Codable, Hashable, Sendable {
    public var planId: String
    public var metric: String
    public var period: String
    public var target: Int64
    public var fact: Int64
    public var expectedByNow: Int64
    public var status: PaceStatus
    public init(planId: String, metric: String, period: String, target: Int64, fact: Int64, expectedByNow: Int64, status: PaceStatus) {
        self.planId = planId; self.metric = metric; self.period = period; self.target = target; self.fact = fact
        self.expectedByNow = expectedByNow; self.status = status
    }
}
