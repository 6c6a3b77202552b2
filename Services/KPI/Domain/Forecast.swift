import Contracts
import Foundation
import GRDB

/// What the period will bring: won so far, plus the open pipeline expected to close in it, each
/// deal weighted by its stage's win probability; beside it the run-rate — the average month of
/// the last three full months, for the working days left. Forecasts are kept once a day, so a
/// past month shows what was forecast at its start against what happened.
enum Forecast {
    struct Row: Codable, Sendable {
        var period: String
        var wonSoFar: Int64
        var weightedPipeline: Int64
        /// Open deals expected in the period, and those with no expected close date at all.
        var openDeals: Int
        var undatedOpenDeals: Int
        var forecast: Int64
        var runRate: Int64
    }

    struct Accuracy: Codable, Sendable {
        var period: String
        var forecastOn: String
        var forecast: Int64
        var actual: Int64
        /// 100 − |forecast − actual| ÷ actual, percent; nil when nothing was won.
        var accuracy: Double?
    }

    static func rows(managers: [String]?, today: String, calendar: WorkCalendar, _ db: Database) throws -> [Row] {
        let month = Period.containing(today, kind: .month)
        let nextMonth = Period.containing(CalendarDay.adding(1, to: month.lastDay)!, kind: .month)
        let quarter = Period.containing(today, kind: .quarter)
        let nextQuarter = Period.containing(CalendarDay.adding(1, to: quarter.lastDay)!, kind: .quarter)
        // The average won per month over the three full months before this one.
        var start = month.firstDay
        for _ in 0..<3 { start = Period.containing(CalendarDay.adding(-1, to: start)!, kind: .month).firstDay }
        var past = Filter(managers: managers, period: month)
        past.from = start
        past.to = CalendarDay.adding(-1, to: month.firstDay)!
        let monthly = try Figures.value(.wonAmount, past, db) / 3
        var undatedSQL: SQL = "SELECT COUNT(*) FROM fact_deal WHERE status = 'open' AND expectedCloseDate IS NULL"
        if let managers { undatedSQL += " AND managerId IN \(managers)" }
        let undated = try SQLRequest<Int>(literal: undatedSQL).fetchOne(db) ?? 0
        return try [month, nextMonth, quarter, nextQuarter].map { period in
            let won = try Figures.value(.wonAmount, Filter(managers: managers, period: period), db)
            var sql: SQL = """
                SELECT COUNT(*) AS n, COALESCE(SUM(amount * probability / 100), 0) AS weighted FROM fact_deal
                WHERE status = 'open' AND expectedCloseDate BETWEEN \(max(period.firstDay, today)) AND \(period.lastDay)
                """
            if let managers { sql += " AND managerId IN \(managers)" }
            let pipeline = try SQLRequest<GRDB.Row>(literal: sql).fetchOne(db)!
            let (total, elapsed) = calendar.progress(period, today: today)
            let months = Int64(Set(period.days.map { $0.prefix(7) }).count)
            let runRate = won + (total > 0 ? monthly * months * Int64(total - elapsed) / Int64(total) : 0)
            return Row(period: period.description, wonSoFar: won, weightedPipeline: pipeline["weighted"], openDeals: pipeline["n"],
                       undatedOpenDeals: undated, forecast: won + (pipeline["weighted"] as Int64), runRate: runRate)
        }
    }

    /// Keeps today's company forecast of the current month, once a day.
    static func record(today: String, calendar: WorkCalendar, _ db: Database) throws {
        guard let current = try rows(managers: nil, today: today, calendar: calendar, db).first else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO forecast_snapshot(period, day, forecast, runRate) VALUES (?, ?, ?, ?)",
                       arguments: [current.period, today, current.forecast, current.runRate])
    }

    /// For each past month with a kept forecast: the first one made in the month against the won amount.
    static func accuracy(today: String, _ db: Database) throws -> [Accuracy] {
        let month = Period.containing(today, kind: .month).description
        return try GRDB.Row.fetchAll(db, sql: """
            SELECT period, MIN(day) AS day FROM forecast_snapshot WHERE period < ? GROUP BY period ORDER BY period DESC LIMIT 12
            """, arguments: [month]).map { row in
            let period: String = row["period"]
            let day: String = row["day"]
            let forecast = try Int64.fetchOne(db, sql: "SELECT forecast FROM forecast_snapshot WHERE period = ? AND day = ?", arguments: [period, day]) ?? 0
            let actual = try Figures.value(.wonAmount, Filter(managers: nil, period: Period(period)!), db)
            let accuracy = actual > 0 ? max(0, (10_000 - Double(abs(forecast - actual)) * 10_000 / Double(actual)).rounded() / 100) : nil
            return Accuracy(period: period, forecastOn: day, forecast: forecast, actual: actual, accuracy: accuracy)
        }
    }
}
