import Contracts
import Foundation
import GRDB

/// A subscriber's position in one publisher's stream.
public struct StreamCursor: Sendable, Equatable, Hashable {
    public var publisher: String
    public var stream: String
    public var epoch: String
    public var lastSeq: Int64
    public init(publisher: String, stream: String, epoch: String, lastSeq: Int64) {
        self.publisher = publisher; self.stream = stream; self.epoch = epoch; self.lastSeq = lastSeq
    }
}

/// A message that could not be decoded or applied, kept with the reason for review.
public struct DeadLetter: Sendable, Equatable {
    public var id: Int64
    public var publisher: String?
    public var stream: String?
    public var seq: Int64?
    public var eventId: String?
    public var type: String?
    public var reason: String
    public var header: Data?
    public var body: Data?
    public var at: Date
}

/// A stream stopped for an operator to look at (an epoch change, a publisher that went back in time).
public struct BusAlarm: Sendable, Equatable {
    public var publisher: String
    public var stream: String
    public var kind: String
    public var message: String
    public init(publisher: String, stream: String, kind: String, message: String) {
        self.publisher = publisher; self.stream = stream; self.kind = kind; self.message = message
    }
}

/// The subscriber side of the bus tables: cursors, the inbox of applied event ids, dead letters.
/// Every function runs inside the caller's transaction, beside the effect it records.
public enum InboxStore {
    public static func cursors(_ db: Database) throws -> [StreamCursor] {
        try Row.fetchAll(db, sql: "SELECT publisher, stream, epoch, last_seq FROM bus_cursor").map {
            StreamCursor(publisher: $0[0], stream: $0[1], epoch: $0[2], lastSeq: $0[3])
        }
    }

    public static func saveCursor(_ cursor: StreamCursor, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO bus_cursor(publisher, stream, epoch, last_seq, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(publisher, stream) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
                updated_at = excluded.updated_at
            """).execute(arguments: [cursor.publisher, cursor.stream, cursor.epoch, cursor.lastSeq, Date().timeIntervalSince1970])
    }

    /// Records an event id as applied. Returns false when it already was: the caller skips the effect.
    public static func markApplied(eventId: String, publisher: String, stream: String, seq: Int64, _ db: Database) throws -> Bool {
        try Marker(db).markApplied(eventId: eventId, publisher: publisher, stream: stream, seq: seq)
    }

    /// Records the events of one batch — one transaction — as applied, through one statement and
    /// at one instant: fetching the statement from GRDB's cache hashed its SQL for every event, and
    /// the clock was read for each. Lives no longer than the transaction it was made in.
    public struct Marker {
        private let db: Database
        private let insert: Statement
        private let appliedAt: Double

        public init(_ db: Database, at instant: Date = Date()) throws {
            self.db = db
            insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO bus_inbox(event_id, publisher, stream, seq, applied_at) VALUES (?, ?, ?, ?, ?)")
            appliedAt = instant.timeIntervalSince1970
        }

        /// Returns false when the event was applied already: the caller skips the effect.
        public func markApplied(eventId: String, publisher: String, stream: String, seq: Int64) throws -> Bool {
            try insert.execute { $0.add(eventId); $0.add(publisher); $0.add(stream); $0.add(seq); $0.add(appliedAt) }
            return db.changesCount == 1
        }
    }

    public static func isApplied(eventId: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM bus_inbox WHERE event_id = ?", arguments: [eventId]) ?? false
    }

    public static func appliedCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_inbox") ?? 0
    }

    /// Forgets the ids of events made before `cutoff`, by the time their ids begin with (UUID
    /// version 7, `EventID`): a range of the inbox's key, no index of its own to keep up.
    ///
    /// By when the event was made, not when it was applied: what the inbox guards against is an
    /// event delivered again under another sequence number (a publisher restored, a stream reset),
    /// and a publisher replays only what its outbox still holds — rows made within its retention
    /// (7 days by default, against the inbox's 30). Cursors exclude the older sequence numbers.
    @discardableResult
    public static func prune(_ db: Database, madeBefore cutoff: Date) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM bus_inbox WHERE event_id < ?").execute(arguments: [EventID.timePrefix(at: cutoff)])
        return db.changesCount
    }

    public static func deadLetter(
        publisher: String?, stream: String?, seq: Int64?, eventId: String?, type: String?, reason: String,
        header: Data?, body: Data?, _ db: Database
    ) throws {
        try db.execute(sql: """
            INSERT INTO bus_dead_letter(publisher, stream, seq, event_id, type, reason, header, body, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [publisher, stream, seq, eventId, type, reason, header, body, Date().timeIntervalSince1970])
    }

    public static func deadLetters(_ db: Database, limit: Int = 100) throws -> [DeadLetter] {
        try Row.fetchAll(db, sql: """
            SELECT id, publisher, stream, seq, event_id, type, reason, header, body, at
            FROM bus_dead_letter ORDER BY id DESC LIMIT ?
            """, arguments: [limit]).map {
            DeadLetter(id: $0[0], publisher: $0[1], stream: $0[2], seq: $0[3], eventId: $0[4], type: $0[5],
                       reason: $0[6], header: $0[7], body: $0[8], at: Date(timeIntervalSince1970: $0[9]))
        }
    }

    public static func raiseAlarm(_ alarm: BusAlarm, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO bus_alarm(publisher, stream, kind, message, at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(publisher, stream) DO UPDATE SET kind = excluded.kind, message = excluded.message, at = excluded.at
            """, arguments: [alarm.publisher, alarm.stream, alarm.kind, alarm.message, Date().timeIntervalSince1970])
    }

    public static func alarms(_ db: Database) throws -> [BusAlarm] {
        try Row.fetchAll(db, sql: "SELECT publisher, stream, kind, message FROM bus_alarm").map {
            BusAlarm(publisher: $0[0], stream: $0[1], kind: $0[2], message: $0[3])
        }
    }

    /// An operator's decision after an epoch alarm: forget the cursor (and the alarm) so the stream
    /// is consumed again from the publisher's new beginning; the inbox still drops events already applied.
    public static func resetStream(publisher: String, stream: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM bus_alarm WHERE publisher = ? AND stream = ?", arguments: [publisher, stream])
        try db.execute(sql: "DELETE FROM bus_cursor WHERE publisher = ? AND stream = ?", arguments: [publisher, stream])
    }
}
