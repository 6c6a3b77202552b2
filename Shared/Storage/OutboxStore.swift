import Contracts
import Foundation
import GRDB

/// Writes events into the outbox inside the caller's transaction, so an event exists exactly when
/// the state change it describes was committed.
///
/// Sequence numbers are gapless per stream: the next is the stream's last row's plus one, read and
/// written in the same transaction, and SQLite has one writer at a time, even across processes.
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
        eventId: String = EventID.make(), in db: Database
    ) throws -> Int64 {
        return try appendEncoded(
            payload: try EventCodec.encodePayload(payload), type: P.eventType, schemaVersion: P.schemaVersion,
            stream: stream, occurredAt: occurredAt, correlationId: correlationId, eventId: eventId, in: db)
    }

    /// Appends an event whose payload JSON is already encoded. The envelope is assembled around it
    /// byte for byte as `EventCodec.encode` would write it (a test holds the two equal), which saves
    /// a second encoder pass on the hot path.
    @discardableResult
    public func appendEncoded(
        payload: Data, type: EventType, schemaVersion: Int, stream: String, occurredAt: Date = Date(),
        correlationId: String? = nil, eventId: String = EventID.make(), in db: Database
    ) throws -> Int64 {
        let envelope = envelope(payload: payload, type: type, schemaVersion: schemaVersion, stream: stream,
                                seq: try nextSeq(stream: stream, db), occurredAt: occurredAt, correlationId: correlationId, eventId: eventId)
        try insert(envelope, db)
        return envelope.seq
    }
}

extension OutboxStore {
    /// Runs `body` in a savepoint. Appends made inside it are forgotten if it fails: code that
    /// rolls back part of a transaction after appending must use this, not `db.inSavepoint`, or the
    /// relay would publish rows SQLite never kept.
    public func savepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let mark = signal.stagedMark()
        var result: T?
        do {
            try db.inSavepoint {
                result = try body()
                return .commit
            }
        } catch {
            signal.discardStaged(after: mark)
            throw error
        }
        return result!
    }

    /// The epoch of this database (see `BusSchema`).
    public static func epoch(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT value FROM bus_meta WHERE key = 'epoch'") ?? ""
    }

    /// The last sequence number of every stream. Streams are found by a skip-scan of the primary
    /// key (one index step per stream), so this stays cheap however long the outbox is.
    public static func heads(_ db: Database) throws -> [String: Int64] {
        let streams = try String.fetchAll(db.cachedStatement(sql: """
            WITH RECURSIVE s(stream) AS (
                SELECT MIN(stream) FROM outbox
                UNION ALL
                SELECT (SELECT MIN(stream) FROM outbox WHERE stream > s.stream) FROM s WHERE s.stream IS NOT NULL
            ) SELECT stream FROM s WHERE stream IS NOT NULL
            """))
        var heads: [String: Int64] = [:]
        for stream in streams { heads[stream] = try head(db, stream: stream) }
        return heads
    }

    public static func head(_ db: Database, stream: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM outbox WHERE stream = ?"), arguments: [stream]) ?? 0
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
              AND seq < (SELECT MAX(o.seq) FROM outbox o WHERE o.stream = outbox.stream)
            """, arguments: [cutoff.timeIntervalSince1970])
        return db.changesCount
    }
}
