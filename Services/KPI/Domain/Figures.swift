import Contracts
import Foundation
import GRDB

/// Which facts a figure counts: whose (managers; nil for the whole company), which days, and
/// within which category, region, segment and lead source.
struct Filter: Sendable, Equatable {
    var managers: [String]?
    var from: String
    var to: String
    var category: String?
    var region: String?
    var segment: String?
    var source: String?

    init(managers: [String]?, period: Period, category: String? = nil, region: String? = nil, segment: String? = nil, source: String? = nil) {
        self.managers = managers; from = period.firstDay; to = period.lastDay
        self.category = category; self.region = region; self.segment = segment; self.source = source
    }

    /// The first and last month when the days are whole months — every period is — so the
    /// figures can be read from the monthly sums; nil for any other range of days.
    var months: (first: String, last: String)? {
        guard from.hasSuffix("-01"), from <= to, Period.containing(to, kind: .month).lastDay == to else { return nil }
        return (String(from.prefix(7)), String(to.prefix(7)))
    }

    /// The cells to read (`agg_month_figures` for whole months, else `agg_figures`) and the
    /// condition that picks this filter's from them.
    var cells: (table: String, condition: SQL) {
        guard let months else { return ("agg_figures", sql) }
        return ("agg_month_figures", "month BETWEEN \(months.first) AND \(months.last)" + dimensions)
    }

    var sql: SQL { "day BETWEEN \(from) AND \(to)" + dimensions }

    private var dimensions: SQL {
        var sql: SQL = ""
        if let managers { sql += " AND managerId IN \(managers)" }
        if let category { sql += " AND category = \(category)" }
        if let region { sql += " AND region = \(region)" }
        if let segment { sql += " AND segment = \(segment)" }
        if let source { sql += " AND source = \(source)" }
        return sql
    }
}

/// The numbers, read from the daily aggregate and the facts.
enum Figures {
    /// Every metric's value under `filter`.
    static func values(_ filter: Filter, _ db: Database) throws -> [Metric: Int64] {
        let (table, condition) = filter.cells
        let request = SQLRequest<Row>(literal: "SELECT metric, SUM(value) AS total FROM \(sql: table) WHERE " + condition + " GROUP BY metric")
        var values: [Metric: Int64] = [:]
        for metric in Metric.allCases { values[metric] = 0 }
        for row in try request.fetchAll(db) {
            if let metric = Metric(rawValue: row["metric"]) { values[metric] = row["total"] }
        }
        return values
    }

    static func value(_ metric: Metric, _ filter: Filter, _ db: Database) throws -> Int64 {
        let (table, condition) = filter.cells
        let request = SQLRequest<Int64>(literal: "SELECT COALESCE(SUM(value), 0) FROM \(sql: table) WHERE metric = \(metric.rawValue) AND " + condition)
        return try request.fetchOne(db) ?? 0
    }

    /// One metric per manager.
    static func byManager(_ metric: Metric, _ filter: Filter, _ db: Database) throws -> [String: Int64] {
        let (table, condition) = filter.cells
        let request = SQLRequest<Row>(literal: "SELECT managerId, SUM(value) AS total FROM \(sql: table) WHERE metric = \(metric.rawValue) AND "
                                      + condition + " GROUP BY managerId")
        return Dictionary(uniqueKeysWithValues: try request.fetchAll(db).map { ($0["managerId"] as String, $0["total"] as Int64) })
    }

    /// The managers a plan's scope covers; nil for the company.
    static func managers(of plan: Plan, _ db: Database) throws -> [String]? {
        switch plan.scope {
        case .company: return nil
        case .manager: return [plan.subjectId ?? ""]
        case .team: return try String.fetchAll(db, sql: "SELECT id FROM dir_manager WHERE teamId = ? ORDER BY id", arguments: [plan.subjectId])
        }
    }

    /// Won deals closed in the period: average amount and average days from creation to win.
    static func dealAverages(managers: [String]?, period: Period, zone: TimeZone, _ db: Database) throws -> (averageDeal: Int64, cycleDays: Double?) {
        let start = CalendarDay.start(period.firstDay, in: zone)!.timeIntervalSince1970
        let end = CalendarDay.start(CalendarDay.adding(1, to: period.lastDay)!, in: zone)!.timeIntervalSince1970
        var sql: SQL = "SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, AVG(closedAt - createdAt) AS cycle FROM fact_deal WHERE status = 'won' AND closedAt >= \(start) AND closedAt < \(end)"
        if let managers { sql += " AND managerId IN \(managers)" }
        let row = try SQLRequest<Row>(literal: sql).fetchOne(db)!
        let count: Int64 = row["n"]
        return (count > 0 ? (row["total"] as Int64) / count : 0, (row["cycle"] as Double?).map { ($0 / 86_400 * 10).rounded() / 10 })
    }
}
