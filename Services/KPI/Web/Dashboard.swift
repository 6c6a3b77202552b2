import Contracts
import Foundation
import GRDB

/// The dashboard's pages as HTML fragments (the `<main>` of each), computed from the same domain
/// functions as the JSON API — so a figure on a page is the API's figure, not a second opinion.
/// Every number a test may check carries `data-metric`/`data-manager`/`data-value` attributes.
struct Dashboard: Sendable {
    let zone: TimeZone
    let configuration: KPIConfiguration
    let language: WebLanguage

    var t: WebLanguage { language }

    func today() -> String { CalendarDay.of(Date(), in: zone) }

    func managerNames(_ db: Database) throws -> [String: String] {
        Dictionary(try Row.fetchAll(db, sql: "SELECT id, name FROM dir_manager").map { ($0["id"] as String, $0["name"] as String) },
                   uniquingKeysWith: { a, _ in a })
    }

    func status(_ status: PaceStatus?) -> String {
        guard let status else { return "" }
        return "<span class=\"status-\(status.rawValue)\" data-status=\"\(status.rawValue)\">\(h(t["pace." + status.rawValue]))</span>"
    }

    /// One plan against its fact, as a card block.
    func planBlock(_ figure: PlanFact) -> String {
        let metric = figure.plan.metric
        let expectedShare = figure.plan.target > 0 ? Double(figure.expectedByNow) * 100 / Double(figure.plan.target) : nil
        var html = "<div class=\"plan\" data-plan=\"\(h(figure.plan.id))\" data-metric=\"\(metric.rawValue)\">"
        html += "<div><b>\(h(t.metric(metric)))</b> · \(status(figure.status))</div>"
        html += "<div class=\"big\" data-role=\"fact\" data-value=\"\(figure.fact)\">\(h(t.value(figure.fact, metric)))</div>"
        html += "<div class=\"muted small\">\(h(t["plan"])) <span data-role=\"target\" data-value=\"\(figure.plan.target)\">\(h(t.value(figure.plan.target, metric)))</span>"
        html += " · <span data-role=\"completion\" data-value=\"\(figure.completion)\">\(h(t.percent(figure.completion)))</span></div>"
        html += Charts.progress(completion: figure.completion, expected: expectedShare, status: figure.status.rawValue)
        html += "<div class=\"small\">\(h(t["remaining"])): <span data-role=\"remaining\" data-value=\"\(figure.remaining)\">\(h(t.value(figure.remaining, metric)))</span>"
        html += " · \(h(t["expected"])): \(h(t.value(figure.expectedByNow, metric)))"
        html += " · \(h(t["projected"])): \(h(t.value(figure.projected, metric)))"
        html += " · \(h(t["workdays"])): \(figure.workingDaysElapsed)/\(figure.workingDays)</div></div>"
        return html
    }

    // MARK: Overview

    /// Plan against fact for the company on the headline metrics, a year's months as a chart,
    /// and the forecast.
    func overview(period: Period, _ db: Database) throws -> String {
        let today = today()
        let calendar = try PlanFact.calendar(db)
        var html = WebLayout.periodSwitch(period, today: today, path: "/", language: t)
        let values = try Figures.values(Filter(managers: nil, period: period), db)
        let plans = try Plan.all(db, period: period.description).filter {
            $0.scope == .company && $0.category == nil && $0.region == nil && $0.segment == nil && $0.source == nil
        }
        html += "<h2>\(h(t.period(period)))</h2><div class=\"cards\">"
        for metric in [Metric.wonAmount, .cashReceived, .wonDeals, .calls, .meetings, .newLeads] {
            if let plan = plans.first(where: { $0.metric == metric }), let figure = try PlanFact.compute(plan, today: today, calendar: calendar, db) {
                html += "<div class=\"card\">\(planBlock(figure))</div>"
            } else {
                let value = values[metric] ?? 0
                html += "<div class=\"card\" data-metric=\"\(metric.rawValue)\"><div><b>\(h(t.metric(metric)))</b></div>"
                html += "<div class=\"big\" data-role=\"fact\" data-value=\"\(value)\">\(h(t.value(value, metric)))</div>"
                html += "<div class=\"muted small\">\(h(t["noplan"]))</div></div>"
            }
        }
        html += "</div>"

        // The year by month: won amount against the company's monthly plan.
        var columns: [Charts.Column] = []
        for month in 1...12 {
            let monthPeriod = Period(kind: .month, year: period.year, index: month)
            let fact = try Figures.value(.wonAmount, Filter(managers: nil, period: monthPeriod), db)
            let plan = try Plan.all(db, period: monthPeriod.description).first {
                $0.scope == .company && $0.metric == .wonAmount && $0.category == nil && $0.region == nil && $0.segment == nil && $0.source == nil
            }
            columns.append(.init(label: String(t["month.\(month)"].prefix(3)), fact: fact, plan: plan?.target))
        }
        html += "<h2>\(h(t["chart.byMonth"])) · \(h(t.metric(.wonAmount))) · \(period.year)</h2>"
        html += "<div class=\"card\" id=\"year-chart\">\(Charts.planFactColumns(columns, factLabel: t["fact"], planLabel: t["plan"]))</div>"

        html += "<h2>\(h(t["forecast"]))</h2><div class=\"scroll\"><table id=\"forecast\"><tr><th>\(h(t["plans.period"]))</th>"
        html += "<th class=\"num\">\(h(t["forecast.won"]))</th><th class=\"num\">\(h(t["forecast.pipeline"]))</th>"
        html += "<th class=\"num\">\(h(t["forecast.total"]))</th><th class=\"num hide-sm\">\(h(t["forecast.runRate"]))</th>"
        html += "<th class=\"num hide-sm\">\(h(t["forecast.open"]))</th></tr>"
        for row in try Forecast.rows(managers: nil, today: today, calendar: calendar, db) {
            let label = Period(row.period).map(t.period) ?? row.period
            html += "<tr data-period=\"\(h(row.period))\"><td>\(h(label))</td><td class=\"num\">\(h(t.money(row.wonSoFar)))</td>"
            html += "<td class=\"num\">\(h(t.money(row.weightedPipeline)))</td>"
            html += "<td class=\"num\" data-role=\"forecast\" data-value=\"\(row.forecast)\"><b>\(h(t.money(row.forecast)))</b></td>"
            html += "<td class=\"num hide-sm\">\(h(t.money(row.runRate)))</td><td class=\"num hide-sm\">\(row.openDeals)</td></tr>"
        }
        return html + "</table></div>"
    }

    // MARK: Leaderboard

    static let boardMetrics: [Metric] = [.wonAmount, .cashReceived, .wonDeals, .calls, .talkSeconds, .meetings, .proposals]

    /// Every active manager with a bar per goal; sorted by any metric's value or completion.
    func leaderboard(period: Period, sort: Metric, byCompletion: Bool, viewer: String?, _ db: Database) throws -> String {
        let today = today()
        var html = WebLayout.periodSwitch(period, today: today, path: "/ui/leaderboard", language: t,
                                          extra: "&sort=\(sort.rawValue)\(byCompletion ? "&by=completion" : "")")
        var boards: [Metric: [String: ReportRoutes.LeaderboardRow]] = [:]
        for metric in Self.boardMetrics {
            let rows = try ReportRoutes.leaderboard(metric: metric, period: period, dims: (nil, nil, nil, nil), team: nil,
                                                    byCompletion: false, today: today, db)
            boards[metric] = Dictionary(uniqueKeysWithValues: rows.map { ($0.managerId, $0) })
        }
        let order = try ReportRoutes.leaderboard(metric: sort, period: period, dims: (nil, nil, nil, nil), team: nil,
                                                 byCompletion: byCompletion, today: today, db)
        html += "<div class=\"scroll\"><table id=\"leaderboard\" data-sort=\"\(sort.rawValue)\"><tr><th>#</th><th>\(h(t["manager"]))</th>"
        for metric in Self.boardMetrics {
            let active = metric == sort
            html += "<th class=\"num\"><a href=\"/ui/leaderboard?period=\(period.description)&amp;sort=\(metric.rawValue)\">\(h(t.metric(metric)))\(active && !byCompletion ? " ▼" : "")</a>"
            html += "<br><a class=\"small\" href=\"/ui/leaderboard?period=\(period.description)&amp;sort=\(metric.rawValue)&amp;by=completion\">%\(active && byCompletion ? " ▼" : "")</a></th>"
        }
        html += "</tr>"
        for row in order {
            let mine = row.managerId == viewer
            html += "<tr data-manager=\"\(h(row.managerId))\"\(mine ? " class=\"mine\"" : "")><td data-role=\"rank\">\(row.rank)</td><td>"
            html += viewer == nil || mine ? "<a href=\"/ui/managers/\(h(row.managerId))?period=\(period.description)\">\(h(row.name))</a>" : h(row.name)
            html += "</td>"
            for metric in Self.boardMetrics {
                guard let cell = boards[metric]?[row.managerId] else { html += "<td></td>"; continue }
                html += "<td class=\"num\" data-metric=\"\(metric.rawValue)\" data-value=\"\(cell.value)\">\(h(t.value(cell.value, metric)))"
                if let completion = cell.completion {
                    html += "<div class=\"small\" data-role=\"completion\" data-value=\"\(completion)\">\(h(t.percent(completion)))</div>"
                    html += Charts.progress(completion: completion, expected: nil, status: cell.status?.rawValue)
                }
                html += "</td>"
            }
            html += "</tr>"
        }
        return html + "</table></div>"
    }
}
