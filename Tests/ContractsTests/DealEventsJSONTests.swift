import Contracts
import Foundation
import Testing

@Suite("Deal events that write their own JSON")
struct DealEventsJSONTests {
    static let full = DealState(
        dealId: "d-1", title: "Поставка \"Ромашке\"\n\\ 50/50\t\u{1}", clientId: "c-1", managerId: "m1",
        amount: Money(kopecks: -1_234_567_89, currency: "RUB"), category: "оборудование", region: "Москва", segment: "B2B",
        source: "сайт", pipelineId: "sales", stageId: "proposal", department: "legal", probability: 40, status: .lost,
        isRepeatSale: true, problem: true, lossReason: "price", expectedCloseDate: "2026-12-31",
        createdAt: Date(timeIntervalSince1970: 1_790_000_000.5), closedAt: Date(timeIntervalSince1970: 1_790_086_400.25), version: 12)
    static let bare = DealState(
        dealId: "d-2", title: "", clientId: "c-2", managerId: "m2", amount: Money(kopecks: 0), category: nil, region: nil,
        segment: nil, source: nil, pipelineId: "sales", stageId: "new", department: "sales", probability: 0, status: .open,
        isRepeatSale: false, problem: false, lossReason: nil, expectedCloseDate: nil,
        createdAt: Date(timeIntervalSince1970: 0), closedAt: nil, version: 1)

    func expectEncoderBytes<P: EventPayload & Equatable>(_ payload: P) throws {
        let written = try EventCodec.encodePayload(payload)
        let encoded = try EventCodec.makeEncoder().encode(payload)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        // And it decodes back to the same event.
        #expect(try EventCodec.makeDecoder().decode(P.self, from: written) == payload)
    }

    @Test("created, stage changed, won and lost are the encoder's bytes, with and without optional fields", arguments: [full, bare])
    func sameBytes(deal: DealState) throws {
        for author in [nil, "anna"] as [String?] {
            try expectEncoderBytes(DealCreated(deal: deal, authorId: author))
            try expectEncoderBytes(DealStageChanged(deal: deal, fromStageId: "new", toStageId: "qualified", authorId: author))
            try expectEncoderBytes(DealWon(deal: deal, fromStageId: "contract", authorId: author))
            try expectEncoderBytes(DealLost(deal: deal, fromStageId: "proposal", reason: "цена \"высокая\"", authorId: author))
        }
    }

    @Test("the stage change is written exactly so")
    func exactBytes() throws {
        let written = try EventCodec.encodePayload(DealStageChanged(deal: Self.bare, fromStageId: "new", toStageId: "qualified", authorId: nil))
        #expect(String(decoding: written, as: UTF8.self) == """
            {"deal":{"amount":{"currency":"RUB","kopecks":0},"clientId":"c-2","createdAt":"1970-01-01T00:00:00.000Z","dealId":"d-2",\
            "department":"sales","isRepeatSale":false,"managerId":"m2","pipelineId":"sales","probability":0,"problem":false,\
            "stageId":"new","status":"open","title":"","version":1},"fromStageId":"new","toStageId":"qualified"}
            """)
    }
}

@Suite("A deal written as an HTTP answer")
struct DealAnswerJSONTests {
    @Test("with instants in whole seconds, it is the bytes of the API's encoder", arguments: [DealEventsJSONTests.full, DealEventsJSONTests.bare])
    func sameBytes(deal: DealState) throws {
        var json = JSONWriter(instants: .seconds)
        deal.writeJSON(&json)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        #expect(String(decoding: json.bytes, as: UTF8.self) == String(decoding: try encoder.encode(deal), as: UTF8.self))
    }
}
