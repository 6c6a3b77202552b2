import Contracts
import Foundation
import GRDB
@testable import KPI
import Messaging
import Storage
import Testing
import TestSupport

@Suite("KPI event log")
struct EventLogTests {
    let zone = TimeZone(identifier: "Europe/Moscow")!

    /// What recompute reads back of an event: where it came from, its type and its bytes.
    static func summary(_ event: ReceivedEvent) -> String {
        "\(event.header.publisher) \(event.header.stream) \(event.header.seq) \(event.header.type) \(String(decoding: event.body, as: UTF8.self))"
    }

    /// A migrated database in `dir` and a projection to apply events to it.
    func projecting(in dir: TemporaryDirectory) throws -> (DatabasePool, Projection) {
        (try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }, Projection(zone: zone))
    }

    static func manager(_ id: String, seq: Int64) throws -> ReceivedEvent {
        try .encoded(ManagerUpserted(managerId: id, name: "Менеджер \(id)", teamId: nil, role: "manager", extensions: [], phones: [], email: nil,
                                     telegramChatId: nil, active: true),
                     seq: seq, at: Date(timeIntervalSince1970: 1_790_000_000), publisher: "deals", stream: "deals")
    }

    @Test("a batch's events come back as they were: names in any script, empty and long bodies, extreme sequence numbers")
    func roundTrip() throws {
        let bodies = [Data(), Data("{\"a\":\"ё\"}".utf8), Data(repeating: 0x7B, count: 70_000)]
        let events = [
            ReceivedEvent(header: WireHeader(publisher: "сделки", epoch: "e", stream: "поток", seq: 1, eventId: "x", type: "deal.won"), body: bodies[1],
                          replayed: false),
            ReceivedEvent(header: WireHeader(publisher: "", epoch: "", stream: "", seq: Int64.max, eventId: "", type: ""), body: bodies[0], replayed: false),
            ReceivedEvent(header: WireHeader(publisher: "p", epoch: "", stream: "s", seq: -1, eventId: "", type: "t"),
                          body: bodies[2][10..<60_000], replayed: false),
        ]
        var data = Data()
        for event in events { EventLog.encode(event, into: &data) }
        #expect(data.count == 3 * (4 * 4 + 8) + "сделки".utf8.count + "поток".utf8.count + "deal.won".utf8.count + 10 + 3 + 59_990)
        let back = try EventLog.decode(data)
        #expect(back.map(Self.summary) == events.map(Self.summary))
        #expect(back.allSatisfy { $0.replayed && $0.header.eventId.isEmpty && $0.header.epoch.isEmpty })
        // A row read from the middle of a bigger buffer decodes the same.
        let padded = Data([1, 2, 3]) + data
        #expect(try EventLog.decode(padded[3...]).map(Self.summary) == events.map(Self.summary))
        #expect(try EventLog.decode(Data()).isEmpty)
    }

    @Test("a damaged row is an error naming the byte, never a guess")
    func damaged() throws {
        var data = Data()
        EventLog.encode(try Self.manager("m1", seq: 1), into: &data)
        for cut in [1, 4, 5, 12, data.count - 1] {
            #expect(throws: EventLog.Damaged.self) { try EventLog.decode(data.prefix(cut)) }
        }
        // A length larger than what is left.
        var long = data
        long.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect { try EventLog.decode(long) } throws: { ($0 as? EventLog.Damaged)?.offset == 4 }
        // A publisher that is not UTF-8.
        var bad = Data()
        EventLog.encode(ReceivedEvent(header: WireHeader(publisher: "ab", epoch: "", stream: "s", seq: 1, eventId: "", type: "t"), body: Data(),
                                      replayed: false), into: &bad)
        bad[4] = 0xC3
        #expect { try EventLog.decode(bad) } throws: { ($0 as? EventLog.Damaged)?.offset == 4 }
    }

    @Test("each batch is one row of the events applied; a failed event and a rolled-back batch are not logged")
    func batches() throws {
        let dir = try TemporaryDirectory("event-log")
        defer { dir.remove() }
        let (pool, projection) = try projecting(in: dir)
        let good = [try Self.manager("m1", seq: 1), try Self.manager("m2", seq: 2), try Self.manager("m3", seq: 4)]
        // A manager.upserted whose body is not its payload: the router's decode fails.
        let broken = ReceivedEvent(header: WireHeader(publisher: "deals", epoch: "e", stream: "deals", seq: 3, eventId: "e3",
                                                      type: ManagerUpserted.eventType.rawValue), body: Data("{}".utf8), replayed: false)
        try projection.applyBatch(good[..<2], to: pool)
        try pool.write { db in
            try db.inSavepoint {
                #expect(throws: (any Error).self) { try projection.apply(broken, in: db) }
                return .rollback
            }
            try projection.apply(good[2], in: db)
            try projection.finishBatch(in: db)
        }
        // Applied, then the transaction rolled back: the subscriber discards the batch.
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try pool.write { db in
                try projection.apply(try Self.manager("m9", seq: 5), in: db)
                throw Abort()
            }
        }
        projection.discardBatch()
        // An empty batch writes no row.
        try pool.write { db in try projection.finishBatch(in: db) }
        let (rows, logged) = try pool.read { db in
            (try Int.fetchAll(db, sql: "SELECT count FROM event_batch ORDER BY id"), try Self.logged(db))
        }
        #expect(rows == [2, 1])
        #expect(logged == good.map { Self.summary(ReceivedEvent(header: $0.header, body: $0.body, replayed: true)) })
        // What a recompute rebuilds from: the three managers, not m9.
        let managers = try pool.write { db in
            #expect(try Projection.recompute(zone: zone, db) == 3)
            return try String.fetchAll(db, sql: "SELECT id FROM dir_manager ORDER BY id")
        }
        #expect(managers == ["m1", "m2", "m3"])
    }

    @Test("a batch past a megabyte is written in rows of about a megabyte as it goes")
    func longBatch() throws {
        let dir = try TemporaryDirectory("event-log-long")
        defer { dir.remove() }
        let (pool, projection) = try projecting(in: dir)
        let events = try (100_001...108_000).map { try Self.manager("m\($0)", seq: Int64($0)) }
        try projection.applyBatch(events, to: pool)
        let size = Self.recordSize(events[0])
        let perRow = (EventLog.rowBytes + size - 1) / size
        try pool.read { (db: Database) throws in
            #expect(try Int.fetchAll(db, sql: "SELECT count FROM event_batch ORDER BY id") == Array(repeating: perRow, count: 8_000 / perRow) + [8_000 % perRow])
            #expect(try Self.logged(db) == events.map(Self.summary))
        }
    }

    @Test("a recompute applies the rows in order though they are decoded on another thread; a damaged row fails it whole")
    func recomputeOrder() throws {
        let dir = try TemporaryDirectory("event-log-order")
        defer { dir.remove() }
        let (pool, projection) = try projecting(in: dir)
        // One manager renamed some 9,000 times over four rows or more, and a manager every thousand events.
        let events = try (100_001...109_000).map { n in
            try ReceivedEvent.encoded(ManagerUpserted(managerId: n % 1_000 == 0 ? "m\(n)" : "m", name: "name \(n)", teamId: nil, role: "manager",
                                                      extensions: [], phones: [], email: nil, telegramChatId: nil, active: true),
                                      seq: Int64(n), at: Date(timeIntervalSince1970: 1_790_000_000), publisher: "deals", stream: "deals")
        }
        for batch in stride(from: 0, to: events.count, by: 2_500).map({ events[$0..<min($0 + 2_500, events.count)] }) {
            try projection.applyBatch(batch, to: pool)
        }
        func managers(_ db: Database) throws -> [String] {
            try Row.fetchAll(db, sql: "SELECT id, name FROM dir_manager ORDER BY id").map { "\($0["id"] as String) \($0["name"] as String)" }
        }
        let incremental = try pool.read(managers)
        #expect(incremental.first == "m name 108999")
        #expect(incremental.count == 10)
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM event_batch") } ?? 0 >= 4)
        #expect(try pool.write { try Projection.recompute(zone: zone, $0) } == 9_000)
        #expect(try pool.read(managers) == incremental)
        // The third row damaged: nothing of the recompute stays.
        try pool.write { db in
            try db.execute(sql: "UPDATE event_batch SET events = substr(events, 1, 10) WHERE id = (SELECT id FROM event_batch ORDER BY id LIMIT 1 OFFSET 2)")
            try db.execute(sql: "UPDATE dir_manager SET name = 'kept' WHERE id = 'm'")
        }
        #expect(throws: EventLog.Damaged.self) { try pool.write { try Projection.recompute(zone: zone, $0) } }
        #expect(try pool.read { try String.fetchOne($0, sql: "SELECT name FROM dir_manager WHERE id = 'm'") } == "kept")
    }

    @Test("the decoder hands rows back in the order submitted, a failing row as its error, and stops")
    func decoderOrder() throws {
        let decoder = LogDecoder(router: Projection(zone: zone).router)
        var rows: [Data] = []
        for n in 0..<20 {
            var data = Data()
            for m in 0..<(n + 1) { EventLog.encode(try Self.manager("m\(n)-\(m)", seq: Int64(m)), into: &data) }
            rows.append(n == 7 ? data.prefix(3) : data)
        }
        for row in rows { decoder.submit(row) }
        for n in 0..<20 {
            switch decoder.next() {
            case let .success(events)?:
                #expect(n != 7)
                #expect(events.count == n + 1)
                #expect(events.allSatisfy { $0 != nil })
            case let .failure(error)?:
                #expect(n == 7)
                #expect(error is EventLog.Damaged)
            case nil:
                Issue.record("a decoder fed rows has no end of the log")
            }
        }
        // A type no route takes is decoded as nil, not an error.
        var unknown = Data()
        EventLog.encode(ReceivedEvent(header: WireHeader(publisher: "p", epoch: "", stream: "s", seq: 1, eventId: "", type: "future.event"),
                                      body: Data("{}".utf8), replayed: false), into: &unknown)
        decoder.submit(unknown)
        #expect(try decoder.next()?.get().map { $0 == nil } == [true])
        decoder.stop()
    }

    /// The bytes an event takes in a row.
    static func recordSize(_ event: ReceivedEvent) -> Int {
        var data = Data()
        EventLog.encode(event, into: &data)
        return data.count
    }

    static func logged(_ db: Database) throws -> [String] {
        var events: [String] = []
        var after: Int64 = 0
        while let row = try EventLog.row(after: after, db) {
            after = row.id
            events += try EventLog.decode(row.events).map(summary)
        }
        return events
    }

    @Test("the per-event log of earlier versions moves into batch rows in order, and recomputes the same")
    func migration() throws {
        let dir = try TemporaryDirectory("event-log-migration")
        defer { dir.remove() }
        let (queue, migrator) = try KPISchemaTests.database(in: dir, upTo: "kpi.v10-won-deal-indexes")
        // Ids and numbers of one width: every event takes the same bytes.
        let events = try (100_001...120_003).map { try Self.manager("m\($0)", seq: Int64($0)) }
        try queue.write { db in
            for event in events {
                try db.execute(sql: "INSERT INTO event_log(publisher, stream, seq, type, body) VALUES (?, ?, ?, ?, ?)",
                               arguments: [event.header.publisher, event.header.stream, event.header.seq, event.header.type, event.body])
            }
        }
        try migrator.migrate(queue)
        try queue.write { (db: Database) throws in
            // Rows of a megabyte or just over (the event that passed it), the rest in the last.
            let rows = try Row.fetchAll(db, sql: "SELECT count, length(events) AS size FROM event_batch ORDER BY id")
            let size = EventLogTests.recordSize(events[0])
            #expect(Set(events.map(EventLogTests.recordSize)) == [size])
            let perRow = (EventLog.rowBytes + size - 1) / size
            #expect(rows.map { $0["count"] as Int } == Array(repeating: perRow, count: 20_003 / perRow) + [20_003 % perRow])
            #expect(rows.map { $0["size"] as Int } == rows.map { ($0["count"] as Int) * size })
            #expect(try db.tableExists("event_log") == false)
            #expect(try Self.logged(db) == events.map(Self.summary))
            #expect(try Projection.recompute(zone: zone, db) == 20_003)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dir_manager") == 20_003)
        }
    }
}
