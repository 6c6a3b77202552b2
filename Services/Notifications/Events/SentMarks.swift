import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Records the two moments of a delivery, many to a transaction: the claim before a message is
/// handed to its channel (`sending`, so a crash leaves it in doubt rather than silently pending)
/// and the mark once the channel accepted it (`sent`, with its `notification.sent` event). Each
/// address's messages still go one after another, and the mark of one message carries the claim
/// of the next, so claiming costs no commit of its own; the commits of the addresses served at
/// the same time share one transaction (a group commit).
actor SentMarks {
    private enum Entry {
        case claim(String)
        case sent(DeliveryWorker.Due, claiming: String?)
    }

    private let context: ServiceContext
    private var pending: [(Entry, CheckedContinuation<Bool, any Error>)] = []
    private var flushing = false

    init(context: ServiceContext) { self.context = context }

    /// Marks a pending message `sending`; false when it is pending no more (called off meanwhile).
    func claim(_ id: String) async throws -> Bool {
        try await enqueue(.claim(id))
    }

    /// Returns once the message is recorded as sent; with `next`, also claims that one and
    /// returns whether it could.
    func mark(_ message: DeliveryWorker.Due, claiming next: String?) async throws -> Bool {
        try await enqueue(.sent(message, claiming: next))
    }

    private func enqueue(_ entry: Entry) async throws -> Bool {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
            pending.append((entry, continuation))
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
            let entries = batch.map(\.0)
            do {
                let results = try await context.database.write { db -> [Bool] in
                    let now = Date().timeIntervalSince1970
                    func claim(_ id: String) throws -> Bool {
                        try db.cachedStatement(sql: "UPDATE notification SET status = 'sending' WHERE id = ? AND status = 'pending'").execute(arguments: [id])
                        return db.changesCount == 1
                    }
                    return try entries.map { entry in
                        switch entry {
                        case .claim(let id):
                            return try claim(id)
                        case .sent(let message, let next):
                            try db.cachedStatement(sql: """
                                UPDATE notification SET status = 'sent', attempts = attempts + 1, sentAt = ?, lastError = NULL WHERE id = ?
                                """).execute(arguments: [now, message.id])
                            try outbox.append(NotificationSent(notificationId: message.id, idempotencyKey: message.key, channel: message.channel.rawValue,
                                                               recipient: message.recipient, attempts: message.attempts + 1),
                                              stream: StreamName.notifications, in: db)
                            return try next.map(claim) ?? false
                        }
                    }
                }
                for ((_, continuation), result) in zip(batch, results) { continuation.resume(returning: result) }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
