import Foundation
import GRDB
@testable import KPI
import Storage
import Testing
import TestSupport

@Suite("What an entity adds to the aggregate, as stored")
struct ContributionsTests {
    @Test("cells are written one a line, sorted, with `|` and line breaks in names made harmless, and read back alike")
    func encoding() {
        var contributions = Contributions()
        contributions.add(.wonAmount, 150_000_00, manager: "m1", day: "2026-11-20", category: "оборудование|сервис", region: "Москва",
                          segment: "smb", source: "сайт\nреклама")
        contributions.add(.calls, 1, manager: "m1", day: "2026-11-20")
        contributions.add(.calls, 2, manager: "m1", day: "2026-11-20")
        contributions.add(.lostDeals, 0, manager: "m2", day: "2026-11-21")
        #expect(contributions.encoded == """
            calls|m1|2026-11-20||||=3
            won_amount|m1|2026-11-20|оборудование/сервис|Москва|smb|сайт реклама=15000000
            """)
        let read = Contributions(encoded: contributions.encoded)
        #expect(read.cells.count == 2)
        #expect(read.cells[Cell(metric: .calls, managerId: "m1", day: "2026-11-20")] == 3)
        #expect(read.cells[Cell(metric: .wonAmount, managerId: "m1", day: "2026-11-20", category: "оборудование/сервис", region: "Москва",
                                segment: "smb", source: "сайт реклама")] == 150_000_00)
        #expect(Contributions().encoded == "")
    }

    @Test("a contribution given with its stored form moves nothing when stored the same, and the difference when not")
    func replaceEncoded() throws {
        let dir = try TemporaryDirectory("contributions-replace")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
        let buffer = AggregateBuffer()
        var open = Contributions()
        open.add(.dealsCreated, 1, manager: "m1", day: "2026-11-20", category: "equipment")
        var won = open
        won.add(.wonAmount, 150_000_00, manager: "m1", day: "2026-11-25", category: "equipment")
        func cells(_ db: Database) throws -> [String] {
            try String.fetchAll(db, sql: "SELECT metric || ' ' || day || ' ' || value FROM agg WHERE value != 0 ORDER BY metric")
        }
        func stored(_ db: Database) throws -> String? {
            try String.fetchOne(db, sql: "SELECT data FROM contribution WHERE entity = 'deal:d1'")
        }
        try pool.write { db in
            try open.replace(entity: "deal:d1", encoded: open.encoded, into: buffer, db)
            buffer.endEvent()
            // The same again (a stage move): nothing to the aggregate.
            try open.replace(entity: "deal:d1", encoded: open.encoded, into: buffer, db)
            buffer.endEvent()
            try buffer.flush(db)
            #expect(try cells(db) == ["deals_created 2026-11-20 1"])
            #expect(try stored(db) == open.encoded)
            try won.replace(entity: "deal:d1", encoded: won.encoded, into: buffer, db)
            buffer.endEvent()
            try buffer.flush(db)
            #expect(try cells(db) == ["deals_created 2026-11-20 1", "won_amount 2026-11-25 15000000"])
            #expect(try stored(db) == won.encoded)
            // Back to open, its stored form worked out here.
            try open.replace(entity: "deal:d1", into: buffer, db)
            buffer.endEvent()
            try buffer.flush(db)
            #expect(try cells(db) == ["deals_created 2026-11-20 1"])
            #expect(try stored(db) == open.encoded)
        }
    }
}
