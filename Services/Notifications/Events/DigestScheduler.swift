import Contracts
import Foundation
import GRDB
import ServiceKit
import ServiceLifecycle

/// The evening digest — the day's payments by manager and client, with the total — and the
/// morning digest — each manager's plans, completion and pace — to the department chat at the
/// rules' times in the company zone, once a day each (a service started after the time sends
/// the day's digest late rather than never).
struct DigestScheduler: Service {
    let context: ServiceContext
    let store: NotificationStore
    var digests: Digests { Digests(store: store) }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: store.configuration.digestInterval) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
            do { try await tick(now: Date()) } catch { context.logger.error("digest check failed", metadata: ["error": "\(error)"]) }
        }
    }

    func tick(now: Date) async throws {
        let zone = store.configuration.zone
        let day = CalendarDay.of(now, in: zone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let minutes = calendar.component(.hour, from: now) * 60 + calendar.component(.minute, from: now)
        try await context.database.write { db in
            for key in [RuleKey.morningDigest, .eveningDigest] {
                let rule = try key.rule(db)
                guard rule.enabled, let time = rule.time, let at = Self.minutes(time), minutes >= at else { continue }
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM digest_sent WHERE key = ?", arguments: ["\(key.rawValue):\(day)"]) == nil else { continue }
                if key == .eveningDigest { try digests.evening(day: day, db) } else { try digests.morning(day: day, db) }
            }
        }
    }

    static func minutes(_ time: String) -> Int? {
        let parts = time.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else { return nil }
        return parts[0] * 60 + parts[1]
    }

}

/// The digests' texts, enqueued for the department chat once per day and kind.
public struct Digests: Sendable {
    let store: NotificationStore

    public init(configuration: NotificationsConfiguration) { store = NotificationStore(configuration: configuration) }
    init(store: NotificationStore) { self.store = store }

    /// The day's incoming payments, by manager then client, with the total.
    public func evening(day: String, _ db: Database) throws {
        let locale = store.configuration.locale
        let rows = try Row.fetchAll(db, sql: """
            SELECT p.amount, p.currency, p.payerName, c.name AS client, m.name AS manager FROM day_payment p
            LEFT JOIN dir_client c ON c.id = p.clientId LEFT JOIN dir_manager m ON m.id = p.managerId
            WHERE p.receivedOn = ? ORDER BY m.name IS NULL, m.name, COALESCE(c.name, p.payerName), p.paymentId
            """, arguments: [day])
        let unmatched = try Templates.text("unmatched", locale: locale, db)
        var lines: [String] = []
        var total: Int64 = 0
        var current: String?
        for row in rows {
            let manager: String = row["manager"] ?? unmatched
            if manager != current {
                lines.append("\(manager):")
                current = manager
            }
            let amount: Int64 = row["amount"]
            total += amount
            lines.append("  \((row["client"] as String?) ?? (row["payerName"] as String)) — \(Templates.money(amount, currency: row["currency"], locale: locale))")
        }
        let text = rows.isEmpty ? try Templates.text("digest.evening.empty", locale: locale, db)
            : try Templates.render("digest.evening.text", locale: locale,
                                   ["lines": lines.joined(separator: "\n"), "total": Templates.money(total, locale: locale), "count": String(rows.count)], db)
        try send(.eveningDigest, day: day, text: text, db)
    }

    /// Each manager's plans of the current periods with completion and pace, from the latest
    /// figures pacer-kpi announced.
    public func morning(day: String, _ db: Database) throws {
        let locale = store.configuration.locale
        let decoder = EventCodec.makeDecoder()
        var lines: [String] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT k.json, m.name FROM manager_kpi k JOIN dir_manager m ON m.id = k.managerId WHERE m.active = 1 ORDER BY m.name
            """) {
            guard let figures = try? decoder.decode(KpiChanged.self, from: Data((row["json"] as String).utf8)) else { continue }
            for plan in figures.plans where plan.period.hasPrefix(String(day.prefix(4))) {
                let completion = plan.target > 0 ? Double(plan.fact) * 100 / Double(plan.target) : 0
                let metric = try Templates.text("metric.\(plan.metric)", locale: locale, db)
                lines.append("\(row["name"] as String): \(metric.hasPrefix("metric.") ? plan.metric : metric) \(plan.period) — "
                             + "\(Templates.figure(plan.fact, metric: plan.metric, locale: locale)) / \(Templates.figure(plan.target, metric: plan.metric, locale: locale)) "
                             + "(\(String(format: "%.0f", completion))%, \(try Templates.text("status.\(plan.status.rawValue)", locale: locale, db)))")
            }
        }
        let text = lines.isEmpty ? try Templates.text("digest.morning.empty", locale: locale, db)
            : try Templates.render("digest.morning.text", locale: locale, ["lines": lines.joined(separator: "\n")], db)
        try send(.morningDigest, day: day, text: text, db)
    }

    private func send(_ key: RuleKey, day: String, text: String, _ db: Database) throws {
        let rule = try key.rule(db)
        let subject = try Templates.render("\(key.rawValue).subject", locale: store.configuration.locale, ["day": day], db)
        try store.enqueue(rule: key.rawValue, cause: day, targets: try store.targets(rule.audience, manager: nil, db), subject: subject,
                          text: text, urgent: true, db)
        try db.execute(sql: "INSERT OR IGNORE INTO digest_sent(key, at) VALUES (?, ?)", arguments: ["\(key.rawValue):\(day)", Date().timeIntervalSince1970])
    }
}
