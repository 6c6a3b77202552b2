import Foundation

/// Encodes and decodes envelopes. Keys are sorted so that equal events are equal bytes (golden
/// fixtures compare bytes); dates are ISO-8601 UTC with milliseconds.
public enum EventCodec {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 instant: \(text)")
            }
            return date
        }
        return decoder
    }

    /// Encodes the envelope once; these bytes are stored in the outbox and sent as they are.
    public static func encode<P: EventPayload>(_ envelope: EventEnvelope<P>) throws -> Data {
        try makeEncoder().encode(envelope)
    }

    /// Encodes a payload with a per-thread encoder: making a JSONEncoder costs as much as using it.
    public static func encodePayload<P: Encodable>(_ payload: P) throws -> Data {
        if let writing = payload as? any JSONWritable {
            var json = JSONWriter()
            writing.writeJSON(&json)
            return Data(json.bytes)
        }
        let key = "pacer.EventCodec.encoder"
        let storage = Thread.current.threadDictionary
        if let encoder = storage[key] as? JSONEncoder { return try encoder.encode(payload) }
        let encoder = makeEncoder()
        storage[key] = encoder
        return try encoder.encode(payload)
    }

    /// Payloads that read themselves (`JSONReadable`) skip Foundation's decoder, unless the bytes
    /// hold something their reader is not sure of: then Foundation decodes them as before.
    public static func decode<P: Codable & Sendable>(_ type: P.Type, from data: Data) throws -> EventEnvelope<P> {
        if let readable = P.self as? any JSONReadable.Type, let envelope = try? read(readable, as: P.self, from: data) {
            return envelope
        }
        return try makeDecoder().decode(EventEnvelope<P>.self, from: data)
    }

    static func read<P: Codable & Sendable>(_ readable: any JSONReadable.Type, as: P.Type, from data: Data) throws -> EventEnvelope<P> {
        try JSONReader.read(data) { json in
            var eventId: String?, type: String?, schemaVersion: Int?, service: String?, instance: String?, stream: String?
            var seq: Int64?, occurredAt: Date?, correlationId: String?, payload: P?
            var seen: UInt64 = 0
            try json.object { json, key in
                if key == "eventId" { try json.once(&seen, 0); eventId = try json.string() }
                else if key == "type" { try json.once(&seen, 1); type = try json.string() }
                else if key == "schemaVersion" { try json.once(&seen, 2); schemaVersion = try json.int() }
                else if key == "stream" { try json.once(&seen, 3); stream = try json.string() }
                else if key == "seq" { try json.once(&seen, 4); seq = try json.int64() }
                else if key == "occurredAt" { try json.once(&seen, 5); occurredAt = try json.date() }
                else if key == "correlationId" { try json.once(&seen, 6); correlationId = try json.optionalString() }
                else if key == "payload" {
                    try json.once(&seen, 7)
                    guard let value = try readable.init(json: &json) as? P else { throw json.unreadable() }
                    payload = value
                } else if key == "source" {
                    try json.once(&seen, 8)
                    var members: UInt64 = 0
                    try json.object { json, key in
                        if key == "service" { try json.once(&members, 0); service = try json.string() }
                        else if key == "instance" { try json.once(&members, 1); instance = try json.string() }
                        else { try json.skip() }
                    }
                } else {
                    try json.skip()
                }
            }
            guard let eventId, let type, let schemaVersion, let service, let instance, let stream, let seq, let occurredAt,
                  let payload else { throw json.unreadable() }
            return EventEnvelope(eventId: eventId, type: EventType(type), schemaVersion: schemaVersion,
                                 source: EventSource(service: service, instance: instance), stream: stream, seq: seq,
                                 occurredAt: occurredAt, correlationId: correlationId, payload: payload)
        }
    }

    public static func decodeHeader(from data: Data) throws -> EnvelopeHeader {
        try makeDecoder().decode(EnvelopeHeader.self, from: data)
    }
}

/// ISO-8601 instants, always UTC, always with milliseconds: `2026-11-22T07:28:00.000Z`.
public enum Timestamp {
    public static func format(_ date: Date) -> String { format(date, milliseconds: true) }

    /// Without milliseconds (`2026-11-22T07:28:00Z`, the fraction cut off), as Foundation's
    /// `.iso8601` strategy writes instants in the HTTP API's answers.
    public static func formatSeconds(_ date: Date) -> String { format(date, milliseconds: false) }

    static func format(_ date: Date, milliseconds: Bool) -> String {
        // Integer arithmetic instead of a DateFormatter: formatters are slow and not Sendable.
        // Years 0001…9999 only: four digits is the format, and no input may crash it (a fuzzed CDR
        // once derived an end time before year zero).
        let seconds = min(max(date.timeIntervalSince1970, -62_135_596_800), 253_402_300_799.999)
        let millis = milliseconds ? Int64((seconds * 1000).rounded()) : Int64(seconds.rounded(.down)) * 1000
        let secs = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = millis - secs * 1000
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - days * 86400
        let (y, m, d) = civil(fromDays: days)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var value = value
            while divisor > 0 {
                out.append(0x30 + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(y, 4); out.append(0x2D); digits(m, 2); out.append(0x2D); digits(d, 2); out.append(0x54)
        digits(rem / 3600, 2); out.append(0x3A); digits((rem % 3600) / 60, 2); out.append(0x3A); digits(rem % 60, 2)
        if milliseconds { out.append(0x2E); digits(ms, 3) }
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let y = num(0, 4), bytes[4] == 0x2D, let mo = num(5, 2), bytes[7] == 0x2D, let d = num(8, 2),
              bytes[10] == 0x54 || bytes[10] == 0x20, let h = num(11, 2), bytes[13] == 0x3A, let mi = num(14, 2),
              bytes[16] == 0x3A, let s = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset: Int64 = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 0x5A {
            index += 1
        } else if bytes[index] == 0x2B || bytes[index] == 0x2D {
            guard let oh = num(index + 1, 2), bytes.count > index + 3, bytes[index + 3] == 0x3A,
                  let om = num(index + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (bytes[index] == 0x2B ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = days(fromCivil: y, mo, d)
        let seconds = days * 86400 + h * 3600 + mi * 60 + s - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// The instant of a UTC wall-clock time, without a calendar or formatter (hot in file parsers).
    public static func utc(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date {
        let days = days(fromCivil: Int64(year), Int64(month), Int64(day))
        return Date(timeIntervalSince1970: Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }

    // Howard Hinnant's days-from-civil algorithms: exact for the proleptic Gregorian calendar.
    static func days(fromCivil y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
