import Contracts
import Foundation
import GRDB

/// An event whose envelope was written ahead of its turn — on another thread than the transaction
/// that appends it — for the sequence number it is expected to take.
public struct PreparedEnvelope: Sendable {
    public let stream: String
    public let seq: Int64
    public let eventId: String
    public let type: EventType
    public let schemaVersion: Int
    public let occurredAt: Date
    public let correlationId: String?
    public let payload: Data
    public let body: Data
}

extension OutboxStore {
    /// The sequence number the next event of `stream` appended in `db`'s transaction takes.
    public func nextSeq(stream: String, _ db: Database) throws -> Int64 {
        // The head is the stream's last row: retention always keeps it (see `prune`), and the
        // primary key makes MAX a single index step. One writer at a time keeps it gapless.
        try (signal.lastStagedSeq(stream)
            ?? Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM outbox WHERE stream = ?"), arguments: [stream]) ?? 0) + 1
    }

    /// Writes an event's envelope for `seq` without touching the database: a bulk writer's reading
    /// thread prepares its events' bytes while the writer stores the previous ones, and hands them
    /// to `append(_:in:)` in order.
    public func envelope(payload: Data, type: EventType, schemaVersion: Int, stream: String, seq: Int64, occurredAt: Date = Date(),
                         correlationId: String? = nil, eventId: String = EventID.make()) -> PreparedEnvelope {
        precondition(StreamName.isValidToken(stream), "invalid stream name \(stream)")
        precondition(StreamName.isValidToken(type.rawValue), "invalid event type \(type)")
        let body = EnvelopeWriter.write(
            eventId: eventId, type: type.rawValue, schemaVersion: schemaVersion, source: source,
            stream: stream, seq: seq, occurredAt: occurredAt, correlationId: correlationId, payload: payload)
        return PreparedEnvelope(stream: stream, seq: seq, eventId: eventId, type: type, schemaVersion: schemaVersion,
                                occurredAt: occurredAt, correlationId: correlationId, payload: payload, body: body)
    }

    /// Appends an envelope written ahead. When its stream moved meanwhile — another event took
    /// the number it was written for — it is written again for the right one: sequence numbers
    /// stay gapless whatever the preparer assumed. Returns the sequence number it took.
    @discardableResult
    public func append(_ envelope: PreparedEnvelope, in db: Database) throws -> Int64 {
        let seq = try nextSeq(stream: envelope.stream, db)
        try insert(seq == envelope.seq ? envelope : self.envelope(
            payload: envelope.payload, type: envelope.type, schemaVersion: envelope.schemaVersion, stream: envelope.stream, seq: seq,
            occurredAt: envelope.occurredAt, correlationId: envelope.correlationId, eventId: envelope.eventId), db)
        return seq
    }

    /// Stores an envelope numbered for its stream's next sequence and hands it to the relay.
    func insert(_ envelope: PreparedEnvelope, _ db: Database) throws {
        let record = OutboxRecord(stream: envelope.stream, seq: envelope.seq, eventId: envelope.eventId, type: envelope.type.rawValue,
                                  createdAt: Date().timeIntervalSince1970, body: envelope.body)
        let insert = try db.cachedStatement(sql: "INSERT INTO outbox(stream, seq, event_id, type, created_at, body) VALUES (?, ?, ?, ?, ?, ?)")
        try insert.execute {
            $0.add(record.stream); $0.add(record.seq); $0.add(record.eventId); $0.add(record.type); $0.add(record.createdAt); $0.add(record.body)
        }
        signal.stage(record, db)
    }
}
