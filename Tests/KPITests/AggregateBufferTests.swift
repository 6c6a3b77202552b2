import Contracts
import Foundation
import GRDB
@testable import KPI
import Messaging
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

    @Test("clients' last touches wait for the batch's end and come out as if each event had been applied alone: a touch before the client existed counts for nothing")
    func touches() throws {
        let zone = TimeZone(identifier: "Europe/Moscow")!
        var seq: Int64 = 0
        func event<P: EventPayload>(_ payload: P, at seconds: Double) throws -> ReceivedEvent {
            seq += 1
            return try .encoded(payload, seq: seq, at: Date(timeIntervalSince1970: seconds))
        }
        func client(_ id: String, at seconds: Double) throws -> ReceivedEvent {
            try event(ClientUpserted(clientId: id, kind: "company", name: id, inn: nil, kpp: nil, phones: [], emails: [], managerId: "m1",
                                     segment: nil, region: nil, source: nil), at: seconds)
        }
        func call(_ id: String, client: String, at seconds: Double) throws -> ReceivedEvent {
            try event(CallRecorded(call: CallState(callId: id, revision: 1, direction: .outgoing, from: "101", to: "+7495", extension_: "101",
                                                   managerId: "m1", clientId: client, dealId: nil, startedAt: Date(timeIntervalSince1970: seconds),
                                                   answeredAt: nil, endedAt: nil, durationSeconds: 1, billableSeconds: 0, answered: false,
                                                   disposition: "NO ANSWER", recordingURL: nil, source: "cdr")), at: seconds)
        }
        // c1 known from the start; c2 called before it existed, then created, then called; c3 only called (never created).
        let events = [try client("c1", at: 1_000), try call("k1", client: "c1", at: 5_000), try call("k2", client: "c1", at: 3_000),
                      try call("k3", client: "c2", at: 9_000), try client("c2", at: 2_000), try call("k4", client: "c2", at: 4_000),
                      try call("k5", client: "c3", at: 7_000), try call("k6", client: "c1", at: 500)]
        func run(batches: [[ReceivedEvent]]) throws -> [String] {
            let dir = try TemporaryDirectory("touches")
            defer { dir.remove() }
            let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
            let projection = Projection(zone: zone)
            for batch in batches {
                try projection.applyBatch(batch, to: pool)
            }
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, lastTouchAt FROM fact_client ORDER BY id").map { "\($0["id"] as String) \($0["lastTouchAt"] as Double)" }
            }
        }
        let alone = try run(batches: events.map { [$0] })
        #expect(alone == ["c1 5000.0", "c2 4000.0"])
        #expect(try run(batches: [events]) == alone)
        #expect(try run(batches: [Array(events[..<4]), Array(events[4...])]) == alone)
    }
}
