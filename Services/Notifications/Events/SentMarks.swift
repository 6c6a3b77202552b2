import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Marks delivered messages sent, many to a transaction. Each address's messages still go one
/// after another — a sender waits until its message's row is committed before it sends the next —
/// but the commits of the addresses served at the same time share one transaction (a group
/// commit) instead of taking one each, which was what held delivery back.
actor SentMarks {
    private let context: ServiceContext
    private var pending: [(DeliveryWorker.Due, CheckedContinuation<Void, any Error>)] = []
    private var flushing = false

    init(context: ServiceContext) { self.context = context }

    /// Returns once the message is recorded as sent (with its `notification.sent` event).
    func mark(_ message: DeliveryWorker.Due) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.append((message, continuation))
            if !flushing {
                flushing = true
                Task { await flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let outbox = context.outbox
            let messages = batch.map(\.0)
            do {
                try await context.database.write { db in
                    let now = Date().timeIntervalSince1970
                    for message in messages {
                        try db.execute(sql: "UPDATE notification SET status = 'sent', attempts = attempts + 1, sentAt = ?, lastError = NULL WHERE id = ?",
                                       arguments: [now, message.id])
                        try outbox.append(NotificationSent(notificationId: message.id, idempotencyKey: message.key, channel: message.channel.rawValue,
                                                           recipient: message.recipient, attempts: message.attempts + 1),
                                          stream: StreamName.notifications, in: db)
                    }
                }
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
