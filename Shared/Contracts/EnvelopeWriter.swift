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
        var text = text
        // Runs of plain bytes are copied whole; a company name in quotes (ООО "Ромашка") is the
        // common case of a string that needs escapes at all.
        text.withUTF8 { bytes in
            var run = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                if run < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index])) }
                run = index + 1
                out.append(0x5C)
                switch byte {
                case 0x22, 0x5C: out.append(byte)
                case 0x0A: out.append(0x6E)
                case 0x0D: out.append(0x72)
                case 0x09: out.append(0x74)
                case 0x08: out.append(0x62)
                case 0x0C: out.append(0x66)
                default:
                    out.append(0x75); out.append(0x30); out.append(0x30)
                    out.append(Hex.digit(byte >> 4)); out.append(Hex.digit(byte & 0x0F))
                }
            }
            if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
        out.append(0x22)
    }
}
