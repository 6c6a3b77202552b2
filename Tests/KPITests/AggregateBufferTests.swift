import Foundation
import GRDB
@testable import KPI
import Storage
import Testing
import TestSupport

@Suite("The aggregate's changes summed over a batch")
struct AggregateBufferTests {
    @Test("an event's changes count once it is applied in full; a dropped event's and a discarded batch's never; the flush writes each cell once and marks its managers")
    func sums() throws {
        let dir = try TemporaryDirectory("aggregate-buffer")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
        let calls = Cell(metric: .calls, managerId: "m1", day: "2026-11-20")
        let won = Cell(metric: .wonAmount, managerId: "m2", day: "2026-11-21", category: "equipment")
        let buffer = AggregateBuffer()
        try pool.write { db in
            try db.execute(sql: "INSERT INTO agg(metric, managerId, day, category, region, segment, source, value) VALUES ('calls', 'm1', '2026-11-20', '', '', '', '', 10)")
            buffer.add([calls: 1])
            buffer.endEvent()
            buffer.add([calls: 1, won: 500_00])
            buffer.endEvent()
            buffer.add([calls: 7, won: 1])
            buffer.dropEvent()
            buffer.add([won: -500_00, calls: 0])
            buffer.endEvent()
            try buffer.flush(db)
        }
        try pool.write { db in
            buffer.add([calls: 100])
            buffer.endEvent()
            buffer.discard()
            try buffer.flush(db)
        }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT metric, managerId, day, category, value FROM agg ORDER BY metric").map {
                "\($0["metric"] as String) \($0["managerId"] as String) \($0["day"] as String) \($0["category"] as String) \($0["value"] as Int64)"
            }
        }
        // The won amount came and went within the batch: no row is written for it.
        #expect(rows == ["calls m1 2026-11-20  12"])
        #expect(try pool.read { try String.fetchAll($0, sql: "SELECT managerId FROM dirty_manager ORDER BY managerId") } == ["m1", "m2"])
    }
    @Test("calls summed by manager and day become their six cells at the flush, merged with other changes to the same cells; a dropped call never counts")
    func calls() throws {
        let dir = try TemporaryDirectory("aggregate-buffer")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
        let buffer = AggregateBuffer()
        let day = CallDay(managerId: "m1", day: "2026-11-20")
        try pool.write { db in
            // An outgoing answered call of 60 s; an incoming missed one; one dropped; the first moved to m3 the next day.
            buffer.add(CallCounts(calls: 1, outgoing: 1, answered: 1, talkSeconds: 60), for: day)
            buffer.endEvent()
            buffer.add(CallCounts(calls: 1, incoming: 1, missed: 1), for: day)
            buffer.add([Cell(metric: .calls, managerId: "m1", day: "2026-11-20"): 5])
            buffer.endEvent()
            buffer.add(CallCounts(calls: 1, outgoing: 1, answered: 1, talkSeconds: 900), for: CallDay(managerId: "m2", day: "2026-11-20"))
            buffer.dropEvent()
            buffer.add(CallCounts(calls: -1, outgoing: -1, answered: -1, talkSeconds: -60), for: day)
            buffer.add(CallCounts(calls: 1, outgoing: 1, answered: 1, talkSeconds: 60), for: CallDay(managerId: "m3", day: "2026-11-21"))
            buffer.endEvent()
            try buffer.flush(db)
        }
        let (days, months) = try pool.read { db in
            (try Row.fetchAll(db, sql: "SELECT metric, managerId, day, value FROM agg ORDER BY managerId, metric").map {
                "\($0["metric"] as String) \($0["managerId"] as String) \($0["day"] as String) \($0["value"] as Int64)"
            }, try Row.fetchAll(db, sql: "SELECT metric, managerId, month, value FROM agg_month ORDER BY managerId, metric").map {
                "\($0["metric"] as String) \($0["managerId"] as String) \($0["month"] as String) \($0["value"] as Int64)"
            })
        }
        #expect(days == ["calls m1 2026-11-20 6", "calls_incoming m1 2026-11-20 1", "calls_missed m1 2026-11-20 1",
                         "calls m3 2026-11-21 1", "calls_answered m3 2026-11-21 1", "calls_outgoing m3 2026-11-21 1", "talk_seconds m3 2026-11-21 60"])
        #expect(months == ["calls m1 2026-11 6", "calls_incoming m1 2026-11 1", "calls_missed m1 2026-11 1",
                           "calls m3 2026-11 1", "calls_answered m3 2026-11 1", "calls_outgoing m3 2026-11 1", "talk_seconds m3 2026-11 60"])
        #expect(try pool.read { try String.fetchAll($0, sql: "SELECT managerId FROM dirty_manager ORDER BY managerId") } == ["m1", "m3"])
    }
}
