/// One publisher instance a subscriber listens to: its PUB endpoint and its replay endpoint.
/// Two instances of one service (two telephony ingesters) are two sources.
public struct BusSource: Sendable, Hashable, CustomStringConvertible {
    public var publishEndpoint: String
    public var replayEndpoint: String

    public init(publishEndpoint: String, replayEndpoint: String) {
        self.publishEndpoint = publishEndpoint
        self.replayEndpoint = replayEndpoint
    }

    /// Parses `tcp://host:5551,tcp://host:5552` (publish, then replay).
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts.allSatisfy({ $0.contains("://") }) else { return nil }
        self.init(publishEndpoint: parts[0], replayEndpoint: parts[1])
    }

    public var description: String { "\(publishEndpoint),\(replayEndpoint)" }
}

import Foundation
