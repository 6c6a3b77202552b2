import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Plans (quotas): set and corrected by heads, with the history of corrections; plan/fact.
struct PlanRoutes {
    let context: ServiceContext

    struct PlanBody: Decodable {
        var scope: Plan.Scope
        var subjectId: String?
        var metric: Metric
        var period: String
        var category: String?
        var region: String?
        var segment: String?
        var source: String?
        var target: Int64
    }

    struct Correction: Decodable {
        var target: Int64
        var reason: String?
        var version: Int?
    }

    func today() -> String { CalendarDay.of(Date(), in: context.settings.timeZone) }

    func register(on router: Router<PacerRequestContext>) {
        router.post("plans") { request, ctx in
            let user = try ctx.require(.head, .admin)
            let body = try await request.decodeJSON(PlanBody.self, context: ctx)
            let plan = try await context.database.write { db in
                try Plan.create(scope: body.scope, subjectId: body.subjectId, metric: body.metric, period: body.period, category: body.category,
                                region: body.region, segment: body.segment, source: body.source, target: body.target, by: user.userId, db)
            }
            return try jsonResponse(plan, status: .created)
        }

        router.get("plans") { request, ctx in
            let scope = try ctx.kpiScope()
            let period = request.query("period")
            let today = today()
            let figures = try await context.database.read { db in
                let calendar = try PlanFact.calendar(db)
                let team = try scope.flatMap { try String.fetchOne(db, sql: "SELECT teamId FROM dir_manager WHERE id = ?", arguments: [$0]) }
                return try Plan.all(db, period: period).filter { plan in
                    guard let scope else { return true }
                    switch plan.scope {
                    case .company: return true
                    case .team: return plan.subjectId == team
                    case .manager: return plan.subjectId == scope
                    }
                }.compactMap { try PlanFact.compute($0, today: today, calendar: calendar, db) }
            }
            return try jsonResponse(figures)
        }

        router.get("plans/:id") { _, ctx in
            let scope = try ctx.kpiScope()
            let id = try ctx.parameters.require("id")
            let today = today()
            guard let figure = try await context.database.read({ db in
                try Plan.find(id, db).flatMap { try PlanFact.compute($0, today: today, calendar: PlanFact.calendar(db), db) }
            }) else { throw Problem.notFound("no plan \(id)") }
            if let scope, figure.plan.scope == .manager, figure.plan.subjectId != scope { throw Problem(.forbidden, "another manager's plan") }
            return try jsonResponse(figure)
        }

        router.put("plans/:id") { request, ctx in
            let user = try ctx.require(.head, .admin)
            let id = try ctx.parameters.require("id")
            let body = try await request.decodeJSON(Correction.self, context: ctx)
            guard body.target > 0 else { throw Problem.invalid("target", "must be positive") }
            let plan = try await context.database.write { db in
                try Plan.correct(id, to: body.target, expectedVersion: body.version, by: user.userId, reason: body.reason, db)
            }
            return try jsonResponse(plan)
        }

        router.get("plans/:id/history") { _, ctx in
            _ = try ctx.kpiScope()
            let id = try ctx.parameters.require("id")
            let history = try await context.database.read { db -> [Plan.Change]? in
                guard try Plan.find(id, db) != nil else { return nil }
                return try Plan.history(id, db)
            }
            guard let history else { throw Problem.notFound("no plan \(id)") }
            return try jsonResponse(history)
        }

        router.get("frozen-months") { _, ctx in
            _ = try ctx.kpiScope()
            let months = try await context.database.read { db in try String.fetchAll(db, sql: "SELECT month FROM frozen_month ORDER BY month") }
            return try jsonResponse(months)
        }

        router.post("frozen-months/:month") { _, ctx in
            let user = try ctx.require(.head, .admin)
            let text = try ctx.parameters.require("month")
            guard let period = Period(text), period.kind == .month else { throw Problem.invalid("month", "must be a month like 2026-10") }
            guard period.lastDay < today() else { throw Problem.conflict("\(text) is not over yet; only closed months can be frozen", field: "month") }
            try await context.database.write { db in
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM frozen_month WHERE month = ?", arguments: [text]) == nil else { return }
                try db.execute(sql: "INSERT INTO frozen_agg SELECT * FROM agg WHERE day BETWEEN ? AND ?", arguments: [period.firstDay, period.lastDay])
                try db.execute(sql: "INSERT INTO frozen_agg_month SELECT * FROM agg_month WHERE month = ?", arguments: [text])
                try db.execute(sql: "INSERT INTO frozen_month(month, frozenAt, byUser) VALUES (?, ?, ?)",
                               arguments: [text, Date().timeIntervalSince1970, user.userId])
            }
            return Response(status: .noContent)
        }

        router.delete("frozen-months/:month") { _, ctx in
            try ctx.require(.head, .admin)
            let text = try ctx.parameters.require("month")
            guard let period = Period(text), period.kind == .month else { throw Problem.invalid("month", "must be a month like 2026-10") }
            try await context.database.write { db in
                try db.execute(sql: "DELETE FROM frozen_agg WHERE day BETWEEN ? AND ?", arguments: [period.firstDay, period.lastDay])
                try db.execute(sql: "DELETE FROM frozen_agg_month WHERE month = ?", arguments: [text])
                try db.execute(sql: "DELETE FROM frozen_month WHERE month = ?", arguments: [text])
            }
            return Response(status: .noContent)
        }

        router.get("calendar") { _, ctx in
            _ = try ctx.kpiScope()
            let calendar = try await context.database.read { try PlanFact.calendar($0) }
            return try jsonResponse(["holidays": calendar.holidays.sorted(), "workingWeekends": calendar.workingWeekends.sorted()])
        }

        router.put("calendar") { request, ctx in
            try ctx.require(.head, .admin)
            struct Body: Decodable { var holidays: [String]; var workingWeekends: [String]? }
            let body = try await request.decodeJSON(Body.self, context: ctx)
            for (index, day) in body.holidays.enumerated() where !CalendarDay.isValid(day) { throw Problem.invalid("holidays[\(index)]", "must be a date YYYY-MM-DD") }
            for (index, day) in (body.workingWeekends ?? []).enumerated() where !CalendarDay.isValid(day) {
                throw Problem.invalid("workingWeekends[\(index)]", "must be a date YYYY-MM-DD")
            }
            try await context.database.write { db in
                try db.execute(sql: "DELETE FROM calendar_day")
                for day in body.holidays { try db.execute(sql: "INSERT OR REPLACE INTO calendar_day(day, kind) VALUES (?, 'holiday')", arguments: [day]) }
                for day in body.workingWeekends ?? [] { try db.execute(sql: "INSERT OR REPLACE INTO calendar_day(day, kind) VALUES (?, 'working')", arguments: [day]) }
            }
            return Response(status: .noContent)
        }
    }
}
