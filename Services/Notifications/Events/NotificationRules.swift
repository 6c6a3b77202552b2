import Contracts
import Foundation
import GRDB
import Messaging

/// Turns events into notifications by the rules, and keeps what messages are written from: the
/// managers (with their e-mail and Telegram chat), clients, deals, the day's payments and each
/// manager's latest figures.
struct NotificationRules: Sendable {
    let store: NotificationStore
    var locale: String { store.configuration.locale }

    func handler() -> EventRouter {
        var router = EventRouter()
        router.on(ManagerUpserted.self) { envelope, db in
            let m = envelope.payload
            try db.execute(sql: "INSERT OR REPLACE INTO dir_manager(id, name, role, email, telegramChatId, active) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [m.managerId, m.name, m.role, m.email, m.telegramChatId, m.active])
        }
        router.on(ClientUpserted.self) { envelope, db in
            try db.execute(sql: "INSERT OR REPLACE INTO dir_client(id, name, managerId) VALUES (?, ?, ?)",
                           arguments: [envelope.payload.clientId, envelope.payload.name, envelope.payload.managerId])
        }
        for type in dealCarryingEvents { router.onDeal(type) { deal, db in try remember(deal, db) } }
        router.on(DealLost.self) { envelope, db in
            try remember(envelope.payload.deal, db)
            try dealLost(envelope.payload, cause: envelope.eventId, db)
        }
        router.on(DealFlaggedProblem.self) { envelope, db in
            try remember(envelope.payload.deal, db)
            guard envelope.payload.problem else { return }
            try notify(.dealProblem, cause: envelope.eventId, manager: envelope.payload.deal.managerId,
                       values: try dealValues(envelope.payload.deal, db).merging(["comment": envelope.payload.comment ?? "—"]) { $1 }, db)
        }
        router.on(TaskOverdue.self) { envelope, db in try taskOverdue(envelope.payload, cause: envelope.eventId, db) }
        router.on(TaskCompleted.self) { envelope, db in try store.cancel("task:\(envelope.payload.taskId)", db) }
        router.on(PlanPaceChanged.self) { envelope, db in try pace(envelope.payload, cause: envelope.eventId, db) }
        router.on(ReceivableOverdue.self) { envelope, db in
            let item = envelope.payload.receivable
            try notify(.receivableOverdue, cause: item.receivableId, manager: item.managerId, values: [
                "client": try clientName(item.clientId, db), "invoice": item.invoiceNumber ?? item.receivableId,
                "outstanding": Templates.money(item.outstanding.kopecks, currency: item.outstanding.currency, locale: locale),
                "due": item.dueOn, "days": String(envelope.payload.daysOverdue),
            ], db)
        }
        router.on(PaymentReceived.self) { envelope, db in try payment(envelope.payload.payment, db) }
        router.on(PaymentMatched.self) { envelope, db in try payment(envelope.payload.payment, db) }
        router.on(PaymentUnmatched.self) { envelope, db in try payment(envelope.payload.payment, db) }
        router.on(ApprovalRequested.self) { envelope, db in try approval(envelope.payload, cause: envelope.eventId, db) }
        router.on(KpiChanged.self) { envelope, db in
            let json = String(decoding: try EventCodec.makeEncoder().encode(envelope.payload), as: UTF8.self)
            try db.execute(sql: "INSERT OR REPLACE INTO manager_kpi(managerId, period, json) VALUES (?, ?, ?)",
                           arguments: [envelope.payload.managerId, envelope.payload.period, json])
        }
        return router
    }

    // MARK: Rules

    func notify(_ key: RuleKey, cause: String, manager: String?, values: [String: String], notBefore: Date = Date(),
                cancelKey: String? = nil, _ db: Database) throws {
        let rule = try key.rule(db)
        guard rule.enabled else { return }
        let targets = try store.targets(rule.audience, manager: manager, db)
        let subject = try Templates.render("\(key.rawValue).subject", locale: locale, values, db)
        let text = try Templates.render("\(key.rawValue).text", locale: locale, values, db)
        try store.enqueue(rule: key.rawValue, cause: cause, targets: targets, subject: subject, text: text, urgent: rule.urgent,
                          notBefore: notBefore, cancelKey: cancelKey, db)
    }

    func dealLost(_ lost: DealLost, cause: String, _ db: Database) throws {
        var values = try dealValues(lost.deal, db)
        values["reason"] = lost.reason
        values["stage"] = lost.fromStageId
        try notify(.dealLost, cause: cause, manager: lost.deal.managerId, values: values, db)
    }

    func taskOverdue(_ task: TaskOverdue, cause: String, _ db: Database) throws {
        let formatter = DateFormatter()
        formatter.timeZone = store.configuration.zone
        formatter.dateFormat = "dd.MM.yyyy HH:mm"
        let values = ["task": task.title, "manager": try managerName(task.assigneeId, db), "due": formatter.string(from: task.dueAt)]
        try notify(.taskOverdue, cause: cause, manager: task.assigneeId, values: values, db)
        let escalation = try RuleKey.taskEscalation.rule(db)
        try notify(.taskEscalation, cause: cause, manager: task.assigneeId, values: values,
                   notBefore: Date().addingTimeInterval(Double((escalation.delayMinutes ?? 60) * 60)), cancelKey: "task:\(task.taskId)", db)
    }

    func pace(_ change: PlanPaceChanged, cause: String, _ db: Database) throws {
        let previous = try String.fetchOne(db, sql: "SELECT status FROM plan_status WHERE planId = ?", arguments: [change.planId])
        try db.execute(sql: "INSERT OR REPLACE INTO plan_status(planId, status) VALUES (?, ?)", arguments: [change.planId, change.status.rawValue])
        let key: RuleKey
        switch change.status {
        case .behind: key = .planBehind
        case .onTrack, .ahead:
            guard previous == PaceStatus.behind.rawValue else { return }
            key = .planRecovered
        }
        let metric = try Templates.text("metric.\(change.metric)", locale: locale, db)
        try notify(key, cause: cause, manager: change.managerId, values: [
            "manager": try change.managerId.map { try managerName($0, db) } ?? (locale == "ru" ? "Отдел" : "Department"),
            "metric": metric.hasPrefix("metric.") ? change.metric : metric, "period": change.period,
            "fact": Templates.figure(change.fact, metric: change.metric, locale: locale),
            "target": Templates.figure(change.target, metric: change.metric, locale: locale),
            "expected": Templates.figure(change.expectedByNow, metric: change.metric, locale: locale),
        ], db)
    }

    func payment(_ payment: PaymentState, _ db: Database) throws {
        let seen = try Int.fetchOne(db, sql: "SELECT revision FROM day_payment WHERE paymentId = ?", arguments: [payment.paymentId])
        guard (seen ?? 0) < payment.revision || seen == nil else { return }
        try db.execute(sql: """
            INSERT OR REPLACE INTO day_payment(paymentId, receivedOn, amount, currency, clientId, managerId, payerName, revision)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [payment.paymentId, payment.receivedOn, payment.amount.kopecks, payment.amount.currency, payment.clientId,
                             payment.managerId, payment.payerName, payment.revision])
        guard let manager = payment.managerId, payment.matchedBy != nil else { return }
        // Accounting names the deal and client in the payment itself: the deals stream may not
        // have brought them here yet.
        let deal = try payment.dealTitle ?? payment.dealId.flatMap { try String.fetchOne(db, sql: "SELECT title FROM dir_deal WHERE id = ?", arguments: [$0]) }
        try notify(.paymentMatched, cause: "\(payment.paymentId):\(manager)", manager: manager, values: [
            "amount": Templates.money(payment.amount.kopecks, currency: payment.amount.currency, locale: locale),
            "client": payment.clientName ?? payment.clientId.map { (try? clientName($0, db)) ?? $0 } ?? payment.payerName,
            "deal": deal.map { locale == "ru" ? " по сделке «\($0)»" : " for deal “\($0)”" } ?? "", "day": payment.receivedOn,
        ], db)
    }

    func approval(_ request: ApprovalRequested, cause: String, _ db: Database) throws {
        let deal = try Row.fetchOne(db, sql: "SELECT title, clientId, managerId FROM dir_deal WHERE id = ?", arguments: [request.dealId])
        try notify(.approvalRequested, cause: cause, manager: request.requesterId, values: [
            "manager": try managerName(request.requesterId, db), "subject": request.subject,
            "deal": deal?["title"] ?? request.dealId, "client": try clientName(deal?["clientId"], db),
            "amount": Templates.money(request.amount.kopecks, currency: request.amount.currency, locale: locale),
            "attachment": request.attachmentName.map { locale == "ru" ? " Файл: \($0)." : " File: \($0)." } ?? "",
            "link": "\(store.configuration.dashboardURL)/approvals/\(request.approvalId)",
        ], db)
    }

    // MARK: Directory

    func remember(_ deal: DealState, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO dir_deal(id, title, clientId, managerId, amount, currency, stageId) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [deal.dealId, deal.title, deal.clientId, deal.managerId, deal.amount.kopecks, deal.amount.currency, deal.stageId])
    }

    func dealValues(_ deal: DealState, _ db: Database) throws -> [String: String] {
        ["deal": deal.title, "client": try clientName(deal.clientId, db), "manager": try managerName(deal.managerId, db),
         "amount": Templates.money(deal.amount.kopecks, currency: deal.amount.currency, locale: locale), "stage": deal.stageId]
    }

    func managerName(_ id: String, _ db: Database) throws -> String {
        try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM dir_manager WHERE id = ?"), arguments: [id]) ?? id
    }

    func clientName(_ id: String?, _ db: Database) throws -> String {
        guard let id else { return "—" }
        return try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM dir_client WHERE id = ?"), arguments: [id]) ?? id
    }
}
