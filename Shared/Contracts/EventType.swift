/// The name of an event, e.g. `deal.won`. A plain string on the wire so that a consumer meeting a
/// type it does not know yet skips it instead of failing (forward compatibility).
public struct EventType: RawRepresentable, Hashable, Codable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The streams Pacer publishes: one per owning service. Sequence numbers are per
/// (publisher instance, stream).
public enum StreamName {
    public static let deals = "deals"
    public static let telephony = "telephony"
    public static let accounting = "accounting"
    public static let kpi = "kpi"
    public static let notifications = "notifications"
    /// Used by tests and `pacer-bench`.
    public static let bench = "bench"

    /// Names of streams, publishers and event types travel in a space-separated header frame,
    /// so they are restricted to a safe alphabet.
    public static func isValidToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 128 && token.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D || byte == 0x3A
        }
    }
}

/// An event payload: a Codable value that knows its type name and schema version.
public protocol EventPayload: Codable, Sendable {
    static var eventType: EventType { get }
    /// Bumped when a field changes meaning or a required field is added; adding an optional field
    /// does not need a bump, since consumers ignore what they do not know.
    static var schemaVersion: Int { get }
}

extension EventPayload {
    public static var schemaVersion: Int { 1 }
}
