import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("The bus tables' migrations")
struct BusSchemaTests {
    @Test("the outbox becomes a rowid table keyed by (stream, seq), every row kept as it was")
    func outboxRowid() throws {
        let dir = try TemporaryDirectory("bus-schema")
        defer { dir.remove() }
        let queue = try DatabaseQueue(path: dir.file("t.sqlite"))
        var migrator = DatabaseMigrator()
        BusSchema.register(in: &migrator)
        try migrator.migrate(queue, upTo: "bus.v1")
        // One body past what a WITHOUT ROWID page keeps in place (~1,000 bytes), one Cyrillic.
        let rows: [(String, Int64, String, Data)] = [
            ("accounting", 1, "e1", Data(repeating: 0x7B, count: 2_500)),
            ("accounting", 2, "e2", Data("{\"purpose\":\"Оплата по счёту № 15\"}".utf8)),
            ("deals", 1, "e3", Data("{}".utf8)),
        ]
        try queue.write { db in
            for (stream, seq, id, body) in rows {
                try db.execute(sql: "INSERT INTO outbox(stream, seq, event_id, type, created_at, body) VALUES (?, ?, ?, 't.x', 1.5, ?)",
                               arguments: [stream, seq, id, body])
            }
        }
        try migrator.migrate(queue)
        try queue.read { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'outbox'") ?? ""
            #expect(!sql.contains("WITHOUT ROWID"))
            #expect(sql.contains("PRIMARY KEY (stream, seq)"))
            let stored = try Row.fetchAll(db, sql: "SELECT stream, seq, event_id, type, created_at, body FROM outbox ORDER BY stream, seq")
            #expect(stored.map { [$0["stream"] as String, String($0["seq"] as Int64), $0["event_id"], $0["type"], String($0["created_at"] as Double)] }
                    == rows.map { [$0.0, String($0.1), $0.2, "t.x", "1.5"] })
            #expect(stored.map { $0["body"] as Data } == rows.map(\.3))
            #expect(try OutboxStore.heads(db) == ["accounting": 2, "deals": 1])
        }
        // (stream, seq) is still unique.
        #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.execute(sql: "INSERT INTO outbox(stream, seq, event_id, type, created_at, body) VALUES ('deals', 1, 'e4', 't', 0, x'00')")
            }
        }
    }

    @Test("the inbox loses its applied_at index and keeps every id it held")
    func inboxWithoutAppliedIndex() throws {
        let dir = try TemporaryDirectory("bus-schema-inbox")
        defer { dir.remove() }
        let queue = try DatabaseQueue(path: dir.file("t.sqlite"))
        var migrator = DatabaseMigrator()
        BusSchema.register(in: &migrator)
        try migrator.migrate(queue, upTo: "bus.v2-outbox-rowid")
        let indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bus_inbox' AND sql IS NOT NULL"
        try queue.write { db throws in
            #expect(try String.fetchAll(db, sql: indexes) == ["bus_inbox_applied"])
            for (seq, id) in ["01a24f84-4c7d-7000-8000-000000000001", "01a24f84-4c7d-7000-8000-000000000002"].enumerated() {
                #expect(try InboxStore.markApplied(eventId: id, publisher: "deals", stream: "deals", seq: Int64(seq + 1), db))
            }
        }
        try migrator.migrate(queue)
        try queue.read { db throws in
            #expect(try String.fetchAll(db, sql: indexes) == [])
            #expect(try InboxStore.appliedCount(db) == 2)
            #expect(try InboxStore.isApplied(eventId: "01a24f84-4c7d-7000-8000-000000000002", db))
        }
    }
}
