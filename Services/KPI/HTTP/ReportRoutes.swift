import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The read API: figures, leaderboard, a manager's card, the funnel, diagnostics, and a recompute
/// from the stored events. Periods are `2026-11`, `2026-Q4`, `2026-H2`, `2026` (default: the
/// current month in the company zone).
struct ReportRoutes {
    let context: ServiceContext
    let configuration: KPIConfiguration

    struct Figure: Codable, Sendable {
        var period: String
        var managers: [String]?
        var values: [String: Int64]
        var averageDeal: Int64
        var cycleDays: Double?
    }

    struct LeaderboardRow: Codable, Sendable {
        var rank: Int
        var managerId: String
        var name: String
        var teamId: String?
        var value: Int64
        var target: Int64?
        var completion: Double?
        var status: PaceStatus?
    }

    struct Card: Codable, Sendable {
        var managerId: String
        var name: String
        var teamId: String?
        var period: String
        var values: [String: Int64]
        var averageDeal: Int64
        var cycleDays: Double?
        var plans: [PlanFact]
        var rank: [String: Int]
        var receivablesOverdue: Int64
        var overdueTasks: Int
        var openDeals: Int
    }

    func period(_ request: Request) throws -> Period { try request.period(zone: context.settings.timeZone) }

    func dims(_ request: Request) -> (category: String?, region: String?, segment: String?, source: String?) {
        (request.query("category"), request.query("region"), request.query("segment"), request.query("source"))
    }

    func register(on router: Router<PacerRequestContext>) {
        let zone = context.settings.timeZone

        router.get("figures") { request, ctx in
            let period = try period(request)
            let dims = dims(request)
            let figure = try await context.database.read { db -> Figure in
                let managers = try ctx.managers(request, db)
                let values = try Figures.values(Filter(managers: managers, period: period, category: dims.category, region: dims.region,
                                                       segment: dims.segment, source: dims.source), db)
                let averages = try Figures.dealAverages(managers: managers, period: period, zone: zone, db)
                return Figure(period: period.description, managers: managers, values: Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }),
                              averageDeal: averages.averageDeal, cycleDays: averages.cycleDays)
            }
            return try jsonResponse(figure)
        }

        router.get("leaderboard") { request, ctx in
            _ = try ctx.kpiScope()
            let period = try period(request)
            let dims = dims(request)
            guard let metric = Metric(rawValue: request.query("metric") ?? Metric.wonAmount.rawValue) else {
                throw Problem.invalid("metric", "must be one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let byCompletion = request.query("sort") == "completion"
            let today = CalendarDay.of(Date(), in: zone)
            let rows = try await context.database.read { db in
                try Self.leaderboard(metric: metric, period: period, dims: dims, team: request.query("teamId"), byCompletion: byCompletion, today: today, db)
            }
            return try jsonResponse(rows)
        }

        router.get("managers/:id/card") { request, ctx in
            let scope = try ctx.kpiScope()
            let id = try ctx.parameters.require("id")
            if let scope, scope != id { throw Problem(.forbidden, "only heads see another manager's card") }
            let period = try period(request)
            let today = CalendarDay.of(Date(), in: zone)
            guard let card = try await context.database.read({ db in try Self.card(id, period: period, today: today, zone: zone, db) }) else {
                throw Problem.notFound("no manager \(id)")
            }
            return try jsonResponse(card)
        }

        router.get("funnel") { request, ctx in
            let period = try period(request)
            let funnel = try await context.database.read { db in
                try Reports.funnel(managers: try ctx.managers(request, db), period: period, zone: zone, db)
            }
            return try jsonResponse(funnel)
        }

        router.get("diagnostics") { request, ctx in
            let period = try period(request)
            let forgotten = try request.queryInt("forgottenDays", default: configuration.forgottenDays, range: 1...3650)
            let stuck = try request.queryInt("stuckDays", default: configuration.stuckDays, range: 1...3650)
            let report = try await context.database.read { db in
                try Reports.diagnostics(managers: try ctx.managers(request, db), period: period, now: Date(), forgottenDays: forgotten, stuckDays: stuck, db)
            }
            return try jsonResponse(report)
        }

        router.post("recompute") { _, ctx in
            try ctx.require(.admin)
            let started = Date()
            let events = try await context.database.write { db in try Projection.recompute(zone: zone, db) }
            return try jsonResponse(["events": events, "milliseconds": Int(Date().timeIntervalSince(started) * 1000)])
        }
    }

    /// A manager's card: figures, their plans (and their team's) with pace, rank, what is overdue.
    static func card(_ id: String, period: Period, today: String, zone: TimeZone, _ db: Database) throws -> Card? {
        guard let manager = try Row.fetchOne(db, sql: "SELECT name, teamId FROM dir_manager WHERE id = ?", arguments: [id]) else { return nil }
        let values = try Figures.values(Filter(managers: [id], period: period), db)
        let averages = try Figures.dealAverages(managers: [id], period: period, zone: zone, db)
        let calendar = try PlanFact.calendar(db)
        let team: String? = manager["teamId"]
        let plans = try Plan.all(db, period: period.description).filter {
            $0.scope == .manager && $0.subjectId == id || $0.scope == .team && $0.subjectId == team && team != nil
        }.compactMap { try PlanFact.compute($0, today: today, calendar: calendar, db) }
        // Ranks as the leaderboard orders them (value, then id), from the values alone: computing
        // three whole leaderboards with every manager's plans made the card slow.
        var rank: [String: Int] = [:]
        let active = try String.fetchAll(db, sql: "SELECT id FROM dir_manager WHERE active = 1 AND role = 'manager' ORDER BY id")
        for metric in [Metric.wonAmount, .cashReceived, .calls] {
            let values = try Figures.byManager(metric, Filter(managers: nil, period: period), db)
            let ordered = active.sorted { a, b in
                let (va, vb) = (values[a] ?? 0, values[b] ?? 0)
                return va != vb ? va > vb : a < b
            }
            rank[metric.rawValue] = ordered.firstIndex(of: id).map { $0 + 1 }
        }
        return Card(managerId: id, name: manager["name"], teamId: team, period: period.description,
                    values: Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }),
                    averageDeal: averages.averageDeal, cycleDays: averages.cycleDays, plans: plans, rank: rank,
                    receivablesOverdue: try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(outstanding), 0) FROM fact_receivable WHERE managerId = ? AND overdue = 1",
                                                           arguments: [id]) ?? 0,
                    overdueTasks: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fact_task WHERE assigneeId = ? AND overdue = 1 AND status = 'open'",
                                                   arguments: [id]) ?? 0,
                    openDeals: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fact_deal WHERE managerId = ? AND status = 'open'", arguments: [id]) ?? 0)
    }

    static func leaderboard(metric: Metric, period: Period, dims: (category: String?, region: String?, segment: String?, source: String?),
                            team: String?, byCompletion: Bool, today: String, _ db: Database) throws -> [LeaderboardRow] {
        var sql = "SELECT id, name, teamId FROM dir_manager WHERE active = 1 AND role = 'manager'"
        var arguments: StatementArguments = []
        if let team { sql += " AND teamId = ?"; arguments += [team] }
        let managers = try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments)
        let values = try Figures.byManager(metric, Filter(managers: nil, period: period, category: dims.category, region: dims.region,
                                                          segment: dims.segment, source: dims.source), db)
        let calendar = try PlanFact.calendar(db)
        let plans = try Plan.all(db, period: period.description).filter {
            $0.scope == .manager && $0.metric == metric && $0.category == dims.category && $0.region == dims.region
                && $0.segment == dims.segment && $0.source == dims.source
        }
        var rows = try managers.map { manager -> LeaderboardRow in
            let id: String = manager["id"]
            let figure = try plans.first { $0.subjectId == id }.flatMap { try PlanFact.compute($0, today: today, calendar: calendar, db) }
            return LeaderboardRow(rank: 0, managerId: id, name: manager["name"], teamId: manager["teamId"], value: values[id] ?? 0,
                                  target: figure?.plan.target, completion: figure?.completion, status: figure?.status)
        }
        rows.sort { a, b in
            let (ka, kb) = byCompletion ? (a.completion ?? -1, b.completion ?? -1) : (Double(a.value), Double(b.value))
            return ka != kb ? ka > kb : a.managerId < b.managerId
        }
        for index in rows.indices { rows[index].rank = index + 1 }
        return rows
    }
}
