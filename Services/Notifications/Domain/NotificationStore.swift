import Contracts
import Foundation
import GRDB

/// Notifications are stored before they are sent — in the transaction of the event that caused
/// them — under an idempotency key per cause and recipient, so a cause is never told twice.
struct NotificationStore: Sendable {
    let configuration: NotificationsConfiguration

    /// A person or the department chat, resolved to a channel and an address.
    struct Target: Sendable, Equatable {
        var recipient: String
        var channel: ChannelKind?
        var address: String
    }

    func settings(_ db: Database) throws -> ChannelSettings {
        guard let json = try String.fetchOne(db, sql: "SELECT json FROM channel_settings WHERE id = 1") else { return configuration.channels }
        return (try? JSONDecoder().decode(ChannelSettings.self, from: Data(json.utf8))) ?? configuration.channels
    }

    /// A person: Telegram when they have a chat id and the bot is set up, else e-mail, else the
    /// department chat with their name.
    func target(person managerId: String, settings: ChannelSettings, _ db: Database) throws -> Target {
        let row = try Row.fetchOne(db, sql: "SELECT name, email, telegramChatId FROM dir_manager WHERE id = ?", arguments: [managerId])
        if let chat: String = row?["telegramChatId"], !chat.isEmpty, settings.available(.telegram) {
            return Target(recipient: managerId, channel: .telegram, address: chat)
        }
        if let email: String = row?["email"], !email.isEmpty, settings.available(.email) {
            return Target(recipient: managerId, channel: .email, address: email)
        }
        if settings.available(.chat) { return Target(recipient: managerId, channel: .chat, address: "") }
        return Target(recipient: managerId, channel: nil, address: "")
    }

    func targets(_ audience: [Rule.Audience], manager: String?, _ db: Database) throws -> [Target] {
        let settings = try settings(db)
        var result: [Target] = []
        for kind in audience {
            switch kind {
            case .manager:
                if let manager { result.append(try target(person: manager, settings: settings, db)) }
            case .heads:
                for head in try String.fetchAll(db, sql: "SELECT id FROM dir_manager WHERE role = 'head' AND active = 1 ORDER BY id") {
                    result.append(try target(person: head, settings: settings, db))
                }
            case .department:
                result.append(Target(recipient: "department", channel: settings.available(.chat) ? .chat : nil, address: ""))
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.recipient).inserted }
    }

    /// Stores one notification per target unless its key is stored already. Non-urgent ones
    /// created in quiet hours wait for the morning.
    @discardableResult
    func enqueue(rule: String, cause: String, targets: [Target], subject: String, text: String, urgent: Bool,
                 notBefore: Date = Date(), cancelKey: String? = nil, _ db: Database) throws -> [String] {
        var ids: [String] = []
        let now = Date()
        let start = urgent ? notBefore : configuration.afterQuietHours(notBefore)
        for target in targets {
            let key = "\(rule):\(cause):\(target.recipient)"
            let id = "n-" + UUID().uuidString.lowercased()
            let position = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM notification")) ?? 0) + 1
            let name = target.channel == .chat && target.recipient != "department"
                ? (try String.fetchOne(db, sql: "SELECT name FROM dir_manager WHERE id = ?", arguments: [target.recipient])).map { "\($0): " } ?? ""
                : ""
            try db.cachedStatement(sql: """
                INSERT INTO notification(id, idempotencyKey, rule, recipient, channel, address, subject, text, urgent, status, notBefore,
                    createdAt, cancelKey, position, lastError)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotencyKey) DO NOTHING
                """).execute(arguments: [id, key, rule, target.recipient, target.channel?.rawValue ?? "none", target.address, subject, name + text,
                                         urgent, target.channel == nil ? "failed" : "pending", start.timeIntervalSince1970, now.timeIntervalSince1970,
                                         cancelKey, position, target.channel == nil ? "no channel reaches \(target.recipient)" : nil])
            if db.changesCount == 1 { ids.append(id) }
        }
        return ids
    }

    /// Calls off pending notifications of a cause that went away (a task done before escalation).
    func cancel(_ cancelKey: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE notification SET status = 'cancelled' WHERE cancelKey = ? AND status = 'pending'", arguments: [cancelKey])
    }
}
