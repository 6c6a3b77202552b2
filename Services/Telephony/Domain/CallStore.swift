import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Stores calls idempotently and publishes what changed. A call arriving again exactly as stored
/// is a duplicate (nothing happens); one with more detail, or newly matched, is updated with its
/// revision raised and a `call.updated` naming the changed fields.
struct CallStore {
    enum Outcome: Equatable { case recorded, updated([String]), duplicate }

    /// The outcome and the call as stored.
    struct Saved { var outcome: Outcome; var call: CallState }

    let outbox: OutboxStore
    var correlationId: String?

    func state(_ row: Row) -> CallState {
        CallState(
            callId: row["callId"], revision: row["revision"], direction: CallDirection(rawValue: row["direction"]) ?? .incoming,
            from: row["fromNumber"], to: row["toNumber"], extension_: row["extension"], managerId: row["managerId"],
            clientId: row["clientId"], dealId: row["dealId"], startedAt: Date(timeIntervalSince1970: row["startedAt"]),
            answeredAt: (row["answeredAt"] as Double?).map(Date.init(timeIntervalSince1970:)),
            endedAt: (row["endedAt"] as Double?).map(Date.init(timeIntervalSince1970:)),
            durationSeconds: row["durationSeconds"], billableSeconds: row["billableSeconds"], answered: row["answered"],
            disposition: row["disposition"], recordingURL: row["recordingURL"], source: row["source"])
    }

    func fetch(_ callId: String, _ db: Database) throws -> CallState? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM call WHERE callId = ?"), arguments: [callId]).map(state)
    }

    /// Matches and stores a draft. `merge` keeps what is stored where the draft says nothing
    /// (a later push without the recording does not erase it).
    @discardableResult
    func save(_ draft: CallDraft, merge: Bool, _ db: Database) throws -> Outcome {
        try save(draft, merge: merge, existing: try fetch(draft.callId, db), db).outcome
    }

    /// `legs`, when given, replace the call's stored CDR legs; nil keeps them.
    func save(_ draft: CallDraft, merge: Bool, existing: CallState?, legs: Data? = nil, directory: Directory? = nil, _ db: Database) throws -> Saved {
        let directory = directory ?? Directory(db: db)
        var draft = draft
        if merge, let existing {
            draft.recordingURL = draft.recordingURL ?? existing.recordingURL
            draft.answeredAt = draft.answeredAt ?? existing.answeredAt
            draft.endedAt = draft.endedAt ?? existing.endedAt
            draft.extension_ = draft.extension_ ?? existing.extension_
            draft.managerId = draft.managerId ?? existing.managerId
            draft.durationSeconds = max(draft.durationSeconds, existing.durationSeconds)
            draft.billableSeconds = max(draft.billableSeconds, existing.billableSeconds)
        }
        let match = try directory.match(draft)
        var call = CallState(
            callId: draft.callId, revision: (existing?.revision ?? 0) + 1, direction: match.direction, from: draft.from, to: draft.to,
            extension_: match.ext, managerId: match.managerId, clientId: match.clientId, dealId: match.dealId,
            startedAt: draft.startedAt, answeredAt: draft.answeredAt, endedAt: draft.endedAt, durationSeconds: draft.durationSeconds,
            billableSeconds: draft.billableSeconds, answered: draft.answered, disposition: draft.disposition,
            recordingURL: draft.recordingURL, source: existing?.source ?? draft.source)
        if let existing {
            let changed = Self.changes(existing, call)
            if changed.isEmpty {
                // New legs that change nothing about the call are still remembered as seen.
                if let legs { try db.execute(sql: "UPDATE call SET legs = ? WHERE callId = ?", arguments: [legs, call.callId]) }
                return Saved(outcome: .duplicate, call: existing)
            }
            try write(call, counterparty: match.counterparty, legs: legs, db)
            try outbox.appendEncoded(payload: call.payloadJSON(changedFields: changed), type: CallUpdated.eventType,
                                     schemaVersion: CallUpdated.schemaVersion, stream: StreamName.telephony,
                                     occurredAt: call.endedAt ?? call.startedAt, correlationId: correlationId, in: db)
            return Saved(outcome: .updated(changed), call: call)
        }
        call.revision = 1
        try write(call, counterparty: match.counterparty, legs: legs, db)
        try outbox.appendEncoded(payload: call.payloadJSON(), type: CallRecorded.eventType, schemaVersion: CallRecorded.schemaVersion,
                                 stream: StreamName.telephony, occurredAt: call.endedAt ?? call.startedAt, correlationId: correlationId, in: db)
        return Saved(outcome: .recorded, call: call)
    }

    /// Stores a call not stored yet, as `save` would with nothing existing; nil (and nothing
    /// written) when a call with its id is there already — then the caller reads it and saves.
    func saveIfNew(_ draft: CallDraft, legs: Data?, directory: Directory, _ db: Database) throws -> Saved? {
        let match = try directory.match(draft)
        let call = CallState(
            callId: draft.callId, revision: 1, direction: match.direction, from: draft.from, to: draft.to,
            extension_: match.ext, managerId: match.managerId, clientId: match.clientId, dealId: match.dealId,
            startedAt: draft.startedAt, answeredAt: draft.answeredAt, endedAt: draft.endedAt, durationSeconds: draft.durationSeconds,
            billableSeconds: draft.billableSeconds, answered: draft.answered, disposition: draft.disposition,
            recordingURL: draft.recordingURL, source: draft.source)
        guard try write(call, counterparty: match.counterparty, legs: legs, onlyIfNew: true, db) else { return nil }
        try outbox.appendEncoded(payload: call.payloadJSON(), type: CallRecorded.eventType, schemaVersion: CallRecorded.schemaVersion,
                                 stream: StreamName.telephony, occurredAt: call.endedAt ?? call.startedAt, correlationId: correlationId, in: db)
        return Saved(outcome: .recorded, call: call)
    }

    /// Re-runs matching for one stored call (its manager or client appeared later).
    func rematch(_ callId: String, _ db: Database) throws {
        guard let existing = try fetch(callId, db) else { return }
        let draft = CallDraft(callId: existing.callId, direction: existing.direction, from: existing.from, to: existing.to,
                              extension_: existing.extension_, managerId: existing.managerId, startedAt: existing.startedAt,
                              answeredAt: existing.answeredAt, endedAt: existing.endedAt, durationSeconds: existing.durationSeconds,
                              billableSeconds: existing.billableSeconds, disposition: existing.disposition,
                              recordingURL: existing.recordingURL, source: existing.source)
        try save(draft, merge: true, db)
    }

    /// Writes the call (its legs only when given); with `onlyIfNew`, only when no call has its id,
    /// and says whether it did.
    @discardableResult
    private func write(_ call: CallState, counterparty: String?, legs: Data?, onlyIfNew: Bool = false, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO call(callId, revision, direction, fromNumber, toNumber, extension, counterparty, managerId, clientId,
                dealId, startedAt, answeredAt, endedAt, durationSeconds, billableSeconds, answered, disposition, recordingURL, source, updatedAt, legs)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """ + (onlyIfNew ? " ON CONFLICT(callId) DO NOTHING" : """
             ON CONFLICT(callId) DO UPDATE SET revision = excluded.revision, direction = excluded.direction,
                fromNumber = excluded.fromNumber, toNumber = excluded.toNumber, extension = excluded.extension,
                counterparty = excluded.counterparty, managerId = excluded.managerId, clientId = excluded.clientId,
                dealId = excluded.dealId, startedAt = excluded.startedAt, answeredAt = excluded.answeredAt, endedAt = excluded.endedAt,
                durationSeconds = excluded.durationSeconds, billableSeconds = excluded.billableSeconds, answered = excluded.answered,
                disposition = excluded.disposition, recordingURL = excluded.recordingURL, source = excluded.source,
                updatedAt = excluded.updatedAt, legs = COALESCE(excluded.legs, legs)
            """))
        try statement.execute {
            $0.add(call.callId); $0.add(call.revision); $0.add(call.direction.rawValue); $0.add(call.from); $0.add(call.to)
            $0.add(call.extension_); $0.add(counterparty); $0.add(call.managerId); $0.add(call.clientId); $0.add(call.dealId)
            $0.add(call.startedAt.timeIntervalSince1970); $0.add(call.answeredAt?.timeIntervalSince1970)
            $0.add(call.endedAt?.timeIntervalSince1970); $0.add(call.durationSeconds); $0.add(call.billableSeconds); $0.add(call.answered)
            $0.add(call.disposition); $0.add(call.recordingURL); $0.add(call.source); $0.add(Date().timeIntervalSince1970)
            if let legs { $0.add(legs) } else { $0.add(nil as String?) }
        }
        return db.changesCount > 0
    }

    static func changes(_ a: CallState, _ b: CallState) -> [String] {
        var changed: [String] = []
        if a.direction != b.direction { changed.append("direction") }
        if a.extension_ != b.extension_ { changed.append("extension") }
        if a.managerId != b.managerId { changed.append("managerId") }
        if a.clientId != b.clientId { changed.append("clientId") }
        if a.dealId != b.dealId { changed.append("dealId") }
        if a.startedAt != b.startedAt { changed.append("startedAt") }
        if a.answeredAt != b.answeredAt { changed.append("answeredAt") }
        if a.endedAt != b.endedAt { changed.append("endedAt") }
        if a.durationSeconds != b.durationSeconds { changed.append("durationSeconds") }
        if a.billableSeconds != b.billableSeconds { changed.append("billableSeconds") }
        if a.answered != b.answered { changed.append("answered") }
        if a.disposition != b.disposition { changed.append("disposition") }
        if a.recordingURL != b.recordingURL { changed.append("recordingURL") }
        return changed
    }

    func reject(source: String, line: Int?, reason: String, raw: String, _ db: Database) throws {
        try RejectedInput.record(source: source, line: line, reason: reason, raw: raw, db)
    }
}
