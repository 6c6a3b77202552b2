import Contracts
import Foundation
import GRDB
import ServiceKit
import ServiceLifecycle
import Storage

/// Looks at the plans of the current periods and at the managers whose figures moved: announces
/// `plan.pace_changed` once when a plan's pace status changes (behind, back on track, ahead) and
/// `kpi.changed` once per check for each manager whose figures moved.
///
/// Configuration: `interval` between checks (default 10 s).
struct PaceWatcher: Service {
    let context: ServiceContext
    var interval: Duration = .seconds(10)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let (paces, kpis) = try await Self.check(context.database, outbox: context.outbox, zone: context.settings.timeZone)
                if paces > 0 { context.logger.info("plan pace changed", metadata: ["plans": "\(paces)", "managers": "\(kpis)"]) }
            } catch {
                context.logger.error("pace check failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    static func check(_ database: DatabasePool, outbox: OutboxStore, zone: TimeZone, now: Date = Date()) async throws -> (Int, Int) {
        let today = CalendarDay.of(now, in: zone)
        return try await database.write { db in
            let calendar = try PlanFact.calendar(db)
            var changed = 0
            // The plans of the current periods, each against its fact once: for pace and for kpi.changed.
            let current = try Plan.all(db).compactMap { plan -> PlanFact? in
                guard let period = Period(plan.period), period.firstDay <= today, today <= period.lastDay else { return nil }
                return try PlanFact.compute(plan, today: today, calendar: calendar, db)
            }
            for figure in current {
                let plan = figure.plan
                let previous = try String.fetchOne(db, sql: "SELECT status FROM plan_status WHERE planId = ?", arguments: [plan.id])
                guard previous != figure.status.rawValue else { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO plan_status(planId, status, at) VALUES (?, ?, ?)",
                               arguments: [plan.id, figure.status.rawValue, now.timeIntervalSince1970])
                // A plan that starts on track is not news; every later change is.
                if previous == nil && figure.status == .onTrack { continue }
                try outbox.append(PlanPaceChanged(planId: plan.id, managerId: plan.scope == .manager ? plan.subjectId : nil, metric: plan.metric.rawValue,
                                                  period: plan.period, target: plan.target, fact: figure.fact, expectedByNow: figure.expectedByNow,
                                                  status: figure.status), stream: StreamName.kpi, in: db)
                changed += 1
            }
            let month = Period.containing(today, kind: .month)
            let dirty = try String.fetchAll(db, sql: "SELECT managerId FROM dirty_manager WHERE managerId != '' ORDER BY managerId")
            for manager in dirty {
                let values = try Figures.values(Filter(managers: [manager], period: month), db)
                let plans = current.filter { $0.plan.scope == .manager && $0.plan.subjectId == manager }.map {
                    PlanPace(planId: $0.plan.id, metric: $0.plan.metric.rawValue, period: $0.plan.period, target: $0.plan.target, fact: $0.fact,
                             expectedByNow: $0.expectedByNow, status: $0.status)
                }
                try outbox.append(KpiChanged(managerId: manager, period: month.description,
                                             values: Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }), plans: plans),
                                  stream: StreamName.kpi, in: db)
            }
            try db.execute(sql: "DELETE FROM dirty_manager")
            try Forecast.record(today: today, calendar: calendar, db)
            return (changed, dirty.count)
        }
    }
}
