import Contracts
import Foundation
import GRDB

/// Approvals waiting for a head, a manager's card, plans and bonus schemes.
extension Dashboard {
    func approvals(notice: String?, _ db: Database) throws -> String {
        let managers = try managerNames(db)
        var html = notice.map { "<p class=\"notice\" id=\"notice\">\(h($0))</p>" } ?? ""
        // Titles of the deals shown only: all deals of a year are a quarter of a million rows.
        let pending = try Row.fetchAll(db, sql: """
            SELECT a.*, d.title AS dealTitle FROM fact_approval a LEFT JOIN fact_deal d ON d.id = a.dealId
            WHERE a.status = 'pending' ORDER BY a.requestedAt, a.id
            """)
        html += "<div class=\"scroll\"><table id=\"approvals\"><tr><th>\(h(t["subject"]))</th><th>\(h(t["deals"]))</th><th>\(h(t["requester"]))</th>"
        html += "<th class=\"num\">\(h(t["amount"]))</th><th class=\"hide-sm\">\(h(t["requestedAt"]))</th><th></th></tr>"
        for row in pending {
            let id: String = row["id"], dealId: String = row["dealId"], requester: String = row["requesterId"]
            let amount: Int64 = row["amount"]
            html += "<tr data-approval=\"\(h(id))\"><td>\(h(row["subject"]))"
            if let file: String = row["attachmentName"] { html += "<div class=\"small muted\">\(h(t["attachment"])): \(h(file))</div>" }
            html += "</td><td>\(h((row["dealTitle"] as String?) ?? dealId))</td><td>\(h(managers[requester] ?? requester))</td>"
            html += "<td class=\"num\" data-value=\"\(amount)\">\(h(t.money(amount)))</td><td class=\"hide-sm\">\(h(t.dateTime(row["requestedAt"], zone: zone)))</td>"
            html += "<td><form class=\"inline\" method=\"post\" action=\"/ui/approvals/\(h(id))/decide\">"
            html += "<input name=\"comment\" placeholder=\"\(h(t["comment"]))\" aria-label=\"\(h(t["comment"]))\">"
            html += "<button name=\"decision\" value=\"approve\" class=\"approve\">\(h(t["approve"]))</button>"
            html += "<button name=\"decision\" value=\"reject\" class=\"reject\">\(h(t["reject"]))</button></form></td></tr>"
        }
        if pending.isEmpty { html += "<tr><td colspan=\"6\" class=\"muted\">\(h(t["approvals.none"]))</td></tr>" }
        html += "</table></div><h2>\(h(t["approvals.recent"]))</h2><div class=\"scroll\"><table id=\"decided\">"
        for row in try Row.fetchAll(db, sql: "SELECT * FROM fact_approval WHERE status != 'pending' ORDER BY decidedAt DESC LIMIT 20") {
            let status: String = row["status"], requester: String = row["requesterId"]
            html += "<tr data-approval=\"\(h(row["id"]))\" data-status=\"\(h(status))\"><td>\(h(row["subject"]))</td><td>\(h(managers[requester] ?? requester))</td>"
            html += "<td>\(h(t["status." + status]))</td><td>\(h((row["comment"] as String?) ?? ""))</td></tr>"
        }
        return html + "</table></div>"
    }

    /// A manager's card: goals with progress, rank, recent calls, deals, clients, payments, bonus.
    func card(_ id: String, period: Period, _ db: Database) throws -> String? {
        let today = today()
        guard let card = try ReportRoutes.card(id, period: period, today: today, zone: zone, db) else { return nil }
        var html = WebLayout.periodSwitch(period, today: today, path: "/ui/managers/\(id)", language: t)
        html += "<div class=\"cards\" id=\"goals\">"
        for plan in card.plans { html += "<div class=\"card\">\(planBlock(plan))</div>" }
        if card.plans.isEmpty { html += "<div class=\"card muted\">\(h(t["noplan"]))</div>" }
        html += "</div><div class=\"cards\" style=\"margin-top:.8rem\">"
        for metric in [Metric.wonAmount, .cashReceived, .calls, .talkSeconds, .meetings, .proposals] {
            let value = card.values[metric.rawValue] ?? 0
            html += "<div class=\"card\" data-metric=\"\(metric.rawValue)\">\(h(t.metric(metric)))<div class=\"big\" data-value=\"\(value)\">\(h(t.value(value, metric)))</div>"
            if let rank = card.rank[metric.rawValue] { html += "<div class=\"small muted\">\(h(t["card.rank"])): <span data-role=\"rank\">\(rank)</span></div>" }
            html += "</div>"
        }
        html += "<div class=\"card\">\(h(t["card.receivablesOverdue"]))<div class=\"big\" id=\"card-overdue\" data-value=\"\(card.receivablesOverdue)\">\(h(t.money(card.receivablesOverdue)))</div>"
        html += "<div class=\"small\">\(h(t["card.overdueTasks"])): \(card.overdueTasks)</div></div></div>"

        html += "<h2>\(h(t["card.bonus"]))</h2>"
        if let role = try String.fetchOne(db, sql: "SELECT role FROM dir_manager WHERE id = ?", arguments: [id]),
           let bonus = try BonusScheme.find(role: role, db)?.compute(managerId: id, role: role, period: period, today: today,
                                                                     calendar: PlanFact.calendar(db), db) {
            html += "<div class=\"card\"><div class=\"big\" id=\"bonus\" data-value=\"\(bonus.total)\">\(h(t.money(bonus.total)))</div><ul class=\"small\">"
            for line in bonus.lines { html += "<li>\(h(line.explanation)): \(h(t.money(line.amount)))</li>" }
            html += "</ul></div>"
        } else {
            html += "<p class=\"muted\">\(h(t["card.nobonus"]))</p>"
        }

        html += "<h2>\(h(t["card.deals"]))</h2><div class=\"scroll\"><table id=\"card-deals\"><tr><th>\(h(t["deals"]))</th><th>\(h(t["client"]))</th>"
        html += "<th>\(h(t["stage"]))</th><th>\(h(t["status"]))</th><th class=\"num\">\(h(t["amount"]))</th></tr>"
        // Clients are named by a join: reading every client's name for 25 rows was half the page's time.
        for deal in try Row.fetchAll(db, sql: """
            SELECT d.id, d.title, d.clientId, c.name AS clientName, d.stageId, d.status, d.amount FROM fact_deal d
            LEFT JOIN fact_client c ON c.id = d.clientId WHERE d.managerId = ?
            ORDER BY d.status = 'open' DESC, COALESCE(d.closedAt, d.createdAt) DESC LIMIT 15
            """, arguments: [id]) {
            let status: String = deal["status"], amount: Int64 = deal["amount"], client: String = deal["clientId"]
            html += "<tr data-deal=\"\(h(deal["id"]))\"><td>\(h(deal["title"]))</td><td>\(h((deal["clientName"] as String?) ?? client))</td><td>\(h(deal["stageId"]))</td>"
            html += "<td>\(h(t["status." + status]))</td><td class=\"num\">\(h(t.money(amount)))</td></tr>"
        }
        html += "</table></div><h2>\(h(t["card.calls"]))</h2><div class=\"scroll\"><table id=\"card-calls\"><tr><th>\(h(t["date"]))</th>"
        html += "<th>\(h(t["client"]))</th><th class=\"hide-sm\"></th><th class=\"num\">\(h(t["talk"]))</th></tr>"
        for call in try Row.fetchAll(db, sql: """
            SELECT f.id, c.name AS clientName, f.counterpart, f.direction, f.startedAt, f.billableSeconds, f.answered, f.recordingURL
            FROM fact_call f LEFT JOIN fact_client c ON c.id = f.clientId WHERE f.managerId = ? ORDER BY f.startedAt DESC LIMIT 10
            """, arguments: [id]) {
            let answered: Bool = call["answered"], seconds: Int64 = call["billableSeconds"]
            html += "<tr data-call=\"\(h(call["id"]))\"><td>\(h(t.dateTime(call["startedAt"], zone: zone)))</td>"
            html += "<td>\(h((call["clientName"] as String?) ?? call["counterpart"]))</td>"
            html += "<td class=\"hide-sm\">\(h(t["direction." + (call["direction"] as String)]))\(answered ? "" : " · " + h(t["missed"]))"
            if let url: String = call["recordingURL"], url.hasPrefix("http") { html += " · <a href=\"\(h(url))\" rel=\"noopener\">▶</a>" }
            html += "</td><td class=\"num\">\(h(t.duration(seconds)))</td></tr>"
        }
        html += "</table></div><h2>\(h(t["card.payments"]))</h2><div class=\"scroll\"><table id=\"card-payments\"><tr><th>\(h(t["date"]))</th>"
        html += "<th>\(h(t["payer"]))</th><th class=\"num\">\(h(t["amount"]))</th></tr>"
        for payment in try Row.fetchAll(db, sql: """
            SELECT id, receivedOn, payerName, amount, matched FROM fact_payment WHERE managerId = ? ORDER BY receivedOn DESC, id LIMIT 10
            """, arguments: [id]) {
            let amount: Int64 = payment["amount"], matched: Bool = payment["matched"]
            html += "<tr data-payment=\"\(h(payment["id"]))\"><td>\(h(t.day(payment["receivedOn"])))</td><td>\(h(payment["payerName"]))\(matched ? "" : " · " + h(t["unmatched"]))</td>"
            html += "<td class=\"num\">\(h(t.money(amount)))</td></tr>"
        }
        html += "</table></div><h2>\(h(t["card.clients"]))</h2><div class=\"scroll\"><table id=\"card-clients\"><tr><th>\(h(t["client"]))</th><th>\(h(t["lastTouch"]))</th></tr>"
        for client in try Row.fetchAll(db, sql: "SELECT id, name, lastTouchAt FROM fact_client WHERE managerId = ? ORDER BY lastTouchAt DESC LIMIT 20", arguments: [id]) {
            let last: Double? = client["lastTouchAt"]
            html += "<tr data-client=\"\(h(client["id"]))\"><td>\(h(client["name"]))</td><td>\(h(last.map { t.dateTime($0, zone: zone) } ?? t["never"]))</td></tr>"
        }
        return html + "</table></div>"
    }

    /// The period's plans with their correction history; forms to add one or correct one.
    func plans(period: Period, notice: String?, _ db: Database) throws -> String {
        let today = today()
        let calendar = try PlanFact.calendar(db)
        let managers = try managerNames(db)
        var html = notice.map { "<p class=\"notice\" id=\"notice\">\(h($0))</p>" } ?? ""
        html += WebLayout.periodSwitch(period, today: today, path: "/ui/plans", language: t)
        html += "<div class=\"scroll\"><table id=\"plans\"><tr><th>\(h(t["plans.scope"]))</th><th>\(h(t["plans.metric"]))</th>"
        html += "<th class=\"num\">\(h(t["plans.target"]))</th><th class=\"num\">\(h(t["fact"]))</th><th>\(h(t["plans.correct"]))</th><th class=\"hide-sm\">\(h(t["plans.history"]))</th></tr>"
        for plan in try Plan.all(db, period: period.description) {
            let figure = try PlanFact.compute(plan, today: today, calendar: calendar, db)
            let who = plan.scope == .company ? t["scope.company"] : "\(t["scope." + plan.scope.rawValue]): \(plan.subjectId.flatMap { managers[$0] } ?? plan.subjectId ?? "")"
            let dims = [plan.category, plan.region, plan.segment, plan.source].compactMap { $0 }.joined(separator: ", ")
            html += "<tr data-plan=\"\(h(plan.id))\"><td>\(h(who))\(dims.isEmpty ? "" : "<div class=\"small muted\">\(h(dims))</div>")</td>"
            html += "<td>\(h(t.metric(plan.metric)))</td><td class=\"num\" data-value=\"\(plan.target)\">\(h(t.value(plan.target, plan.metric)))</td>"
            html += "<td class=\"num\">\(figure.map { h(t.value($0.fact, plan.metric)) + "<div class=\"small\">\(h(t.percent($0.completion)))</div>" } ?? "")</td>"
            html += "<td><form class=\"inline\" method=\"post\" action=\"/ui/plans/\(h(plan.id))\"><input type=\"hidden\" name=\"version\" value=\"\(plan.version)\">"
            html += "<input name=\"target\" inputmode=\"decimal\" size=\"10\" aria-label=\"\(h(t["plans.target"]))\" required>"
            html += "<input name=\"reason\" placeholder=\"\(h(t["plans.reason"]))\" size=\"12\"><button>\(h(t["plans.save"]))</button></form></td><td class=\"hide-sm small\">"
            for change in try Plan.history(plan.id, db) {
                html += "<div>\(h(String(change.at.prefix(10)))) \(change.from.map { h(t.value($0, plan.metric)) + " → " } ?? "")\(h(t.value(change.to, plan.metric)))\(change.reason.map { " · " + h($0) } ?? "")</div>"
            }
            html += "</td></tr>"
        }
        html += "</table></div><h2>\(h(t["plans.new"]))</h2><form class=\"inline\" id=\"new-plan\" method=\"post\" action=\"/ui/plans\">"
        html += "<input type=\"hidden\" name=\"period\" value=\"\(period.description)\"><select name=\"subject\" aria-label=\"\(h(t["plans.scope"]))\">"
        html += "<option value=\"company\">\(h(t["scope.company"]))</option>"
        for (id, name) in managers.sorted(by: { $0.value < $1.value }) { html += "<option value=\"manager:\(h(id))\">\(h(name))</option>" }
        for team in try String.fetchAll(db, sql: "SELECT DISTINCT teamId FROM dir_manager WHERE teamId IS NOT NULL ORDER BY teamId") {
            html += "<option value=\"team:\(h(team))\">\(h(t["scope.team"])): \(h(team))</option>"
        }
        html += "</select><select name=\"metric\" aria-label=\"\(h(t["plans.metric"]))\">"
        for metric in Metric.allCases { html += "<option value=\"\(metric.rawValue)\">\(h(t.metric(metric)))</option>" }
        html += "</select><input name=\"target\" inputmode=\"decimal\" placeholder=\"\(h(t["plans.target"]))\" required><button>\(h(t["plans.save"]))</button></form>"
        return html + "<p class=\"hint\">\(h(t["plans.targetHint"]))</p>"
    }

    func bonusSchemes(notice: String?, _ db: Database) throws -> String {
        var html = notice.map { "<p class=\"notice\" id=\"notice\">\(h($0))</p>" } ?? ""
        for role in ["manager", "head"] {
            let json = try String.fetchOne(db, sql: "SELECT json FROM bonus_scheme WHERE role = ?", arguments: [role])
            let pretty = json.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
                .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.prettyPrinted, .sortedKeys]) }
                .map { String(decoding: $0, as: UTF8.self) } ?? "{\n  \"shares\": [],\n  \"bands\": [],\n  \"kpis\": []\n}"
            html += "<h2 id=\"scheme-\(role)\">\(h(t["bonus.role"])): \(h(t["role." + role]))</h2>"
            html += "<form method=\"post\" action=\"/ui/bonus/\(role)\"><textarea name=\"json\" aria-label=\"\(h(t["bonus.json"]))\">\(h(pretty))</textarea>"
            html += "<button>\(h(t["plans.save"]))</button></form>"
        }
        return html
    }
}
