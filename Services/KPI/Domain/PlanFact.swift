import Contracts
import Foundation
import GRDB

/// A plan against its fact: completion, what remains, and pace — the fact against the target's
/// share for the working days elapsed — with a projection to the period's end.
struct PlanFact: Codable, Sendable {
    var plan: Plan
    var fact: Int64
    /// Fact ÷ target, in percent with two decimals.
    var completion: Double
    var remaining: Int64
    var expectedByNow: Int64
    var status: PaceStatus
    var projected: Int64
    var workingDays: Int
    var workingDaysElapsed: Int

    /// Within 5 % of the expected amount is on track; below is behind, above is ahead.
    static func status(fact: Int64, expected: Int64) -> PaceStatus {
        guard expected > 0 else { return .onTrack }
        if fact * 100 < expected * 95 { return .behind }
        if fact * 100 > expected * 105 { return .ahead }
        return .onTrack
    }

    static func compute(_ plan: Plan, today: String, calendar: WorkCalendar, _ db: Database) throws -> PlanFact? {
        guard let period = Period(plan.period) else { return nil }
        let filter = Filter(managers: try Figures.managers(of: plan, db), period: period, category: plan.category, region: plan.region,
                            segment: plan.segment, source: plan.source)
        let fact = try Figures.value(plan.metric, filter, db)
        let (total, elapsed) = calendar.progress(period, today: today)
        let expected = total > 0 ? plan.target * Int64(elapsed) / Int64(total) : plan.target
        let projected = elapsed > 0 ? fact * Int64(total) / Int64(elapsed) : fact
        let completion = plan.target > 0 ? (Double(fact) * 10_000 / Double(plan.target)).rounded() / 100 : 0
        return PlanFact(plan: plan, fact: fact, completion: completion, remaining: max(0, plan.target - fact), expectedByNow: expected,
                        status: status(fact: fact, expected: expected), projected: projected, workingDays: total, workingDaysElapsed: elapsed)
    }

    static func calendar(_ db: Database) throws -> WorkCalendar {
        var calendar = WorkCalendar()
        for row in try Row.fetchAll(db, sql: "SELECT day, kind FROM calendar_day") {
            if (row["kind"] as String) == "holiday" { calendar.holidays.insert(row["day"]) } else { calendar.workingWeekends.insert(row["day"]) }
        }
        return calendar
    }
}
