import Contracts
import Foundation
import GRDB
import Messaging
import Storage

/// A tiny domain for bus tests and the benchmark: counters that events increment.
///
/// The publisher keeps its own counters and appends `CounterIncremented` in the same transaction
/// (the transactional outbox); subscribers apply the events to their copy. Equal tables at the end
/// mean nothing was lost or applied twice.
public enum CounterModel {
    public static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("counters.v1") { db in
            try db.execute(sql: "CREATE TABLE counter (name TEXT PRIMARY KEY, events INTEGER NOT NULL, kopecks INTEGER NOT NULL)")
        }
    }

    static func bump(_ name: String, kopecks: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO counter(name, events, kopecks) VALUES (?, 1, ?)
            ON CONFLICT(name) DO UPDATE SET events = events + 1, kopecks = kopecks + excluded.kopecks
            """).execute(arguments: [name, kopecks])
    }

    public struct Totals: Equatable, Sendable, CustomStringConvertible {
        public var events: Int64
        public var kopecks: Int64
        public init(events: Int64, kopecks: Int64) { self.events = events; self.kopecks = kopecks }
        public var description: String { "\(events) events, \(kopecks) kopecks" }
    }

    public static func totals(_ db: Database) throws -> [String: Totals] {
        var result: [String: Totals] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, events, kopecks FROM counter") {
            result[row[0]] = Totals(events: row[1], kopecks: row[2])
        }
        return result
    }

    /// Publishes `count` increments in transactions of `batch`, updating the publisher's own counters.
    /// Amounts are deterministic (`1 + seq % 1000` kopecks ×100) so expected totals are computable.
    public static func publish(count: Int, batch: Int = 500, counters: [String] = ["a", "b", "c"], stream: String = StreamName.bench,
                               outbox: OutboxStore, database: DatabasePool, note: String = "") async throws {
        var sent = 0
        while sent < count {
            let n = min(batch, count - sent)
            let start = sent
            try await database.write { db in
                for i in start..<(start + n) {
                    let name = counters[i % counters.count]
                    let amount = Int64(1 + i % 1000) * 100
                    try bump(name, kopecks: amount, db)
                    try outbox.append(CounterIncremented(counter: name, amount: Money(kopecks: amount), note: note), stream: stream, in: db)
                }
            }
            sent += n
        }
    }

    /// Applies increments; `decode: false` skips JSON decoding and counts events only (the bench's
    /// measure of the bus itself).
    public struct Handler: EventHandler {
        public var decode: Bool
        public init(decode: Bool = true) { self.decode = decode }

        public func apply(_ event: ReceivedEvent, in db: Database) throws {
            guard event.type == CounterIncremented.eventType else { return }
            if decode {
                let envelope = try event.decode(CounterIncremented.self)
                try bump(envelope.payload.counter, kopecks: envelope.payload.amount.kopecks, db)
            } else {
                try bump("events", kopecks: 0, db)
            }
        }

        public func rebuild(publisher: String, stream: String, from items: [Data], in db: Database) throws -> Bool {
            try db.execute(sql: "DELETE FROM counter")
            for item in items {
                let snapshot = try JSONDecoder().decode(Snapshot.self, from: item)
                try db.execute(sql: "INSERT INTO counter(name, events, kopecks) VALUES (?, ?, ?)",
                               arguments: [snapshot.name, snapshot.events, snapshot.kopecks])
            }
            return true
        }
    }

    struct Snapshot: Codable {
        var name: String
        var events: Int64
        var kopecks: Int64
    }

    /// The publisher's counters as snapshot items.
    public struct Snapshots: SnapshotProvider {
        public init() {}
        public func snapshot(stream: String, in db: Database) throws -> [Data]? {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return try totals(db).sorted { $0.key < $1.key }.map {
                try encoder.encode(Snapshot(name: $0.key, events: $0.value.events, kopecks: $0.value.kopecks))
            }
        }
    }
}
