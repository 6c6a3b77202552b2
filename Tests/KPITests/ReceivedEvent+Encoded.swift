import Contracts
import Foundation
import Messaging

extension ReceivedEvent {
    /// `payload` in its envelope, as a subscriber receives it: number `seq` of `stream` from
    /// `publisher`, event id `e<seq>`.
    static func encoded<P: EventPayload>(_ payload: P, seq: Int64, at occurredAt: Date, publisher: String = "t",
                                         stream: String = "s") throws -> ReceivedEvent {
        let body = try EventCodec.encode(EventEnvelope(eventId: "e\(seq)", type: P.eventType, schemaVersion: 1,
                                                       source: EventSource(service: publisher, instance: "t"), stream: stream, seq: seq,
                                                       occurredAt: occurredAt, correlationId: nil, payload: payload))
        return ReceivedEvent(header: WireHeader(publisher: publisher, epoch: "e", stream: stream, seq: seq, eventId: "e\(seq)",
                                                type: P.eventType.rawValue), body: body, replayed: false)
    }
}
