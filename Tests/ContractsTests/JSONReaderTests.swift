@testable import Contracts
import Foundation
import Testing

@Suite("Events that read their own JSON")
struct JSONReaderTests {
    static let call = CallState(
        callId: "1700000000.42", revision: 3, direction: .incoming, from: "+7 (495) 123-45-67", to: "101", extension_: "101",
        managerId: "m-1", clientId: "c-1", dealId: "d-1", startedAt: Date(timeIntervalSince1970: 1_790_000_000.125),
        answeredAt: Date(timeIntervalSince1970: 1_790_000_005.5), endedAt: Date(timeIntervalSince1970: 1_790_000_125),
        durationSeconds: 125, billableSeconds: 120, answered: true, disposition: "ANSWERED",
        recordingURL: "https://pbx.example/rec/42.mp3?a=\"1\"&b=\\2", source: "cdr")
    static let bareCall = CallState(
        callId: "c", revision: 1, direction: .internal, from: "", to: "", extension_: nil, managerId: nil, clientId: nil, dealId: nil,
        startedAt: Date(timeIntervalSince1970: -1.5), answeredAt: nil, endedAt: nil, durationSeconds: 0, billableSeconds: 0,
        answered: false, disposition: "NO ANSWER", recordingURL: nil, source: "api")

    static func envelope<P: EventPayload>(_ payload: P, correlation: String? = "req-1") -> EventEnvelope<P> {
        EventEnvelope(eventId: "e-1", type: P.eventType, schemaVersion: 1, source: EventSource(service: "telephony", instance: "t-1"),
                      stream: "telephony", seq: 9_007_199_254_740_993, occurredAt: Date(timeIntervalSince1970: 1_790_000_000.999),
                      correlationId: correlation, payload: payload)
    }

    /// Reads `bytes` both ways and expects the same envelope; `read` must not have fallen back.
    func expectSame<P: EventPayload & Equatable>(_ type: P.Type, _ bytes: Data) throws {
        let foundation = try EventCodec.makeDecoder().decode(EventEnvelope<P>.self, from: bytes)
        let read = try EventCodec.read(P.self as! any JSONReadable.Type, as: P.self, from: bytes)
        #expect(read == foundation)
    }

    @Test("every payload that reads itself reads what Foundation's decoder reads", arguments: [true, false])
    func sameAsFoundation(full: Bool) throws {
        let call = full ? Self.call : Self.bareCall
        let deal = full ? DealEventsJSONTests.full : DealEventsJSONTests.bare
        let author: String? = full ? "anna" : nil
        let correlation: String? = full ? "req-\"1\"" : nil
        func check<P: EventPayload & Equatable>(_ payload: P) throws {
            try expectSame(P.self, try EventCodec.encode(Self.envelope(payload, correlation: correlation)))
        }
        try check(CallRecorded(call: call))
        try check(CallUpdated(call: call, changedFields: full ? ["recordingURL", "endedAt"] : []))
        try check(DealCreated(deal: deal, authorId: author))
        try check(DealStageChanged(deal: deal, fromStageId: "new", toStageId: "qualified", authorId: author))
        try check(DealWon(deal: deal, fromStageId: "contract", authorId: author))
        try check(DealLost(deal: deal, fromStageId: "proposal", reason: "цена", authorId: author))
        try check(DealReopened(deal: deal, previousStatus: .lost, authorId: author))
        try check(DealFlaggedProblem(deal: deal, problem: full, comment: full ? "ждёт" : nil, authorId: author))
        try check(DealReassigned(deal: deal, fromManagerId: "m1", toManagerId: "m2", authorId: author))
        try check(DealAmountChanged(deal: deal, from: Money(kopecks: 1), to: Money(kopecks: -2, currency: "USD"), authorId: author))
        try check(DealUpdated(deal: deal, changedFields: ["title"], authorId: author))
    }

    @Test("the golden call reads as the decoder reads it")
    func golden() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: GoldenTests.folder).appendingPathComponent("call.recorded.json"))
        try expectSame(CallRecorded.self, bytes)
        #expect(try EventCodec.decode(CallRecorded.self, from: bytes).payload.call.recordingURL == "https://pbx.example/rec/42.mp3")
    }

    @Test("JSON written otherwise than Pacer writes it: spaces, any key order, escapes, unknown members, null and missing optionals")
    func otherShapes() throws {
        let bytes = Data("""
             { "type" : "call.recorded", "future": {"a": [1, -2.5e+3, 0, true, false, null, "x\\"y", {}, []]},
              "payload": {"extra": 1E2, "call": {
                "to": "\\u0031\\u00301", "from": "\\/\\ud83d\\ude00\\n\\t\\b\\f\\r\\\\", "source": "cdr", "revision": -0,
                "direction": "outgoing", "startedAt": "2026-11-18T14:06:40.5+03:00", "durationSeconds": 9223372036854775807,
                "billableSeconds": 0, "answered": false, "disposition": "BUSY", "callId": "Звонок",
                "managerId": null, "recordingURL": null }},
              "seq": -9223372036854775808, "schemaVersion": 2, "occurredAt": "2026-11-18T11:06:40Z",
              "source": {"service": "telephony", "instance": "t", "zone": "x"}, "stream": "telephony", "eventId": "e", "correlationId": null }\r\n
            """.utf8)
        try expectSame(CallRecorded.self, bytes)
        let call = try EventCodec.decode(CallRecorded.self, from: bytes).payload.call
        #expect(call.to == "101")
        #expect(call.from == "/😀\n\t\u{8}\u{c}\r\\")
        #expect(call.startedAt == Timestamp.parse("2026-11-18T11:06:40.500Z"))
        #expect(call.durationSeconds == Int.max)
        #expect(call.extension_ == nil && call.clientId == nil && call.dealId == nil && call.answeredAt == nil)
    }

    /// The reader refuses these; `decode` then answers as Foundation does — a value or its error.
    @Test("what the reader is not sure of goes to Foundation", arguments: [
        #"{"call":{"callId":"a","callId":"b","#,                          // a key twice
        #"{"call":{"revision":1.0,"#,                                       // an integer with a fraction
        #"{"call":{"revision":1e0,"#,                                       // or an exponent
        #"{"call":{"revision":01,"#,                                        // a leading zero
        #"{"call":{"revision":99999999999999999999,"#,                      // too big
        #"{"call":{"c\u0061llId":"a","#,                                    // an escaped key
        #"{"call":{"direction":"sideways","#,                               // an unknown direction
        #"{"call":{"startedAt":"yesterday","#,                              // not an instant
        #"{"call":{"from":"\ud800","#,                                      // a lone surrogate
        #"{"call":{"from":"\x","#,                                          // an unknown escape
        #"{"call":{"answered":"yes","#,                                     // a string for a Bool
        "",                                                                 // required members missing
    ])
    func fallsBack(head: String) throws {
        let complete = try String(decoding: EventCodec.encode(Self.envelope(CallRecorded(call: Self.call))), as: UTF8.self)
        // The head goes before the call's members, as written; an empty head leaves only a callId.
        let parts = complete.components(separatedBy: #""payload":{"call":{"#)
        let afterCall = parts[1].range(of: "}},")!.upperBound
        let text = head.isEmpty ? parts[0] + #""payload":{"call":{"callId":"x"}},"# + parts[1][afterCall...]
                                : parts[0] + #""payload":"# + head + parts[1]
        let bytes = Data(text.utf8)
        #expect(throws: JSONReader.Unreadable.self) { try EventCodec.read(CallRecorded.self, as: CallRecorded.self, from: bytes) }
        let foundation = Result { try EventCodec.makeDecoder().decode(EventEnvelope<CallRecorded>.self, from: bytes).payload }
        let decoded = Result { try EventCodec.decode(CallRecorded.self, from: bytes).payload }
        switch (foundation, decoded) {
        case let (.success(a), .success(b)): #expect(a == b)
        case let (.failure(a), .failure(b)): #expect(String(describing: a) == String(describing: b))
        default: Issue.record("Foundation: \(foundation), decode: \(decoded)")
        }
    }

    @Test("a member nested 100,000 deep is refused, not recursed into; 500 deep is read past")
    func deepNesting() throws {
        let complete = String(decoding: try EventCodec.encode(Self.envelope(CallRecorded(call: Self.call))), as: UTF8.self)
        func nested(_ depth: Int) -> Data {
            Data(("{\"deep\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "," + complete.dropFirst()).utf8)
        }
        #expect(throws: JSONReader.Unreadable.self) { try EventCodec.read(CallRecorded.self, as: CallRecorded.self, from: nested(100_000)) }
        // Foundation refuses it too (its limit is 512), with its own error.
        #expect(throws: (any Error).self) { try EventCodec.decode(CallRecorded.self, from: nested(100_000)) }
        try expectSame(CallRecorded.self, nested(500))
    }

    @Test("bytes that are not JSON fail both ways", arguments: [
        "", "{", #"{"payload":{"call":"#, "[]", "null", #"{"eventId":"e"} x"#, "{\"eventId\":\"a\u{1}\"}",
    ])
    func notJSON(text: String) {
        #expect(throws: JSONReader.Unreadable.self) { try EventCodec.read(CallRecorded.self, as: CallRecorded.self, from: Data(text.utf8)) }
        #expect(throws: (any Error).self) { try EventCodec.decode(CallRecorded.self, from: Data(text.utf8)) }
    }

    @Test("the reader refuses invalid UTF-8 in a string it reads, one it skips and a key (then Foundation answers); valid UTF-8 it skips")
    func invalidUTF8() throws {
        let complete = try EventCodec.encode(Self.envelope(CallRecorded(call: Self.call)))
        var bytes = complete
        bytes[bytes.firstRange(of: Data("cdr".utf8))!.lowerBound] = 0xC3
        #expect(throws: JSONReader.Unreadable.self) { try EventCodec.read(CallRecorded.self, as: CallRecorded.self, from: bytes) }
        #expect(throws: (any Error).self) { try EventCodec.decode(CallRecorded.self, from: bytes) }
        let text = String(decoding: complete, as: UTF8.self)
        func with(_ member: [UInt8]) -> Data { Data(Array("{".utf8) + member + Array(",".utf8) + Array(text.utf8.dropFirst())) }
        for broken in [Array(#""note":"ok "#.utf8) + [0xFF] + Array(#"""#.utf8), Array(#""k"#.utf8) + [0xC3, 0x28] + Array(#"":1"#.utf8)] {
            #expect(throws: JSONReader.Unreadable.self) { try EventCodec.read(CallRecorded.self, as: CallRecorded.self, from: with(broken)) }
            // Foundation lets bad bytes pass where it reads nothing; `decode` answers as it does.
            let foundation = try? EventCodec.makeDecoder().decode(EventEnvelope<CallRecorded>.self, from: with(broken)).payload
            let decoded = try? EventCodec.decode(CallRecorded.self, from: with(broken)).payload
            #expect(decoded == foundation)
        }
        try expectSame(CallRecorded.self, with(Array(#""заметка":"звонок клиенту ☎","ключ":["ё"]"#.utf8)))
    }
}
