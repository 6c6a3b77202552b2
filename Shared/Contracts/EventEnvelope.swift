import Foundation

/// Who published an event: the service and the running instance (two telephony ingesters are two
/// instances of one service, each with its own sequence).
public struct EventSource: Codable, Hashable, Sendable {
    public var service: String
    public var instance: String
    public init(service: String, instance: String) {
        self.service = service
        self.instance = instance
    }
}

/// The envelope every event travels in: the JSON body frame on the bus (see docs/events.md).
public struct EventEnvelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var eventId: String
    public var type: EventType
    public var schemaVersion: Int
    public var source: EventSource
    public var stream: String
    public var seq: Int64
    /// When the fact happened, UTC, ISO-8601 with milliseconds on the wire.
    public var occurredAt: Date
    /// Ties events caused by one input together (an HTTP request id, an import file).
    public var correlationId: String?
    public var payload: Payload

    public init(
        eventId: String, type: EventType, schemaVersion: Int, source: EventSource, stream: String,
        seq: Int64, occurredAt: Date, correlationId: String?, payload: Payload
    ) {
        self.eventId = eventId
        self.type = type
        self.schemaVersion = schemaVersion
        self.source = source
        self.stream = stream
        self.seq = seq
        self.occurredAt = occurredAt
        self.correlationId = correlationId
        self.payload = payload
    }
}

/// Two envelopes are equal when every field is, the payload included.
extension EventEnvelope: Equatable where Payload: Equatable {}

/// The envelope's header fields without the payload: what a consumer reads first to decide
/// whether it knows the type.
public struct EnvelopeHeader: Codable, Hashable, Sendable {
    public var eventId: String
    public var type: EventType
    public var schemaVersion: Int
    public var source: EventSource
    public var stream: String
    public var seq: Int64
    public var occurredAt: Date
    public var correlationId: String?
}
