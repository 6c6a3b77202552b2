import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("Envelopes written ahead of their transaction")
struct PreparedEnvelopeTests {
    static let source = EventSource(service: "test", instance: "t")

    static func payload(_ kopecks: Int64) throws -> Data {
        try EventCodec.encodePayload(CounterIncremented(counter: "c", amount: Money(kopecks: kopecks), note: "ООО \"Ромашка\""))
    }

    @Test("an envelope written for the stream's next number is stored byte for byte as appending it then would have")
    func sameBytes() throws {
        let dir = try TemporaryDirectory("prepared-envelope")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"))
        let outbox = OutboxStore(source: Self.source)
        let at = Date(timeIntervalSince1970: 1_796_630_400.5)
        let (ahead, direct) = try db.write { db -> (Data, Data) in
            let next = try outbox.nextSeq(stream: "bench", db)
            #expect(next == 1)
            let envelope = outbox.envelope(payload: try Self.payload(100), type: CounterIncremented.eventType,
                                           schemaVersion: CounterIncremented.schemaVersion, stream: "bench", seq: next,
                                           occurredAt: at, correlationId: "import:x", eventId: "e-1")
            #expect(try outbox.append(envelope, in: db) == 1)
            #expect(try outbox.appendEncoded(payload: try Self.payload(100), type: CounterIncremented.eventType,
                                             schemaVersion: CounterIncremented.schemaVersion, stream: "other", occurredAt: at,
                                             correlationId: "import:x", eventId: "e-1", in: db) == 1)
            let bodies = try Data.fetchAll(db, sql: "SELECT body FROM outbox ORDER BY stream")
            return (bodies[0], bodies[1])
        }
        let header = try EventCodec.decodeHeader(from: ahead)
        #expect(header.seq == 1 && header.eventId == "e-1" && header.stream == "bench" && header.correlationId == "import:x")
        // The two differ only in their stream's name.
        #expect(String(decoding: ahead, as: UTF8.self) == String(decoding: direct, as: UTF8.self).replacingOccurrences(of: "\"other\"", with: "\"bench\""))
    }

    @Test("an envelope whose number another event took meanwhile is written again for the next one: no gap, no duplicate")
    func renumbered() throws {
        let dir = try TemporaryDirectory("prepared-envelope-moved")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"))
        let outbox = OutboxStore(source: Self.source)
        try db.write { db in
            let envelope = outbox.envelope(payload: try Self.payload(7), type: CounterIncremented.eventType,
                                           schemaVersion: CounterIncremented.schemaVersion, stream: "bench",
                                           seq: try outbox.nextSeq(stream: "bench", db), eventId: "e-late")
            try outbox.append(CounterIncremented(counter: "c", amount: Money(kopecks: 1), note: ""), stream: "bench", eventId: "e-first", in: db)
            #expect(try outbox.append(envelope, in: db) == 2)
        }
        let rows = try db.read { db in try Row.fetchAll(db, sql: "SELECT seq, event_id, body FROM outbox WHERE stream = 'bench' ORDER BY seq") }
        #expect(rows.map { "\($0["seq"] as Int64) \($0["event_id"] as String)" } == ["1 e-first", "2 e-late"])
        let header = try EventCodec.decodeHeader(from: rows[1]["body"] as Data)
        #expect(header.seq == 2 && header.eventId == "e-late")
        #expect(try EventCodec.decode(CounterIncremented.self, from: rows[1]["body"] as Data).payload.amount.kopecks == 7)
    }
}
