import Foundation

/// A payload that writes its own JSON, byte for byte what `EventCodec`'s encoder writes (sorted
/// keys, nil fields left out, instants with milliseconds); `EventCodec.encodePayload` uses it.
/// For the events of the hottest paths, where the encoder cost more than the SQL around it. Each
/// conformance has a test holding its bytes equal to the encoder's.
public protocol JSONPayloadWriting {
    func writeJSON(_ json: inout JSONWriter)
}

/// Appends JSON tokens to a byte buffer. The caller writes object keys in sorted order.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

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

    public mutating func date(_ value: Date) { string(Timestamp.format(value)) }

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
