import Contracts
import Foundation
import GRDB

/// The funnel, the receivables, the department's activity and what needs attention.
extension Dashboard {
    func funnel(period: Period, _ db: Database) throws -> String {
        var html = WebLayout.periodSwitch(period, today: today(), path: "/ui/funnel", language: t)
        let funnel = try Reports.funnel(managers: nil, period: period, zone: zone, db)
        html += "<div class=\"cards\"><div class=\"card\">\(h(t["funnel.created"]))<div class=\"big\" id=\"funnel-created\" data-value=\"\(funnel.created)\">\(funnel.created)</div></div>"
        html += "<div class=\"card\">\(h(t["funnel.won"]))<div class=\"big\" id=\"funnel-won\" data-value=\"\(funnel.won)\">\(funnel.won)</div></div>"
        html += "<div class=\"card\">\(h(t["funnel.lost"]))<div class=\"big\" id=\"funnel-lost\" data-value=\"\(funnel.lost)\">\(funnel.lost)</div></div>"
        html += "<div class=\"card\">\(h(t["funnel.overall"]))<div class=\"big\" id=\"funnel-conversion\" data-value=\"\(funnel.overallConversion)\">\(h(t.percent(funnel.overallConversion)))</div></div></div>"
        html += "<h2>\(h(t["nav.funnel"]))</h2><div class=\"card\">\(Charts.funnel(funnel.stages.map { (label: $0.stageId, deals: $0.deals) }))</div>"
        html += "<div class=\"scroll\"><table id=\"stages\"><tr><th>\(h(t["stage"]))</th><th class=\"hide-sm\">\(h(t["department"]))</th>"
        html += "<th class=\"num\">\(h(t["deals"]))</th><th class=\"num\">\(h(t["conversion"]))</th><th class=\"num\">\(h(t["avgdays"]))</th></tr>"
        for stage in funnel.stages {
            let worst = funnel.worstStage == stage.stageId
            html += "<tr data-stage=\"\(h(stage.stageId))\"\(worst ? " class=\"overdue\"" : "")><td>\(h(stage.stageId))\(worst ? " · " + h(t["funnel.worst"]) : "")</td>"
            html += "<td class=\"hide-sm\">\(h(stage.department))</td><td class=\"num\" data-value=\"\(stage.deals)\">\(stage.deals)</td>"
            html += "<td class=\"num\">\(stage.conversionToNext.map { h(t.percent($0)) } ?? "")</td>"
            html += "<td class=\"num\">\(stage.averageDays.map { String(format: "%.1f", $0) } ?? "")</td></tr>"
        }
        html += "</table></div><div class=\"cards\"><div><h2>\(h(t["funnel.reasons"]))</h2><table id=\"loss-reasons\">"
        for (reason, count) in funnel.lostByReason.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            html += "<tr data-reason=\"\(h(reason))\"><td>\(h(reason.isEmpty ? "—" : reason))</td><td class=\"num\" data-value=\"\(count)\">\(count)</td></tr>"
        }
        html += "</table></div><div><h2>\(h(t["funnel.lostAt"]))</h2><table>"
        for (stage, count) in funnel.lostByStage.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            html += "<tr><td>\(h(stage))</td><td class=\"num\">\(count)</td></tr>"
        }
        html += "</table></div><div><h2>\(h(t["funnel.departments"]))</h2><table>"
        for (department, days) in funnel.averageDaysByDepartment.sorted(by: { $0.key < $1.key }) {
            html += "<tr><td>\(h(department))</td><td class=\"num\">\(String(format: "%.1f", days))</td></tr>"
        }
        return html + "</table></div></div>"
    }

    /// Open receivables: overdue in red, due within the period in yellow, later plain — per
    /// client and manager, with totals.
    func receivables(period: Period, _ db: Database) throws -> String {
        var html = WebLayout.periodSwitch(period, today: today(), path: "/ui/receivables", language: t)
        let managers = try managerNames(db)
        let rows = try Row.fetchAll(db, sql: """
            SELECT r.id, r.invoiceId, r.managerId, r.clientId, c.name AS clientName, r.dueOn, r.outstanding, r.overdue
            FROM fact_receivable r LEFT JOIN fact_client c ON c.id = r.clientId
            WHERE r.outstanding > 0 ORDER BY r.overdue DESC, r.dueOn, r.id
            """)
        var overdueTotal: Int64 = 0, dueTotal: Int64 = 0
        var body = ""
        for row in rows {
            let outstanding: Int64 = row["outstanding"], dueOn: String = row["dueOn"]
            let overdue: Bool = row["overdue"]
            let kind = overdue ? "overdue" : (dueOn <= period.lastDay ? "due" : "later")
            if overdue { overdueTotal += outstanding } else if kind == "due" { dueTotal += outstanding }
            let client: String? = row["clientId"], manager: String? = row["managerId"]
            body += "<tr class=\"\(kind)\" data-receivable=\"\(h(row["id"]))\" data-kind=\"\(kind)\"><td>\(h((row["clientName"] as String?) ?? client ?? "—"))</td>"
            body += "<td>\(h(manager.flatMap { managers[$0] } ?? manager ?? "—"))</td><td class=\"hide-sm\">\(h((row["invoiceId"] as String?) ?? "—"))</td>"
            body += "<td>\(h(t.day(dueOn)))</td><td class=\"num\" data-value=\"\(outstanding)\">\(h(t.money(outstanding)))</td></tr>"
        }
        html += "<div class=\"cards\"><div class=\"card overdue\">\(h(t["receivables.overdue"]))<div class=\"big\" id=\"receivables-overdue\" data-value=\"\(overdueTotal)\">\(h(t.money(overdueTotal)))</div></div>"
        html += "<div class=\"card due\">\(h(t["receivables.due"]))<div class=\"big\" id=\"receivables-due\" data-value=\"\(dueTotal)\">\(h(t.money(dueTotal)))</div></div></div>"
        html += "<h2>\(h(t["nav.receivables"]))</h2><div class=\"scroll\"><table id=\"receivables\"><tr><th>\(h(t["client"]))</th><th>\(h(t["manager"]))</th>"
        html += "<th class=\"hide-sm\">\(h(t["invoice"]))</th><th>\(h(t["due"]))</th><th class=\"num\">\(h(t["outstanding"]))</th></tr>"
        html += body.isEmpty ? "<tr><td colspan=\"5\" class=\"muted\">\(h(t["nothing"]))</td></tr>" : body
        return html + "</table></div>"
    }

    /// Calls, talk time, meetings, proposals and e-mails per manager; touches on deals; the
    /// "many touches, few deals" flag from diagnostics.
    func activity(period: Period, _ db: Database) throws -> String {
        var html = WebLayout.periodSwitch(period, today: today(), path: "/ui/activity", language: t)
        let filter = Filter(managers: nil, period: period)
        let metrics: [Metric] = [.calls, .callsAnswered, .talkSeconds, .meetings, .proposals, .emails, .wonDeals]
        var values: [Metric: [String: Int64]] = [:]
        for metric in metrics { values[metric] = try Figures.byManager(metric, filter, db) }
        let start = CalendarDay.start(period.firstDay, in: zone)!.timeIntervalSince1970
        let end = CalendarDay.start(CalendarDay.adding(1, to: period.lastDay)!, in: zone)!.timeIntervalSince1970
        var onDeals: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT managerId, COUNT(*) AS n FROM (
                SELECT managerId FROM fact_call WHERE dealId IS NOT NULL AND direction != 'internal' AND startedAt >= ? AND startedAt < ?
                UNION ALL SELECT managerId FROM fact_activity WHERE dealId IS NOT NULL AND at >= ? AND at < ?)
            WHERE managerId IS NOT NULL GROUP BY managerId
            """, arguments: [start, end, start, end]) {
            onDeals[row["managerId"]] = row["n"]
        }
        let diagnostics = try Reports.diagnostics(managers: nil, period: period, now: Date(), forgottenDays: configuration.forgottenDays,
                                                  stuckDays: configuration.stuckDays, db)
        let flagged = Set(diagnostics.managers.filter(\.manyTouchesFewDeals).map(\.managerId))
        let managers = try Row.fetchAll(db, sql: "SELECT id, name FROM dir_manager WHERE active = 1 AND role = 'manager' ORDER BY name")
        html += "<div class=\"scroll\"><table id=\"activity\"><tr><th>\(h(t["manager"]))</th>"
        for metric in metrics { html += "<th class=\"num\">\(h(t.metric(metric)))</th>" }
        html += "<th class=\"num\">\(h(t["touchesOnDeals"]))</th></tr>"
        for manager in managers {
            let id: String = manager["id"]
            html += "<tr data-manager=\"\(h(id))\"><td>\(h(manager["name"]))\(flagged.contains(id) ? " <span class=\"flag\" data-flag=\"many-touches-few-deals\">⚑ \(h(t["activity.flag"]))</span>" : "")</td>"
            for metric in metrics {
                let value = values[metric]?[id] ?? 0
                html += "<td class=\"num\" data-metric=\"\(metric.rawValue)\" data-value=\"\(value)\">\(h(t.value(value, metric)))</td>"
            }
            html += "<td class=\"num\" data-role=\"on-deals\" data-value=\"\(onDeals[id] ?? 0)\">\(onDeals[id] ?? 0)</td></tr>"
        }
        return html + "</table></div>"
    }

    /// Forgotten clients and stuck deals.
    func attention(_ db: Database) throws -> String {
        let managers = try managerNames(db)
        let report = try Reports.diagnostics(managers: nil, period: Period.containing(today(), kind: .month), now: Date(),
                                             forgottenDays: configuration.forgottenDays, stuckDays: configuration.stuckDays, db)
        var html = "<h2>\(h(t["stuck"])) (≥ \(configuration.stuckDays) \(h(t["days"]).lowercased()))</h2>"
        html += "<div class=\"scroll\"><table id=\"stuck\"><tr><th>\(h(t["deals"]))</th><th>\(h(t["manager"]))</th><th>\(h(t["stage"]))</th>"
        html += "<th class=\"hide-sm\">\(h(t["department"]))</th><th class=\"num\">\(h(t["days"]))</th></tr>"
        for deal in report.stuckDeals {
            html += "<tr data-deal=\"\(h(deal.dealId))\"><td>\(h(deal.title))</td><td>\(h(managers[deal.managerId] ?? deal.managerId))</td>"
            html += "<td>\(h(deal.stageId))</td><td class=\"hide-sm\">\(h(deal.department))</td><td class=\"num\">\(deal.days)</td></tr>"
        }
        if report.stuckDeals.isEmpty { html += "<tr><td colspan=\"5\" class=\"muted\">\(h(t["nothing"]))</td></tr>" }
        html += "</table></div><h2>\(h(t["forgotten"])) (≥ \(configuration.forgottenDays) \(h(t["days"]).lowercased()))</h2>"
        html += "<div class=\"scroll\"><table id=\"forgotten\"><tr><th>\(h(t["client"]))</th><th>\(h(t["manager"]))</th>"
        html += "<th>\(h(t["lastTouch"]))</th><th class=\"num\">\(h(t["days"]))</th></tr>"
        for client in report.forgottenClients {
            html += "<tr data-client=\"\(h(client.clientId))\"><td>\(h(client.name))</td><td>\(h(client.managerId.flatMap { managers[$0] } ?? "—"))</td>"
            html += "<td>\(h(client.lastTouchAt.map { String($0.prefix(10)) } ?? t["never"]))</td><td class=\"num\">\(client.days.map(String.init) ?? "—")</td></tr>"
        }
        if report.forgottenClients.isEmpty { html += "<tr><td colspan=\"4\" class=\"muted\">\(h(t["nothing"]))</td></tr>" }
        return html + "</table></div>"
    }
}
