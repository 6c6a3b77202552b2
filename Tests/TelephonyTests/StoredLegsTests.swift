import Foundation
import GRDB
import Storage
@testable import Telephony
import Testing
import TestSupport

@Suite("A call's CDR legs kept in its row")
struct StoredLegsTests {
    static func row(line: Int, src: String = "101", dst: String = "+74951234567", channel: String = "SIP/101-0001",
                    start: Double = 1_763_629_200, answer: Double? = 1_763_629_205.5, end: Double? = 1_763_629_265,
                    disposition: String = "ANSWERED", recording: String? = nil) -> CDRRow {
        CDRRow(line: line, clid: "", src: src, dst: dst, dcontext: "", channel: channel, dstchannel: "SIP/trunk-\"q\"", lastapp: "",
               start: Date(timeIntervalSince1970: start), answer: answer.map(Date.init(timeIntervalSince1970:)),
               end: end.map(Date.init(timeIntervalSince1970:)), duration: 65, billsec: 60, disposition: disposition, accountcode: "",
               uniqueid: nil, userfield: nil, linkedid: nil, recordingFile: recording)
    }

    @Test("legs read back exactly as written: text with quotes and Cyrillic, fractional and missing instants, no recording")
    func roundTrip() throws {
        let legs = StoredLegs([
            .init(id: "1.1|SIP/101-0001|SIP/trunk|1763629200|+7495", row: Self.row(line: 7, src: "Офис \\ 101", recording: "rec/1.wav")),
            .init(id: "1.1|SIP/102-0002|x|1763629200|102", row: Self.row(line: 8, answer: nil, end: nil, disposition: "NO ANSWER")),
        ])
        let json = legs.json
        #expect(String(decoding: json, as: UTF8.self).hasPrefix("[[\"1.1|SIP/101-0001|SIP/trunk|1763629200|+7495\",7,\"Офис \\\\ 101\","))
        #expect(try StoredLegs(json: json) == legs)
        #expect(try StoredLegs(json: StoredLegs().json) == StoredLegs())
        #expect(throws: StoredLegs.Malformed.self) { try StoredLegs(json: Data("[[1,2]]".utf8)) }
    }

    @Test("a database with a table of legs moves each call's legs into its row, and the table goes")
    func migration() throws {
        let dir = try TemporaryDirectory("legs")
        defer { dir.remove() }
        let queue = try DatabaseQueue(path: dir.file("t.sqlite"))
        var migrator = DatabaseMigrator()
        TelephonySchema.migrations(&migrator)
        try migrator.migrate(queue, upTo: "telephony.v1")
        try queue.write { db in
            for (id, legs) in [("c1", 2), ("c2", 1), ("c3", 0)] {
                try db.execute(sql: """
                    INSERT INTO call(callId, revision, direction, fromNumber, toNumber, durationSeconds, billableSeconds, answered,
                        disposition, source, startedAt, updatedAt) VALUES (?, 1, 'outgoing', '101', '+74951234567', 65, 60, 1, 'ANSWERED', 'cdr', 0, 0)
                    """, arguments: [id])
                for n in 0..<legs {
                    try db.execute(sql: """
                        INSERT INTO call_leg(callId, legId, src, dst, channel, dstchannel, startedAt, answeredAt, endedAt, duration, billsec,
                            disposition, recordingFile, line) VALUES (?, ?, '101', '+74951234567', ?, 'SIP/trunk-"q"', 1763629200, ?, 1763629265, 65, 60, ?, NULL, ?)
                        """, arguments: [id, "\(id)-leg\(n)", "SIP/10\(n)-0001", n == 0 ? 1_763_629_205.5 : nil, n == 0 ? "ANSWERED" : "NO ANSWER", 10 - n])
                }
            }
        }
        try migrator.migrate(queue)
        try queue.read { db in
            #expect(try db.tableExists("call_leg") == false)
            let c1 = try StoredLegs(json: try #require(try Data.fetchOne(db, sql: "SELECT legs FROM call WHERE callId = 'c1'")))
            // In file order (by line), each with its id and every column it had.
            #expect(c1 == StoredLegs([
                .init(id: "c1-leg1", row: Self.row(line: 9, channel: "SIP/101-0001", answer: nil, disposition: "NO ANSWER")),
                .init(id: "c1-leg0", row: Self.row(line: 10, channel: "SIP/100-0001")),
            ]))
            let c2 = try StoredLegs(json: try #require(try Data.fetchOne(db, sql: "SELECT legs FROM call WHERE callId = 'c2'")))
            #expect(c2.legs.map(\.id) == ["c2-leg0"])
            #expect(try Data.fetchOne(db, sql: "SELECT legs FROM call WHERE callId = 'c3'") == nil)
        }
    }

    @Test("a batch groups rows into calls by key; the same line twice is one leg; the call is drafted from its legs")
    func prepare() throws {
        var a = Self.row(line: 1, channel: "SIP/101-0001", answer: nil, end: 1_763_629_220, disposition: "NO ANSWER")
        a.linkedid = "call-1"
        var b = Self.row(line: 2, channel: "SIP/102-0002", start: 1_763_629_201)
        b.linkedid = "call-1"
        var c = Self.row(line: 4, channel: "SIP/103-0003", start: 1_763_629_300)
        c.linkedid = "call-2"
        var again = a
        again.line = 3
        let calls = CDRImporter.prepare([a, b, again, c])
        #expect(calls.map(\.key) == ["call-1", "call-2"])
        #expect(calls[0].legs.legs.map(\.row.line) == [1, 2])
        #expect(calls[0].legs.legs.map(\.id) == [StoredLegs.legId(a), StoredLegs.legId(b)])
        // Stored are the columns merging reads; the linkedid is the call's key, kept in its row.
        var stored = calls[0].legs
        for index in stored.legs.indices { stored.legs[index].row.linkedid = nil }
        #expect(try StoredLegs(json: calls[0].legsJSON) == stored)
        #expect(calls[0].draft.extension_ == "102")
        #expect(calls[0].draft.answeredAt == Date(timeIntervalSince1970: 1_763_629_205.5))
        #expect(calls[1].legs.legs.count == 1)
    }
}
