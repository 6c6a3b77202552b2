import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("Statements bound and read through SQLite's C API")
struct StatementDirectTests {
    static func database() throws -> (DatabasePool, TemporaryDirectory) {
        let dir = try TemporaryDirectory("direct")
        let db = try PacerDatabase.open(path: dir.file("d.sqlite")) { migrator in
            migrator.registerMigration("t") {
                try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, n INTEGER, d REAL, b BLOB, flag INTEGER)")
            }
        }
        return (db, dir)
    }

    @Test("every kind of value arrives as GRDB's own binding would store it, nulls and empty values included")
    func binds() throws {
        let (db, dir) = try Self.database()
        defer { dir.remove() }
        let rows: [(Int64, String?, Int64?, Double?, Data, Bool)] = [
            (1, "Звонок \"в\" 10:00\n", Int64.max, 1_763_629_200.125, Data([0, 1, 2, 255]), true),
            (2, "", nil, nil, Data(), false),
            (3, nil, -7, -0.5, Data("x".utf8), true),
        ]
        try db.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO t(id, s, n, d, b, flag) VALUES (?, ?, ?, ?, ?, ?)")
            for row in rows {
                try insert.execute { $0.add(row.0); $0.add(row.1); $0.add(row.2); $0.add(row.3); $0.add(row.4); $0.add(row.5) }
            }
            // The same cached statement used by GRDB afterwards binds afresh.
            try insert.execute(arguments: [4, "grdb", 4, 4.0, Data([4]), false])
        }
        let stored = try db.read { try Row.fetchAll($0, sql: "SELECT id, s, n, d, b, flag, typeof(s) AS ts, typeof(b) AS tb FROM t ORDER BY id") }
        #expect(stored.count == 4)
        #expect(stored[0]["s"] as String? == "Звонок \"в\" 10:00\n")
        #expect(stored[0]["n"] as Int64? == Int64.max)
        #expect(stored[0]["d"] as Double? == 1_763_629_200.125)
        #expect(stored[0]["b"] as Data? == Data([0, 1, 2, 255]))
        #expect(stored[0]["flag"] as Int64? == 1)
        // An empty string is text, not NULL; an empty blob is a blob.
        #expect(stored[1]["ts"] as String? == "text")
        #expect(stored[1]["s"] as String? == "")
        #expect(stored[1]["tb"] as String? == "blob")
        #expect(stored[1]["n"] as Int64? == nil)
        #expect(stored[1]["d"] as Double? == nil)
        #expect(stored[1]["flag"] as Int64? == 0)
        #expect(stored[2]["ts"] as String? == "null")
        #expect(stored[2]["n"] as Int64? == -7)
        #expect(stored[3]["s"] as String? == "grdb")
    }

    @Test("a keyed lookup returns the first row's columns, nil when no row matches, and leaves the statement reusable")
    func fetchesFirst() throws {
        let (db, dir) = try Self.database()
        defer { dir.remove() }
        try db.write { db in
            try db.execute(sql: "INSERT INTO t(id, s, n, d) VALUES (1, 'один', 10, 0.25), (2, NULL, NULL, NULL)")
            let lookup = try db.cachedStatement(sql: "SELECT s, n, d FROM t WHERE id = ?")
            let first = try lookup.fetchFirst(binding: { $0.add(Int64(1)) }) { row in
                "\(row.string(0) ?? "-")|\(row.int64(1).map(String.init) ?? "-")|\(row.double(2).map { String($0) } ?? "-")"
            }
            #expect(first == "один|10|0.25")
            let second = try lookup.fetchFirst(binding: { $0.add(Int64(2)) }) { row in
                "\(row.string(0) ?? "-")|\(row.int64(1).map(String.init) ?? "-")|\(row.double(2).map { String($0) } ?? "-")"
            }
            #expect(second == "-|-|-")
            #expect(try lookup.fetchFirst(binding: { $0.add(Int64(3)) }) { $0.string(0) } == nil)
            // GRDB's own fetch of the same cached statement is unaffected.
            #expect(try String.fetchOne(lookup, arguments: [1]) == "один")
        }
    }
}
