import Foundation

/// A streaming CSV reader for what PBXs actually write: fields quoted with `"` and doubled quotes
/// inside, unquoted empty fields, CRLF, LF or bare CR line ends, and the lenient case
/// `"Ivanov" <101>` where a quoted part is followed by more text before the comma.
///
/// Bytes are fed in chunks of any size; each complete record is handed out with the line it
/// started on and its raw bytes (kept for rejected rows). Memory is bounded by the longest record.
public struct CSVReader: Sendable {
    public struct Record: Sendable {
        public var line: Int
        public var fields: [[UInt8]]
        public var raw: [UInt8]
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [[UInt8]] = []
    private var raw: [UInt8] = []
    private var line = 1
    private var recordLine = 1
    private var lastWasCR = false
    /// Longest record accepted; a runaway quote must not swallow the whole file into memory.
    public let maxRecordBytes: Int

    public init(maxRecordBytes: Int = 64 * 1024) { self.maxRecordBytes = maxRecordBytes }

    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes, _ emit: (Record) throws -> Void) rethrows {
        // A chunk in one piece of memory (Data, [UInt8]) is walked as a buffer: through the
        // generic iterator, across modules, each byte cost a call (a third of parsing a CDR file).
        let walked: Void? = try bytes.withContiguousStorageIfAvailable { buffer in
            for byte in buffer { try step(byte, emit) }
        }
        if walked == nil {
            for byte in bytes { try step(byte, emit) }
        }
    }

    @inline(__always)
    private mutating func step(_ byte: UInt8, _ emit: (Record) throws -> Void) rethrows {
        if lastWasCR {
            lastWasCR = false
            if byte == 0x0A { return }          // the LF of a CRLF
        }
        if byte == 0x0D || byte == 0x0A {
            if byte == 0x0D { lastWasCR = true }
            if state == .quoted {
                // A line end inside quotes belongs to the field (multi-line values).
                field.append(byte)
                raw.append(byte)
                line += 1
                return
            }
            try endRecord(emit)
            line += 1
            recordLine = line
            return
        }
        raw.append(byte)
        if raw.count > maxRecordBytes {
            // Give up on this record: emit what we have so it is rejected with its line number.
            try endRecord(emit)
            return
        }
        switch state {
        case .fieldStart:
            if byte == 0x22 { state = .quoted }
            else if byte == 0x2C { fields.append(field); field.removeAll(keepingCapacity: true) }
            else { field.append(byte); state = .unquoted }
        case .unquoted:
            if byte == 0x2C { fields.append(field); field.removeAll(keepingCapacity: true); state = .fieldStart }
            else { field.append(byte) }
        case .quoted:
            if byte == 0x22 { state = .quoteInQuoted } else { field.append(byte) }
        case .quoteInQuoted:
            if byte == 0x22 { field.append(0x22); state = .quoted }
            else if byte == 0x2C { fields.append(field); field.removeAll(keepingCapacity: true); state = .fieldStart }
            else {
                // `"Ivanov" <101>`: the quotes were part of the value.
                field = [0x22] + field + [0x22, byte]
                state = .unquoted
            }
        }
    }

    public mutating func finish(_ emit: (Record) throws -> Void) rethrows {
        if !raw.isEmpty || !fields.isEmpty || !field.isEmpty { try endRecord(emit) }
    }

    private mutating func endRecord(_ emit: (Record) throws -> Void) rethrows {
        defer {
            fields.removeAll(keepingCapacity: true)
            field.removeAll(keepingCapacity: true)
            raw.removeAll(keepingCapacity: true)
            state = .fieldStart
            recordLine = line + 1
        }
        if raw.isEmpty && fields.isEmpty && field.isEmpty { return }   // blank line
        fields.append(field)
        try emit(Record(line: recordLine, fields: fields, raw: raw))
    }
}

extension CSVReader {
    /// A field as text: UTF-8 when it is, otherwise Windows-1251 (what Russian office software writes).
    public static func text(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(data: Data(bytes), encoding: .windowsCP1251) ?? String(decoding: bytes, as: UTF8.self)
    }
}
