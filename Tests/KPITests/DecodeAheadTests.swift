import Contracts
import Foundation
import GRDB
@testable import KPI
import Messaging
import Storage
import Testing
import TestSupport

@Suite("KPI events decoded ahead of the writer")
struct DecodeAheadTests {
    let zone = TimeZone(identifier: "Europe/Moscow")!

    func call(_ n: Int, manager: String = "m1", talk: Int = 30) throws -> ReceivedEvent {
        try .encoded(CallRecorded(call: CallState(callId: "k\(n)", revision: 1, direction: .outgoing, from: "101", to: "+74951234567",
                                                  extension_: "101", managerId: manager, clientId: nil, dealId: nil,
                                                  startedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(n)), answeredAt: nil, endedAt: nil,
                                                  durationSeconds: talk + 5, billableSeconds: talk, answered: talk > 0,
                                                  disposition: talk > 0 ? "ANSWERED" : "NO ANSWER", recordingURL: nil, source: "cdr")),
                     seq: Int64(n), at: Date(timeIntervalSince1970: 1_790_000_000), publisher: "telephony", stream: "telephony")
    }

    @Test("announced events are handed over decoded, in any order taken; others, short batches and a reset batch are the writer's to decode")
    func handover() throws {
        let ahead = DecodeAhead(router: Projection(zone: zone).router)
        let events = try (1...1_000).map { try call($0) }
        ahead.submit(events)
        // Taken out of order and with gaps, as a subscriber skipping duplicates would.
        for n in [1, 2, 500, 3, 999, 1_000] {
            let taken = ahead.take(events[n - 1])
            #expect(try taken?.get() != nil, "event \(n)")
        }
        #expect(ahead.take(events[0]) == nil, "taken twice")
        #expect(ahead.take(try call(5_000)) == nil, "never announced")
        // A body that is not the payload: its failure is handed over, not thrown at the decoder.
        var broken = events
        broken[9] = ReceivedEvent(header: events[9].header, body: Data("{}".utf8), replayed: false)
        ahead.submit(broken)
        #expect(ahead.take(events[8]).map { (try? $0.get()) != nil } == true)
        #expect(ahead.take(events[9]).map { (try? $0.get()) == nil } == true)
        ahead.reset()
        #expect(ahead.take(events[10]) == nil)
        // A live event or two: decoded by the writer.
        ahead.submit(Array(events.prefix(DecodeAhead.minimumBatch - 1)))
        #expect(ahead.take(events[0]) == nil)
    }

    @Test("a projection told of events it skips or never meets gives the same figures as one told nothing")
    func sameFigures() throws {
        let events = try (1...3_000).map { try call($0, manager: "m\($0 % 7)", talk: $0 % 4 == 0 ? 0 : $0 % 300) }
        func figures(announce: Bool) throws -> [String] {
            let dir = try TemporaryDirectory("decode-ahead")
            defer { dir.remove() }
            let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
            let projection = Projection(zone: zone)
            for batch in stride(from: 0, to: events.count, by: 1_000).map({ Array(events[$0..<$0 + 1_000]) }) {
                try pool.write { db in
                    // Announced with strangers and told twice, then applied skipping every tenth.
                    if announce { projection.willApply(try [call(90_000)] + batch + batch.prefix(5)) }
                    for (index, event) in batch.enumerated() where index % 10 != 3 { try projection.apply(event, in: db) }
                    try projection.finishBatch(in: db)
                }
            }
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT metric, managerId, day, value FROM agg ORDER BY metric, managerId, day")
                    .map { "\($0["metric"] as String) \($0["managerId"] as String) \($0["day"] as String) \($0["value"] as Int64)" }
                    + [try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fact_call") ?? 0].map(String.init)
            }
        }
        let told = try figures(announce: true)
        #expect(told == (try figures(announce: false)))
        #expect(told.last == "2700")
        // Seven managers on one day, outgoing calls: calls, outgoing, answered, missed, talk time.
        #expect(told.count == 5 * 7 + 1)
    }
}
