import Contracts
import Foundation
import Testing

/// Golden files pin the wire format: a change to a payload's JSON shows up as a failing diff here
/// and must be deliberate (and documented in docs/events.md). Regenerate with PACER_UPDATE_GOLDEN=1.
@Suite("Event wire format (golden files)")
struct GoldenTests {
    static let at = Date(timeIntervalSince1970: 1_795_000_000.123)   // 2026-11-18T11:06:40.123Z
    static let source = EventSource(service: "deals", instance: "deals-1")

    static func envelope<P: EventPayload>(_ payload: P, stream: String, seq: Int64 = 42) -> EventEnvelope<P> {
        EventEnvelope(eventId: "8f14e45f-ceea-467f-a8a5-9d2d9c3b1a01", type: P.eventType, schemaVersion: P.schemaVersion,
                      source: source, stream: stream, seq: seq, occurredAt: at, correlationId: "req-7", payload: payload)
    }

    static let dealState = DealState(
        dealId: "d-1", title: "Поставка", clientId: "c-1", managerId: "m-1", amount: Money(kopecks: 12_345_050), category: "equipment",
        region: "Москва", segment: "smb", source: "website", pipelineId: "sales", stageId: "won", department: "sales", probability: 100,
        status: .won, isRepeatSale: false, problem: false, lossReason: nil, expectedCloseDate: "2026-12-15", createdAt: at,
        closedAt: at.addingTimeInterval(3600), version: 7)

    static let lostState: DealState = {
        var deal = dealState
        deal.stageId = "lost"
        deal.status = .lost
        deal.probability = 0
        deal.department = "sales"
        deal.lossReason = "price"
        return deal
    }()

    static let samples: [(String, Data)] = {
        let rub = Money(kopecks: 12_345_050)
        return try! [
            ("manager.upserted", EventCodec.encode(envelope(ManagerUpserted(
                managerId: "m-1", name: "Анна Петрова", teamId: "t-1", role: "manager", extensions: ["101"],
                phones: ["+79161234567"], email: "anna@example.ru", telegramChatId: "123456", active: true), stream: "deals"))),
            ("client.upserted", EventCodec.encode(envelope(ClientUpserted(
                clientId: "c-1", kind: "company", name: "ООО «Ромашка»", inn: "7719617469", kpp: "771901001", phones: ["+74951234567"],
                emails: ["info@romashka.ru"], managerId: "m-1", segment: "smb", region: "Москва", source: "website"), stream: "deals"))),
            ("deal.won", EventCodec.encode(envelope(DealWon(deal: dealState, fromStageId: "contract", authorId: "m-1"), stream: "deals"))),
            ("deal.lost", EventCodec.encode(envelope(DealLost(deal: lostState, fromStageId: "proposal", reason: "price", authorId: "m-1"), stream: "deals"))),
            ("call.recorded", EventCodec.encode(envelope(CallRecorded(call: CallState(
                callId: "1700000000.42", revision: 1, direction: .outgoing, from: "101", to: "+74951234567", extension_: "101",
                managerId: "m-1", clientId: "c-1", dealId: "d-1", startedAt: at, answeredAt: at.addingTimeInterval(5),
                endedAt: at.addingTimeInterval(125), durationSeconds: 125, billableSeconds: 120, answered: true, disposition: "ANSWERED",
                recordingURL: "https://pbx.example/rec/42.mp3", source: "cdr")), stream: "telephony"))),
            ("payment.received", EventCodec.encode(envelope(PaymentReceived(payment: PaymentState(
                paymentId: "p-1", number: "117", documentDate: "2026-11-17", receivedOn: "2026-11-18", amount: rub,
                payerName: "ООО «Ромашка»", payerInn: "7719617469", payerAccount: "40702810900000000117",
                purpose: "Оплата по счету № 15 от 10.11.2026", clientId: "c-1", dealId: "d-1", managerId: "m-1",
                allocations: [Allocation(invoiceId: "i-15", dealId: "d-1", amount: rub)], unallocated: Money(kopecks: 0),
                matchedBy: "invoice-number", revision: 1)), stream: "accounting"))),
            ("plan.pace_changed", EventCodec.encode(envelope(PlanPaceChanged(
                planId: "plan-1", managerId: "m-1", metric: "won_amount", period: "2026-11", target: 500_000_000, fact: 123_450_50,
                expectedByNow: 300_000_000, status: .behind), stream: "kpi"))),
            ("notification.sent", EventCodec.encode(envelope(NotificationSent(
                notificationId: "n-1", idempotencyKey: "deal.lost:d-1:m-1", channel: "telegram", recipient: "123456", attempts: 1), stream: "notifications"))),
        ]
    }()

    static var folder: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path }

    @Test("encoded envelopes equal the golden files byte for byte", arguments: samples.map(\.0))
    func golden(name: String) throws {
        let bytes = Self.samples.first { $0.0 == name }!.1
        let path = "\(Self.folder)/\(name).json"
        if ProcessInfo.processInfo.environment["PACER_UPDATE_GOLDEN"] != nil {
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        let golden = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: golden, as: UTF8.self).trimmingCharacters(in: .newlines))
    }

    @Test("the outbox's envelope writer produces the codec's bytes")
    func writerMatchesCodec() throws {
        for (_, bytes) in Self.samples {
            let header = try EventCodec.decodeHeader(from: bytes)
            // The payload through the typed codec: Foundation's exact bytes.
            let typed = try Self.reencodePayload(type: header.type, bytes)
            let written = EnvelopeWriter.write(eventId: header.eventId, type: header.type.rawValue, schemaVersion: header.schemaVersion,
                                               source: header.source, stream: header.stream, seq: header.seq,
                                               occurredAt: header.occurredAt, correlationId: header.correlationId, payload: typed)
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: bytes, as: UTF8.self))
        }
    }

    static func reencodePayload(type: EventType, _ bytes: Data) throws -> Data {
        let encoder = EventCodec.makeEncoder()
        switch type {
        case ManagerUpserted.eventType: return try encoder.encode(EventCodec.decode(ManagerUpserted.self, from: bytes).payload)
        case ClientUpserted.eventType: return try encoder.encode(EventCodec.decode(ClientUpserted.self, from: bytes).payload)
        case DealWon.eventType: return try encoder.encode(EventCodec.decode(DealWon.self, from: bytes).payload)
        case DealLost.eventType: return try encoder.encode(EventCodec.decode(DealLost.self, from: bytes).payload)
        case CallRecorded.eventType: return try encoder.encode(EventCodec.decode(CallRecorded.self, from: bytes).payload)
        case PaymentReceived.eventType: return try encoder.encode(EventCodec.decode(PaymentReceived.self, from: bytes).payload)
        case PlanPaceChanged.eventType: return try encoder.encode(EventCodec.decode(PlanPaceChanged.self, from: bytes).payload)
        case NotificationSent.eventType: return try encoder.encode(EventCodec.decode(NotificationSent.self, from: bytes).payload)
        default: throw CocoaError(.coderInvalidValue)
        }
    }

    @Test("consumers tolerate unknown fields and read unknown types' headers")
    func forwardCompatibility() throws {
        let future = """
        {"eventId":"e-9","type":"deal.teleported","schemaVersion":3,"source":{"service":"deals","instance":"deals-1","region":"eu"},
         "stream":"deals","seq":7,"occurredAt":"2026-11-18T11:06:40.123Z","payload":{"dealId":"d-1","warp":9},"newTopLevel":true}
        """
        let header = try EventCodec.decodeHeader(from: Data(future.utf8))
        #expect(header.type == "deal.teleported")
        #expect(header.seq == 7)
        #expect(header.correlationId == nil)
        let withExtra = """
        {"eventId":"e-1","type":"lead.assigned","schemaVersion":1,"source":{"service":"deals","instance":"d"},"stream":"deals","seq":1,
         "occurredAt":"2026-11-18T08:26:40Z","payload":{"leadId":"l-1","managerId":"m-1","rule":"round_robin","severity":"high"}}
        """
        let envelope = try EventCodec.decode(LeadAssigned.self, from: Data(withExtra.utf8))
        #expect(envelope.payload == LeadAssigned(leadId: "l-1", managerId: "m-1", rule: "round_robin"))
    }
}

@Suite("Money and time")
struct MoneyAndTimeTests {
    @Test(arguments: [("700", 70_000), ("700.5", 70_050), ("700.05", 70_005), ("1 234,56", 123_456), ("-12.30", -1_230), ("0.01", 1),
                      ("77,05", 7_705), ("0", 0), (" 15.00 ", 1_500), ("+3", 300), ("9999999999999999", 999_999_999_999_999_900),
                      ("1\u{00A0}000", 100_000)] as [(String, Int64)])
    func parsesKopecks(text: String, kopecks: Int64) {
        #expect(Money.parseKopecks(text) == kopecks)
    }

    @Test(arguments: ["", "1.234", "abc", "1,2,3", ".5", "12.", "1e5", "12,345.00", "1.2.3", "99999999999999999999", "٣٤", "1,", ","])
    func rejectsAmbiguousAmounts(text: String) {
        #expect(Money.parseKopecks(text) == nil)
    }

    @Test func decimalStrings() {
        #expect(Money.decimalString(12_345_050) == "123450.50")
        #expect(Money.decimalString(-5) == "-0.05")
        #expect(Money(kopecks: 100).description == "1.00 RUB")
    }

    @Test func timestamps() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_000_000.123)) == "2026-11-18T11:06:40.123Z")
        #expect(Timestamp.parse("2026-11-18T14:06:40.123+03:00")?.timeIntervalSince1970 == 1_795_000_000.123)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z")?.timeIntervalSince1970 == 1_709_164_800)
        #expect(Timestamp.parse("2026-11-18 08:26:40") == nil)
        #expect(Timestamp.parse("2026-13-01T00:00:00Z") == nil)
    }
}

@Suite("Timestamps at the edges")
struct TimestampEdgeTests {
    @Test("any instant formats as four-digit years, clamped to 0001…9999, without crashing")
    func edges() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1e12)) == "0001-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1e13)) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(Date.distantPast) == "0001-01-01T00:00:00.000Z")
    }
}
