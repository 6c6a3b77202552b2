import Foundation

/// Writes an envelope's JSON around an already-encoded payload, with the same bytes as
/// `EventCodec.encode` (sorted keys, ISO-8601 milliseconds, nil correlation id omitted).
public enum EnvelopeWriter {
    public static func write(
        eventId: String, type: String, schemaVersion: Int, source: EventSource, stream: String, seq: Int64,
        occurredAt: Date, correlationId: String?, payload: Data
    ) -> Data {
        // Bytes first, one Data at the end: appending to Data byte by byte is several times slower.
        var out = [UInt8]()
        out.reserveCapacity(payload.count + 320)
        func raw(_ text: String) { out.append(contentsOf: text.utf8) }
        func string(_ text: String) { appendJSONString(text, to: &out) }
        raw("{")
        if let correlationId { raw("\"correlationId\":"); string(correlationId); raw(",") }
        raw("\"eventId\":"); string(eventId)
        raw(",\"occurredAt\":"); string(Timestamp.format(occurredAt))
        raw(",\"payload\":"); out.append(contentsOf: payload)
        raw(",\"schemaVersion\":\(schemaVersion),\"seq\":\(seq),\"source\":{\"instance\":")
        string(source.instance)
        raw(",\"service\":"); string(source.service)
        raw("},\"stream\":"); string(stream)
        raw(",\"type\":"); string(type)
        raw("}")
        return Data(out)
    }

    /// JSON string escaping as Foundation's encoder does it with `.withoutEscapingSlashes`.
    public static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        let utf8 = text.utf8
        // Most strings need no escape: one pass over the contiguous bytes, then one copy.
        let plain = utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(contentsOf: bytes)
            return true
        } ?? false
        if plain {
            out.append(0x22)
            return
        }
        for byte in utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0x08: out.append(contentsOf: [0x5C, 0x62])
            case 0x0C: out.append(contentsOf: [0x5C, 0x66])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
