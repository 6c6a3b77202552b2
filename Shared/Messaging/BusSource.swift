import Foundation

/// One publisher instance a subscriber listens to: its PUB endpoint and its replay endpoint.
/// Two instances of one service (two telephony ingesters) are two sources.
public struct BusSource: Sendable, Hashable, CustomStringConvertible {
    public var publishEndpoint: String
    public var replayEndpoint: String
    /// The publisher's CURVE public key (Z85) when the bus is encrypted.
    public var serverPublicKey: String?

    public init(publishEndpoint: String, replayEndpoint: String, serverPublicKey: String? = nil) {
        self.publishEndpoint = publishEndpoint
        self.replayEndpoint = replayEndpoint
        self.serverPublicKey = serverPublicKey
    }

    /// Parses `tcp://host:5551,tcp://host:5561` (publish, then replay), optionally followed by
    /// `,<publisher's CURVE public key>` — 40 Z85 characters, or the path of the `.pub` file that
    /// `pacer-bus keygen` wrote (as compose passes it).
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 || parts.count == 3, parts[0].contains("://"), parts[1].contains("://") else { return nil }
        var key: String?
        if parts.count == 3 {
            // Z85 keys may contain `/` and `.`, but never end in `.pub`; only a .pub file is read —
            // a secret .key file is 40 characters too, and must never travel.
            if parts[2].hasSuffix(".key") { return nil }
            if parts[2].hasSuffix(".pub") {
                key = (try? String(contentsOfFile: parts[2], encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                key = parts[2]
            }
            guard key?.count == 40 else { return nil }
        }
        self.init(publishEndpoint: parts[0], replayEndpoint: parts[1], serverPublicKey: key)
    }

    public var description: String {
        "\(publishEndpoint),\(replayEndpoint)" + (serverPublicKey.map { ",\($0)" } ?? "")
    }
}
