import Foundation

/// A value that writes its own JSON, byte for byte what Foundation's encoder writes with sorted
/// keys (nil fields left out): `EventCodec.encodePayload` uses it for events (instants with
/// milliseconds) and the service kit's `jsonResponse` for answers (whole seconds). For the values
/// of the hottest paths, where the encoder cost more than the SQL around it. Each conformance
/// has a test holding its bytes equal to the encoder's.
public protocol JSONWritable {
    func writeJSON(_ json: inout JSONWriter)
}

/// Appends JSON tokens to a byte buffer. The caller writes object keys in sorted order.
public struct JSONWriter {
    /// How instants are written: with milliseconds (events) or whole seconds (the HTTP API's
    /// answers, as Foundation's `.iso8601` strategy writes them).
    public enum Instants: Sendable { case milliseconds, seconds }

    public private(set) var bytes: [UInt8] = []
    private var needsComma = false
    public let instants: Instants

    public init(capacity: Int = 512, instants: Instants = .milliseconds) {
        self.instants = instants
        bytes.reserveCapacity(capacity)
    }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        if needsComma { bytes.append(0x2C) }
        bytes.append(0x7B)
        needsComma = false
        body(&self)
        bytes.append(0x7D)
        needsComma = true
    }

    /// Starts a member: the key, then exactly one value written by the caller.
    public mutating func key(_ name: String) {
        if needsComma { bytes.append(0x2C) }
        bytes.append(0x22)
        bytes.append(contentsOf: name.utf8)
        bytes.append(0x22)
        bytes.append(0x3A)
        needsComma = false
    }

    public mutating func string(_ value: String) {
        EnvelopeWriter.appendJSONString(value, to: &bytes)
        needsComma = true
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        needsComma = true
    }

    public mutating func date(_ value: Date) {
        string(instants == .milliseconds ? Timestamp.format(value) : Timestamp.formatSeconds(value))
    }

    public mutating func member(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func member(_ name: String, _ value: String?) { if let value { member(name, value) } }
    public mutating func member(_ name: String, _ value: Int) { key(name); int(value) }
    public mutating func member(_ name: String, _ value: Bool) { key(name); bool(value) }
    public mutating func member(_ name: String, _ value: Date) { key(name); date(value) }
    public mutating func member(_ name: String, _ value: Date?) { if let value { member(name, value) } }
    public mutating func member(_ name: String, _ value: Money) {
        key(name)
        object { $0.member("currency", value.currency); $0.key("kopecks"); $0.int(value.kopecks) }
    }
}
