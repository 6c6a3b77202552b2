import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The forecast, and the bonus schemes with each manager's bonus explained line by line.
struct MotivationRoutes {
    let context: ServiceContext

    func register(on router: Router<PacerRequestContext>) {
        let zone = context.settings.timeZone

        router.get("forecast") { request, ctx in
            let today = CalendarDay.of(Date(), in: zone)
            struct Report: Codable, Sendable { var on: String; var periods: [Forecast.Row]; var history: [Forecast.Accuracy] }
            let report = try await context.database.read { db in
                let managers = try ctx.managers(request, db)
                let calendar = try PlanFact.calendar(db)
                return Report(on: today, periods: try Forecast.rows(managers: managers, today: today, calendar: calendar, db),
                              history: managers == nil ? try Forecast.accuracy(today: today, db) : [])
            }
            return try jsonResponse(report)
        }

        router.get("bonus-schemes") { _, ctx in
            _ = try ctx.kpiScope()
            let schemes = try await context.database.read { db in
                try Row.fetchAll(db, sql: "SELECT role FROM bonus_scheme ORDER BY role").reduce(into: [String: BonusScheme]()) { result, row in
                    let role: String = row["role"]
                    result[role] = try BonusScheme.find(role: role, db)
                }
            }
            return try jsonResponse(schemes)
        }

        router.put("bonus-schemes/:role") { request, ctx in
            try ctx.require(.head, .admin)
            let role = try ctx.parameters.require("role")
            guard role == "manager" || role == "head" else { throw Problem.invalid("role", "must be manager or head") }
            let scheme = try await request.decodeJSON(BonusScheme.self, context: ctx)
            try scheme.validate()
            try await context.database.write { db in try scheme.save(role: role, db) }
            return try jsonResponse(scheme)
        }

        router.get("managers/:id/bonus") { request, ctx in
            let scope = try ctx.kpiScope()
            let id = try ctx.parameters.require("id")
            if let scope, scope != id { throw Problem(.forbidden, "only heads see another manager's bonus") }
            let period = try request.period(zone: zone)
            let today = CalendarDay.of(Date(), in: zone)
            let bonus = try await context.database.read { db -> BonusScheme.Bonus? in
                guard let role = try String.fetchOne(db, sql: "SELECT role FROM dir_manager WHERE id = ?", arguments: [id]) else {
                    throw Problem.notFound("no manager \(id)")
                }
                return try BonusScheme.find(role: role, db)?.compute(managerId: id, role: role, period: period, today: today,
                                                                     calendar: PlanFact.calendar(db), db)
            }
            guard let bonus else { throw Problem.notFound("no bonus scheme for this manager's role; set one with PUT /bonus-schemes/{role}") }
            return try jsonResponse(bonus)
        }
    }
}
