import Contracts
import Foundation
import GRDB

/// Writes events into the outbox inside the caller's transaction, so an event exists exactly when
/// the state change it describes was committed.
///
/// Sequence numbers are gapless per stream: `outbox_head` is bumped in the same transaction, and
/// SQLite has one writer at a time, even across processes.
public struct OutboxStore: Sendable {
    public let source: EventSource
    public let signal: OutboxSignal

    public init(source: EventSource, signal: OutboxSignal = OutboxSignal()) {
        self.source = source
        self.signal = signal
    }

    /// Appends an event; returns its sequence number.
    @discardableResult
    public func append<P: EventPayload>(
        _ payload: P, stream: String, occurredAt: Date = Date(), correlationId: String? = nil,
        eventId: String = UUID().uuidString.lowercased(), in db: Database
    ) throws -> Int64 {
        let encoder = EventCodec.makeEncoder()
        return try appendEncoded(
            payload: try encoder.encode(payload), type: P.eventType, schemaVersion: P.schemaVersion,
            stream: stream, occurredAt: occurredAt, correlationId: correlationId, eventId: eventId, in: db)
    }

    /// Appends an event whose payload JSON is already encoded. The envelope is assembled around it
    /// byte for byte as `EventCodec.encode` would write it (a test holds the two equal), which saves
    /// a second encoder pass on the hot path.
    @discardableResult
    public func appendEncoded(
        payload: Data, type: EventType, schemaVersion: Int, stream: String, occurredAt: Date = Date(),
        correlationId: String? = nil, eventId: String = UUID().uuidString.lowercased(), in db: Database
    ) throws -> Int64 {
        precondition(StreamName.isValidToken(stream), "invalid stream name \(stream)")
        precondition(StreamName.isValidToken(type.rawValue), "invalid event type \(type)")
        let seq = try Int64.fetchOne(
            db.cachedStatement(sql: """
                INSERT INTO outbox_head(stream, seq) VALUES (?, 1)
                ON CONFLICT(stream) DO UPDATE SET seq = seq + 1 RETURNING seq
                """),
            arguments: [stream])!
        let body = EnvelopeWriter.write(
            eventId: eventId, type: type.rawValue, schemaVersion: schemaVersion, source: source,
            stream: stream, seq: seq, occurredAt: occurredAt, correlationId: correlationId, payload: payload)
        try db.cachedStatement(sql: "INSERT INTO outbox(stream, seq, event_id, type, created_at, body) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [stream, seq, eventId, type.rawValue, Date().timeIntervalSince1970, body])
        signal.notifyAfterCommit(db)
        return seq
    }
}

extension OutboxStore {
    /// The epoch of this database (see `BusSchema`).
    public static func epoch(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT value FROM bus_meta WHERE key = 'epoch'") ?? ""
    }

    /// The last sequence number of every stream.
    public static func heads(_ db: Database) throws -> [String: Int64] {
        var heads: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT stream, seq FROM outbox_head") {
            heads[row[0]] = row[1]
        }
        return heads
    }

    public static func head(_ db: Database, stream: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM outbox_head WHERE stream = ?", arguments: [stream]) ?? 0
    }

    /// The oldest sequence still retained for a stream, or nil when none is.
    public static func oldestRetained(_ db: Database, stream: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM outbox WHERE stream = ?", arguments: [stream])
    }

    /// Rows of a stream with `seq > afterSeq`, in order.
    public static func fetch(_ db: Database, stream: String, afterSeq: Int64, limit: Int) throws -> [OutboxRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT seq, event_id, type, created_at, body FROM outbox WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?"),
            arguments: [stream, afterSeq, limit]
        ).map { row in
            OutboxRecord(stream: stream, seq: row[0], eventId: row[1], type: row[2], createdAt: row[3], body: row[4])
        }
    }

    /// Deletes rows created before `cutoff`, always keeping each stream's newest row so the
    /// head stays answerable. Returns the number deleted.
    @discardableResult
    public static func prune(_ db: Database, createdBefore cutoff: Date) throws -> Int {
        try db.execute(sql: """
            DELETE FROM outbox WHERE created_at < ?
              AND seq < (SELECT h.seq FROM outbox_head h WHERE h.stream = outbox.stream)
            """, arguments: [cutoff.timeIntervalSince1970])
        return db.changesCount
    }
}
