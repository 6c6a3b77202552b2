/// What a subscriber reports for `/health` and tests: readiness, lag and stopped streams.
public struct SubscriberStatus: Sendable, Equatable {
    public struct Stream: Sendable, Equatable, Hashable {
        public var publisher: String
        public var stream: String
        public var applied: Int64
        public var head: Int64
        public var lag: Int64 { max(0, head - applied) }
    }
    public var ready = false
    public var streams: [Stream] = []
    public var alarms: [String] = []
    public var deadLetters = 0
    public var applied = 0
    public init() {}

    public func applied(publisher: String, stream: String) -> Int64 {
        streams.first { $0.publisher == publisher && $0.stream == stream }?.applied ?? 0
    }
}
