import Foundation
import GRDB
import Testing

/// A database that cannot take writes answers 503 with a problem body, stores nothing, and works
/// again by itself once it can. SQLite's own limits stand in for the disk: `max_page_count` makes
/// it report SQLITE_FULL exactly as a full disk does, and `query_only` makes it read-only.
@Suite("Storage faults: disk full or read-only")
struct StorageFaultTests {
    @Test("a full disk and a read-only database refuse writes with 503, and recovery needs no restart")
    func fullAndReadOnly() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (clientId, _) = try await deals.seed()
        let body: [String: Any] = ["title": "Большой заказ", "clientId": clientId, "managerId": "m1", "amount": ["kopecks": 1_00, "currency": "RUB"]]
        let before = try await deals.head()
        let pages = try await deals.database.write { db -> Int in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")!
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            return pages
        }
        // Fill what little room is left so the next insert must grow the file.
        var refused = try await deals.call("POST", "/deals", json: body)
        var attempts = 0
        while refused.status == 201 && attempts < 500 {
            refused = try await deals.call("POST", "/deals", json: body)
            attempts += 1
        }
        #expect(refused.status == 503)
        #expect(refused.json["detail"] as? String == "storage unavailable: the disk is full; nothing was stored, retry later")
        let stored = try await deals.head()
        // Every 201 was stored and published; the refused request left no event behind.
        #expect(stored - before == Int64(attempts))
        #expect(try await deals.call("GET", "/deals?limit=1", as: "head").status == 200)

        try await deals.database.write { db in try db.execute(sql: "PRAGMA max_page_count = \(pages * 1000)") }
        #expect(try await deals.call("POST", "/deals", json: body).status == 201)

        try await deals.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = 1") }
        let readOnly = try await deals.call("POST", "/deals", json: body)
        #expect(readOnly.status == 503)
        #expect(readOnly.json["detail"] as? String == "storage unavailable: the database is read-only; nothing was stored, retry later")
        try await deals.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = 0") }
        #expect(try await deals.call("POST", "/deals", json: body).status == 201)
        #expect(try await deals.head() == stored + 2)
        await deals.stop()
    }
}
