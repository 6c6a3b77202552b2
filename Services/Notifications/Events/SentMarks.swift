import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Records the two moments of a delivery, many to a transaction: the claim before a message is
/// handed to its channel (`sending`, so a crash leaves it in doubt rather than silently pending)
/// and the mark once the channel accepted it (`sent`, with its `notification.sent` event). The
/// commits of the addresses served at the same time share one transaction (a group commit).
actor SentMarks {
    private enum Entry {
        case claim([String])
        case sent(DeliveryWorker.Due, claiming: String?)
        case release([String])
    }

    private let context: ServiceContext
    private var pending: [(Entry, CheckedContinuation<Set<String>, any Error>)] = []
    private var flushing = false

    init(context: ServiceContext) { self.context = context }

    /// Marks pending messages `sending`; returns those it could (the others were called off meanwhile).
    func claim(_ ids: [String]) async throws -> Set<String> {
        try await enqueue(.claim(ids))
    }

    /// Returns once the message is recorded as sent; with `next`, also claims that one and
    /// returns it if it could.
    @discardableResult
    func mark(_ message: DeliveryWorker.Due, claiming next: String? = nil) async throws -> Set<String> {
        try await enqueue(.sent(message, claiming: next))
    }

    /// Puts claimed messages that were not handed to their channel back to `pending`.
    func release(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await enqueue(.release(ids))
    }

    private func enqueue(_ entry: Entry) async throws -> Set<String> {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Set<String>, any Error>) in
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
                let results = try await context.database.write { db -> [Set<String>] in
                    let now = Date().timeIntervalSince1970
                    func claim(_ ids: [String]) throws -> Set<String> {
                        var claimed = Set<String>()
                        for id in ids {
                            try db.cachedStatement(sql: "UPDATE notification SET status = 'sending' WHERE id = ? AND status = 'pending'").execute(arguments: [id])
                            if db.changesCount == 1 { claimed.insert(id) }
                        }
                        return claimed
                    }
                    return try entries.map { entry in
                        switch entry {
                        case .claim(let ids):
                            return try claim(ids)
                        case .sent(let message, let next):
                            try db.cachedStatement(sql: """
                                UPDATE notification SET status = 'sent', attempts = attempts + 1, sentAt = ?, lastError = NULL WHERE id = ?
                                """).execute(arguments: [now, message.id])
                            let sent = NotificationSent(notificationId: message.id, idempotencyKey: message.key, channel: message.channel.rawValue,
                                                        recipient: message.recipient, attempts: message.attempts + 1)
                            try outbox.appendEncoded(payload: sent.payloadJSON(), type: NotificationSent.eventType,
                                                     schemaVersion: NotificationSent.schemaVersion, stream: StreamName.notifications, in: db)
                            return try next.map { try claim([$0]) } ?? []
                        case .release(let ids):
                            for id in ids {
                                try db.cachedStatement(sql: "UPDATE notification SET status = 'pending' WHERE id = ? AND status = 'sending'").execute(arguments: [id])
                            }
                            return []
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
