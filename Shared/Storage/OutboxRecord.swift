import Foundation

/// One stored outbox row: the envelope bytes exactly as they go on the wire.
public struct OutboxRecord: Sendable, Equatable {
    public var stream: String
    public var seq: Int64
    public var eventId: String
    public var type: String
    public var createdAt: Double
    public var body: Data

    public init(stream: String, seq: Int64, eventId: String, type: String, createdAt: Double, body: Data) {
        self.stream = stream; self.seq = seq; self.eventId = eventId; self.type = type
        self.createdAt = createdAt; self.body = body
    }
}
