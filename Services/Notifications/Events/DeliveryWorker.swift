import Contracts
import Foundation
import GRDB
import Logging
import Metrics
import ServiceKit
import ServiceLifecycle
import Storage

/// Sends what is due: for each address, its messages one after another in the order they were
/// made — a message waiting for a retry holds back the later ones to the same address, so each
/// recipient reads them in order — and many addresses at once. A failure is retried with
/// exponential backoff (or after the delay the channel asks for); after `maxAttempts`, or at
/// once when the channel refuses for good, the message lands in the failed list.
struct DeliveryWorker: Service {
    let context: ServiceContext
    let configuration: NotificationsConfiguration
    let makeChannels: @Sendable (ChannelSettings) -> [ChannelKind: any NotificationChannel]
    var parallelAddresses = 64

    struct Due: Sendable {
        var id: String
        var key: String
        var recipient: String
        var channel: ChannelKind
        var address: String
        var subject: String
        var text: String
        var attempts: Int
        var redelivery: Bool
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var sent = 0
            do { sent = try await pass() } catch { context.logger.error("delivery pass failed", metadata: ["error": "\(error)"]) }
            if sent == 0 { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.workerInterval) } }
        }
    }

    /// One pass over what is due; returns how many messages were handled.
    func pass(now: Date = Date()) async throws -> Int {
        try await settleInDoubt()
        let store = NotificationStore(configuration: configuration)
        let (settings, groups) = try await context.database.read { db -> (ChannelSettings, [[Due]]) in
            let settings = try store.settings(db)
            let rows = try Row.fetchAll(db, sql: """
                SELECT n.id, n.idempotencyKey, n.recipient, n.channel, n.address, n.subject, n.text, n.attempts, n.redelivery FROM notification n
                WHERE n.status = 'pending' AND n.notBefore <= ?
                AND NOT EXISTS (SELECT 1 FROM notification e WHERE e.recipient = n.recipient AND e.channel = n.channel AND e.address = n.address
                                AND e.status = 'pending' AND e.position < n.position AND e.attempts > 0 AND e.notBefore > ?)
                ORDER BY n.position LIMIT 2000
                """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970])
            var groups: [String: [Due]] = [:]
            var order: [String] = []
            for row in rows {
                guard let channel = ChannelKind(rawValue: row["channel"]) else { continue }
                let due = Due(id: row["id"], key: row["idempotencyKey"], recipient: row["recipient"], channel: channel, address: row["address"],
                              subject: row["subject"], text: row["text"], attempts: row["attempts"], redelivery: row["redelivery"])
                let group = "\(channel.rawValue)|\(due.address)|\(due.recipient)"
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append(due)
            }
            return (settings, order.map { groups[$0]! })
        }
        guard !groups.isEmpty else { return 0 }
        let channels = makeChannels(settings)
        let marks = SentMarks(context: context)
        var handled = 0
        try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            func start() {
                guard next < groups.count else { return }
                let messages = groups[next]
                next += 1
                group.addTask { try await deliver(messages, channels: channels, marks: marks) }
            }
            for _ in 0..<min(parallelAddresses, groups.count) { start() }
            while let count = try await group.next() {
                handled += count
                start()
            }
        }
        return handled
    }

    /// Sends one address's messages in order; stops at the first that must wait. Each is claimed
    /// (`sending`) before it goes out, so a crash before its answer is recorded leaves it in doubt.
    ///
    /// Where the channel's messages in doubt are sent again (`resend`), the whole run is claimed
    /// at once and sent back to back, the sent-marks committed behind it: a crash leaves the
    /// unsent rest in doubt too, and they go out after the restart flagged as possible
    /// redeliveries (a receiver that dedupes by key sees each once either way).
    /// Where they are held (`hold`), each message is claimed just before it goes — the claim
    /// riding on the previous one's mark — so a crash holds back only the one message whose
    /// answer was lost.
    private func deliver(_ messages: [Due], channels: [ChannelKind: any NotificationChannel], marks: SentMarks) async throws -> Int {
        guard let first = messages.first else { return 0 }
        guard let channel = channels[first.channel] else {
            try await fail(first, error: DeliveryError("the \(first.channel.rawValue) channel is not configured"), final: false)
            return 1
        }
        if configuration.inDoubt[first.channel] ?? .resend == .hold {
            return try await deliverOneByOne(messages, channel: channel, marks: marks)
        }
        let claimed = try await marks.claim(messages.map(\.id))
        var handled = 0
        var recorded: [Task<Void, any Error>] = []
        for (index, message) in messages.enumerated() {
            // Not pending any more: called off (an escalation whose task got done) since the pass read it.
            guard claimed.contains(message.id) else { handled += 1; continue }
            if let failure = try await attempt(message, channel: channel) {
                handled += 1
                if failure.permanent { continue }
                try await marks.release(messages[(index + 1)...].map(\.id).filter(claimed.contains))
                break
            }
            recorded.append(Task { try await marks.mark(message) })
            handled += 1
        }
        // Should recording fail, the messages stay `sending` and the next pass settles them as
        // in doubt — they must not count as failed sends and go out again unasked.
        for task in recorded { try await task.value }
        return handled
    }

    private func deliverOneByOne(_ messages: [Due], channel: any NotificationChannel, marks: SentMarks) async throws -> Int {
        var handled = 0
        var claimed = false
        for (index, message) in messages.enumerated() {
            if !claimed {
                guard try await !marks.claim([message.id]).isEmpty else { handled += 1; continue }
            }
            claimed = false
            if let failure = try await attempt(message, channel: channel) {
                handled += 1
                if !failure.permanent { return handled }
                continue
            }
            claimed = try await !marks.mark(message, claiming: index + 1 < messages.count ? messages[index + 1].id : nil).isEmpty
            handled += 1
        }
        return handled
    }

    /// Hands the message to its channel; a failure is recorded (retry or failed list) and returned.
    private func attempt(_ message: Due, channel: any NotificationChannel) async throws -> DeliveryError? {
        do {
            try await channel.send(OutgoingMessage(id: message.id, channel: message.channel, address: message.address,
                                                   subject: message.subject, text: message.text, redelivery: message.redelivery))
            return nil
        } catch {
            let failure = error as? DeliveryError ?? DeliveryError("\(error)")
            try await fail(message, error: failure, final: failure.permanent)
            return failure
        }
    }

    /// Messages found `sending` at the start of a pass were handed to a channel by a process that
    /// stopped (or a pass that failed) before the answer was recorded. Each channel's policy
    /// decides: send again, marked as a redelivery, or hold for a person to review.
    @discardableResult
    func settleInDoubt() async throws -> (resent: Int, held: Int) {
        let policies = configuration.inDoubt
        // Almost always none: look before taking the writer.
        guard try await context.database.read({ try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM notification WHERE status = 'sending')") }) == true
        else { return (0, 0) }
        let (resent, held) = try await context.database.write { db -> (Int, Int) in
            var resent = 0, held = 0
            for row in try Row.fetchAll(db, sql: "SELECT id, channel FROM notification WHERE status = 'sending'") {
                let channel = ChannelKind(rawValue: row["channel"]) ?? .chat
                switch policies[channel] ?? .resend {
                case .resend:
                    try db.execute(sql: "UPDATE notification SET status = 'pending', redelivery = 1 WHERE id = ?", arguments: [row["id"] as String])
                    resent += 1
                case .hold:
                    try db.execute(sql: "UPDATE notification SET status = 'in-doubt', lastError = ? WHERE id = ?",
                                   arguments: ["in doubt: the service stopped while sending; the receiver may have it — held for review",
                                               row["id"] as String])
                    held += 1
                }
            }
            return (resent, held)
        }
        if resent + held > 0 {
            Counter(label: "pacer_notifications_in_doubt_total", dimensions: [("outcome", "resent")]).increment(by: resent)
            Counter(label: "pacer_notifications_in_doubt_total", dimensions: [("outcome", "held")]).increment(by: held)
            context.logger.warning("messages in doubt after a stop", metadata: ["resent": "\(resent)", "held": "\(held)"])
        }
        return (resent, held)
    }

    private func fail(_ message: Due, error: DeliveryError, final: Bool) async throws {
        let attempts = message.attempts + 1
        let giveUp = final || attempts >= configuration.maxAttempts
        let delay = error.retryAfter ?? min(configuration.retryBase * (1 << min(attempts - 1, 20)), .seconds(600))
        let retryAt = Date().addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        let outbox = context.outbox
        try await context.database.write { db in
            try db.execute(sql: "UPDATE notification SET status = ?, attempts = ?, lastError = ?, notBefore = ? WHERE id = ?",
                           arguments: [giveUp ? "failed" : "pending", attempts, error.message, retryAt.timeIntervalSince1970, message.id])
            if giveUp {
                try outbox.append(NotificationFailed(notificationId: message.id, idempotencyKey: message.key, channel: message.channel.rawValue,
                                                     recipient: message.recipient, attempts: attempts, lastError: error.message),
                                  stream: StreamName.notifications, in: db)
            }
        }
        context.logger.warning("delivery failed", metadata: ["channel": "\(message.channel.rawValue)", "recipient": "\(message.recipient)",
                                                             "attempts": "\(attempts)", "final": "\(giveUp)", "error": "\(error.message)"])
    }
}
