import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Rules, templates and channels for heads and admins; the sent, pending, failed and in-doubt lists; a
/// retry of a failed message; a test message.
struct NotificationRoutes {
    let context: ServiceContext
    let store: NotificationStore

    struct View: Codable, Sendable {
        var id: String
        var idempotencyKey: String
        var rule: String
        var recipient: String
        var channel: String
        var address: String
        var subject: String
        var text: String
        var status: String
        var attempts: Int
        var lastError: String?
        var notBefore: String
        var createdAt: String
        var sentAt: String?
    }

    func register(on router: Router<PacerRequestContext>) {
        router.get("rules") { _, ctx in
            try ctx.require(.head, .admin)
            let rules = try await context.database.read { db in
                try Dictionary(uniqueKeysWithValues: RuleKey.allCases.map { ($0.rawValue, try $0.rule(db)) })
            }
            return try jsonResponse(rules)
        }

        router.put("rules/:key") { request, ctx in
            try ctx.require(.head, .admin)
            let name = try ctx.parameters.require("key")
            guard let key = RuleKey(rawValue: name) else { throw Problem.notFound("no rule \(name); rules: \(RuleKey.allCases.map(\.rawValue).joined(separator: ", "))") }
            let rule = try await request.decodeJSON(Rule.self, context: ctx)
            if let time = rule.time, DigestScheduler.minutes(time) == nil { throw Problem.invalid("time", "must be HH:MM") }
            if let delay = rule.delayMinutes, delay < 0 { throw Problem.invalid("delayMinutes", "must not be negative") }
            let json = String(decoding: try JSONEncoder().encode(rule), as: UTF8.self)
            try await context.database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO rule_override(rule, json) VALUES (?, ?)", arguments: [key.rawValue, json])
            }
            return try jsonResponse(rule)
        }

        router.get("templates") { request, ctx in
            try ctx.require(.head, .admin)
            let locale = request.query("locale") ?? store.configuration.locale
            guard Templates.locales.contains(locale) else { throw Problem.invalid("locale", "must be ru or en") }
            let texts = try await context.database.read { db in
                try Dictionary(uniqueKeysWithValues: (Templates.defaults[locale] ?? [:]).keys.map { ($0, try Templates.text($0, locale: locale, db)) })
            }
            return try jsonResponse(texts)
        }

        router.put("templates/:locale/:key") { request, ctx in
            try ctx.require(.head, .admin)
            let locale = try ctx.parameters.require("locale")
            let key = try ctx.parameters.require("key")
            guard Templates.locales.contains(locale) else { throw Problem.invalid("locale", "must be ru or en") }
            guard Templates.defaults[locale]?[key] != nil else { throw Problem.notFound("no template \(key)") }
            struct Body: Decodable { var text: String }
            let body = try await request.decodeJSON(Body.self, context: ctx)
            guard !body.text.isEmpty else { throw Problem.invalid("text", "must not be empty") }
            try await context.database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO template_override(key, locale, text) VALUES (?, ?, ?)", arguments: [key, locale, body.text])
            }
            return Response(status: .noContent)
        }

        router.get("channels") { _, ctx in
            try ctx.require(.head, .admin)
            let settings = try await context.database.read { try store.settings($0) }
            return try jsonResponse(settings.masked)
        }

        router.put("channels") { request, ctx in
            try ctx.require(.admin)
            let settings = try await request.decodeJSON(ChannelSettings.self, context: ctx)
            if let url = settings.chatWebhookURL, URL(string: url)?.scheme?.hasPrefix("http") != true {
                throw Problem.invalid("chatWebhookURL", "must be an http(s) URL")
            }
            if URL(string: settings.telegramAPI)?.scheme?.hasPrefix("http") != true { throw Problem.invalid("telegramAPI", "must be an http(s) URL") }
            guard (1...65535).contains(settings.smtpPort) else { throw Problem.invalid("smtpPort", "must be a port number") }
            let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
            try await context.database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO channel_settings(id, json) VALUES (1, ?)", arguments: [json])
            }
            return try jsonResponse(settings.masked)
        }

        router.get("notifications") { request, ctx in
            let user = try ctx.requireUser()
            var sql: SQL = "SELECT * FROM notification WHERE 1"
            switch user.role {
            case .admin, .head:
                if let recipient = request.query("recipient") { sql += " AND recipient = \(recipient)" }
            case .manager:
                sql += " AND recipient = \(user.managerId ?? "-")"
            default:
                throw Problem(.forbidden, "role \(user.role.rawValue) has no access to notifications")
            }
            if let status = request.query("status") {
                guard ["pending", "sending", "sent", "failed", "in-doubt", "cancelled"].contains(status) else {
                    throw Problem.invalid("status", "must be pending, sending, sent, failed, in-doubt or cancelled")
                }
                sql += " AND status = \(status)"
            }
            sql += " ORDER BY position DESC LIMIT \(try request.queryInt("limit", default: 100, range: 1...1000))"
            let query = SQLRequest<Row>(literal: sql)
            let items = try await context.database.read { db in try query.fetchAll(db).map(Self.view) }
            return try jsonResponse(items)
        }

        router.post("notifications/:id/retry") { _, ctx in
            try ctx.require(.head, .admin)
            let id = try ctx.parameters.require("id")
            let view = try await context.database.write { db -> View? in
                // A message held in doubt goes out again as a redelivery: the head chose at least once.
                try db.execute(sql: """
                    UPDATE notification SET status = 'pending', attempts = 0, notBefore = ?, redelivery = (status = 'in-doubt')
                    WHERE id = ? AND status IN ('failed', 'in-doubt')
                    """, arguments: [Date().timeIntervalSince1970, id])
                guard db.changesCount == 1 else { return nil }
                return try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE id = ?", arguments: [id]).map(Self.view)
            }
            guard let view else { throw Problem.notFound("no failed or in-doubt notification \(id)") }
            return try jsonResponse(view)
        }

        router.post("test") { request, ctx in
            let user = try ctx.require(.head, .admin)
            struct Body: Decodable { var channel: ChannelKind; var address: String?; var text: String? }
            let body = try await request.decodeJSON(Body.self, context: ctx)
            let ids = try await context.database.write { db -> [String] in
                guard try store.settings(db).available(body.channel) else { throw Problem.invalid("channel", "\(body.channel.rawValue) is not configured") }
                if body.channel != .chat, (body.address ?? "").isEmpty { throw Problem.invalid("address", "is required for \(body.channel.rawValue)") }
                let subject = try Templates.text("test.subject", locale: store.configuration.locale, db)
                return try store.enqueue(rule: "test", cause: UUID().uuidString, targets: [.init(recipient: user.userId, channel: body.channel, address: body.address ?? "")],
                                         subject: subject, text: body.text ?? "Pacer", urgent: true, db)
            }
            return try jsonResponse(["id": ids.first ?? ""], status: .accepted)
        }
    }

    static func view(_ row: Row) -> View {
        func instant(_ value: Double?) -> String? { value.map { Timestamp.format(Date(timeIntervalSince1970: $0)) } }
        return View(id: row["id"], idempotencyKey: row["idempotencyKey"], rule: row["rule"], recipient: row["recipient"], channel: row["channel"],
                    address: row["address"], subject: row["subject"], text: row["text"], status: row["status"], attempts: row["attempts"],
                    lastError: row["lastError"], notBefore: instant(row["notBefore"])!, createdAt: instant(row["createdAt"])!, sentAt: instant(row["sentAt"]))
    }
}
