import Contracts
import Foundation
import GRDB
import Storage

/// Imports CDR text in a stream: rows are parsed as bytes arrive, grouped into calls, and written
/// in transactions of `batchRows` rows — so a million-row file takes the memory of one batch.
/// Each leg is stored once, in its call's row (keyed by its uniqueid, channels, start and
/// destination: `StoredLegs`), so importing the same file again changes nothing; a leg arriving in
/// a later batch or file updates its call.
struct CDRImporter {
    struct Summary: Codable, Sendable, Equatable {
        var rows = 0
        var calls = 0
        var recorded = 0
        var updated = 0
        var duplicates = 0
        var unmatched = 0
        var rejected: [RejectedRow] = []
    }

    struct RejectedRow: Codable, Sendable, Equatable {
        var line: Int
        var reason: String
    }

    let database: DatabasePool
    let store: CallStore
    var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    var batchRows = 2_000
    var source = "cdr"

    private var parser: CDRParser
    private var pending: [CDRRow] = []
    private(set) var summary = Summary()
    /// The batch being written while the next one is parsed: on two cores, parsing and SQLite
    /// overlap instead of taking turns. Batches are still written one after the other, in order.
    private var writing: Task<[(CallStore.Outcome, Bool)], any Error>?

    init(database: DatabasePool, store: CallStore, timeZone: TimeZone = TimeZone(identifier: "UTC")!, source: String = "cdr") {
        self.database = database
        self.store = store
        self.timeZone = timeZone
        self.source = source
        parser = CDRParser(timeZone: timeZone)
    }

    mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) async throws {
        var outputs: [CDRParser.Output] = []
        parser.feed(bytes) { outputs.append($0) }
        try await take(outputs)
    }

    mutating func finish() async throws -> Summary {
        var outputs: [CDRParser.Output] = []
        parser.finish { outputs.append($0) }
        try await take(outputs)
        try await flush()
        try await collect()
        return summary
    }

    private mutating func collect() async throws {
        guard let writing else { return }
        self.writing = nil
        for (outcome, unmatched) in try await writing.value {
            summary.calls += 1
            switch outcome {
            case .recorded: summary.recorded += 1
            case .updated: summary.updated += 1
            case .duplicate: summary.duplicates += 1
            }
            if unmatched && outcome != .duplicate { summary.unmatched += 1 }
        }
    }

    private mutating func take(_ outputs: [CDRParser.Output]) async throws {
        var rejected: [CDRParser.Rejected] = []
        for output in outputs {
            switch output {
            case .row(let row):
                summary.rows += 1
                pending.append(row)
            case .rejected(let reject):
                rejected.append(reject)
                summary.rejected.append(RejectedRow(line: reject.line, reason: reject.reason))
            }
        }
        if !rejected.isEmpty {
            let rejected = rejected
            let store = self.store
            let source = self.source
            try await database.write { db in
                for reject in rejected { try store.reject(source: source, line: reject.line, reason: reject.reason, raw: reject.raw, db) }
            }
        }
        if pending.count >= batchRows { try await flush(final: false) }
    }

    private mutating func flush(final: Bool = true) async throws {
        guard !pending.isEmpty else { return }
        var rows = pending
        pending.removeAll(keepingCapacity: true)
        // Legs of one call are written next to each other: hold the last call's rows back for the
        // next batch, so a call is not split over two transactions (and recorded, then updated).
        if !final, let lastKey = rows.last?.callKey, rows.first?.callKey != lastKey {
            let split = rows.lastIndex { $0.callKey != lastKey }! + 1
            pending = Array(rows[split...])
            rows.removeSubrange(split...)
        }
        // Everything that needs no database is done here, on the parsing side, while the previous
        // batch is still being written: the writer's core only runs SQL and matching.
        let batch = Self.prepare(rows)
        let store = self.store
        let database = self.database
        try await collect()
        writing = Task { try await database.write { db -> [(CallStore.Outcome, Bool)] in
            var outcomes: [(CallStore.Outcome, Bool)] = []
            outcomes.reserveCapacity(batch.count)
            let directory = Directory(db: db)
            for call in batch {
                // Most calls of a file are new: try storing the call as this batch's legs make it,
                // and only when one is there already read it (and its stored legs) back.
                let saved: CallStore.Saved
                if let recorded = try store.saveIfNew(call.draft, legs: call.legsJSON, directory: directory, db) {
                    saved = recorded
                } else {
                    let existing = try store.fetch(call.key, db)
                    var legs = try Data.fetchOne(db.cachedStatement(sql: "SELECT legs FROM call WHERE callId = ?"), arguments: [call.key])
                        .map(StoredLegs.init(json:)) ?? StoredLegs()
                    let known = legs.ids
                    let arrived = call.legs.legs.filter { !known.contains($0.id) }
                    guard !arrived.isEmpty else {
                        outcomes.append((.duplicate, false))
                        continue
                    }
                    legs.legs += arrived
                    saved = try store.save(CallDraft.merge(legs.rows, callId: call.key), merge: false, existing: existing, legs: legs.json,
                                           directory: directory, db)
                }
                let call = saved.call
                let unmatched = call.direction != .internal && (call.managerId == nil || call.clientId == nil)
                outcomes.append((saved.outcome, unmatched))
            }
            return outcomes
        } }
    }

    /// One call of a batch, made ready outside the write transaction: its legs in file order, their
    /// keys, and the call as those legs make it (what is stored if the call is new).
    struct PreparedCall: Sendable {
        var key: String
        var legs: StoredLegs
        /// `legs` as stored when the call is new.
        var legsJSON: Data
        var draft: CallDraft
    }

    static func prepare(_ rows: [CDRRow]) -> [PreparedCall] {
        var index: [String: Int] = [:]
        var calls: [PreparedCall] = []
        for row in rows {
            let key = row.callKey
            let leg = StoredLegs.Leg(id: StoredLegs.legId(row), row: row)
            if let at = index[key] {
                // The same line twice in a file is one leg.
                if !calls[at].legs.legs.contains(where: { $0.id == leg.id }) { calls[at].legs.legs.append(leg) }
            } else {
                index[key] = calls.count
                calls.append(PreparedCall(key: key, legs: StoredLegs([leg]), legsJSON: Data(), draft: CallDraft.merge([row], callId: key)))
            }
        }
        for i in calls.indices {
            if calls[i].legs.legs.count > 1 { calls[i].draft = CallDraft.merge(calls[i].legs.rows, callId: calls[i].key) }
            calls[i].legsJSON = calls[i].legs.json
        }
        return calls
    }
}
