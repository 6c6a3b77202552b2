import Foundation

/// A value that reads itself from JSON with `JSONReader`, for the events a consumer meets millions
/// of times (calls, deal changes): Foundation's decoder spent more on a call than storing it did.
///
/// A conformance reads exactly what the `Codable` conformance reads and nothing it would refuse:
/// whatever it is not sure of — a key it expects twice, a number with a fraction or an exponent,
/// an escaped key, an unknown enum value, a missing field — throws `JSONReader.Unreadable`, and
/// `EventCodec.decode` decodes those bytes again with Foundation, which answers them as it always
/// did (the value, or its own error). A test holds each conformance equal to the decoder's value.
public protocol JSONReadable {
    init(json: inout JSONReader) throws
}

/// Pulls JSON values from bytes, strictly (RFC 8259), without building a tree: the reader asks for
/// the value it expects next (`string`, `int`, `object`, …) and `skip`s the ones it does not know.
public struct JSONReader {
    /// The bytes are not JSON this reader is sure of; the caller falls back to Foundation.
    public struct Unreadable: Error, Equatable {
        public let offset: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads one value with `body` from the whole of `data` (whitespace may surround it).
    public static func read<T>(_ data: Data, _ body: (inout JSONReader) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            let value = try body(&reader)
            reader.skipWhitespace()
            guard reader.index == reader.bytes.count else { throw reader.unreadable() }
            return value
        }
    }

    // MARK: Values

    /// Reads an object member by member: `member` gets each key and must read exactly its value.
    public mutating func object(_ member: (inout JSONReader, Key) throws -> Void) throws {
        try sequence(open: 0x7B, close: 0x7D) { reader in
            let key = try reader.rawKey()
            try reader.expect(0x3A)
            try member(&reader, key)
        }
    }

    /// Reads an array element by element: `element` must read exactly one value each time.
    public mutating func array(_ element: (inout JSONReader) throws -> Void) throws {
        try sequence(open: 0x5B, close: 0x5D, element)
    }

    /// `open`, then items read by `item` separated by commas, then `close`.
    private mutating func sequence(open: UInt8, close: UInt8, _ item: (inout JSONReader) throws -> Void) throws {
        try expect(open)
        skipWhitespace()
        if peek() == close { index += 1; return }
        while true {
            try item(&self)
            skipWhitespace()
            guard index < bytes.count else { throw unreadable() }
            let next = bytes[index]
            index += 1
            if next == close { return }
            guard next == 0x2C else { throw unreadable(at: index - 1) }
        }
    }

    public mutating func string() throws -> String {
        let (start, end, escaped, ascii) = try scanString()
        if escaped { return try unescape(start, end) }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        // ASCII needs no validation; anything else is checked as UTF-8.
        if ascii { return String(decoding: text, as: UTF8.self) }
        guard let string = String(validating: text, as: UTF8.self) else { throw unreadable(at: start) }
        return string
    }

    /// Passes over a string, checking it as `string()` would, without making it.
    private mutating func skipString() throws {
        let (start, end, escaped, ascii) = try scanString()
        if escaped { _ = try unescape(start, end) }
        else if !ascii, String(validating: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) == nil { throw unreadable(at: start) }
    }

    /// Finds a string's contents: from after its opening quote to its closing one (consumed).
    private mutating func scanString() throws -> (start: Int, end: Int, escaped: Bool, ascii: Bool) {
        skipWhitespace()
        try expect(0x22)
        let start = index
        var escaped = false
        var high: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 { break }
            if byte < 0x20 { throw unreadable() }
            if byte == 0x5C { escaped = true; index += 2; continue }
            high |= byte
            index += 1
        }
        guard index < bytes.count else { throw unreadable() }
        let end = index
        index += 1
        return (start, end, escaped, high < 0x80)
    }

    /// `null` is nil; anything else must be a string.
    public mutating func optionalString() throws -> String? {
        try readNull() ? nil : string()
    }

    /// An integer written as one (`-?digits`, no fraction or exponent) that fits in 64 bits.
    public mutating func int64() throws -> Int64 {
        skipWhitespace()
        let start = index
        var negative = false
        if peek() == 0x2D { negative = true; index += 1 }
        let first = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let digit = Int64(bytes[index] - 0x30)
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { throw unreadable(at: start) }
            value = sum
            index += 1
        }
        // No digits, a leading zero, or a fraction or exponent: leave those to Foundation.
        guard index > first, bytes[first] != 0x30 || index == first + 1 else { throw unreadable(at: start) }
        if let next = peek(), next == 0x2E || next == 0x65 || next == 0x45 { throw unreadable(at: start) }
        return value
    }

    public mutating func int() throws -> Int { Int(try int64()) }

    public mutating func bool() throws -> Bool {
        skipWhitespace()
        if matches("true") { index += 4; return true }
        if matches("false") { index += 5; return false }
        throw unreadable()
    }

    /// An ISO-8601 instant in a string, as `EventCodec` writes and reads them.
    public mutating func date() throws -> Date {
        guard let date = Timestamp.parse(try string()) else { throw unreadable() }
        return date
    }

    public mutating func optionalDate() throws -> Date? {
        try readNull() ? nil : date()
    }

    public mutating func stringArray() throws -> [String] {
        var strings: [String] = []
        try array { strings.append(try $0.string()) }
        return strings
    }

    /// True (and consumed) when the next value is `null`.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        guard matches("null") else { return false }
        index += 4
        return true
    }

    /// Passes over one value of any kind, checking that it is well formed. Nested past 512 levels
    /// (Foundation's own limit) it is unreadable: recursion that deep would exhaust a thread's stack.
    public mutating func skip() throws { try skip(depth: 0) }

    private mutating func skip(depth: Int) throws {
        skipWhitespace()
        let next = peek()
        if next == 0x7B || next == 0x5B, depth >= 512 { throw unreadable() }
        switch next {
        case 0x7B: try object { reader, _ in try reader.skip(depth: depth + 1) }
        case 0x5B: try array { try $0.skip(depth: depth + 1) }
        case 0x22: try skipString()
        case 0x74, 0x66: _ = try bool()
        case 0x6E: guard readNull() else { throw unreadable() }
        default: try skipNumber()
        }
    }

    // MARK: Keys

    /// An object key as its raw bytes (never escaped: a key with an escape is unreadable).
    public struct Key {
        fileprivate let bytes: UnsafeBufferPointer<UInt8>

        public static func == (key: Key, name: StaticString) -> Bool {
            name.utf8CodeUnitCount == key.bytes.count && memcmp(name.utf8Start, key.bytes.baseAddress!, key.bytes.count) == 0
        }

        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Marks a member as read, refusing one met twice (Foundation's decoder keeps one of the two;
    /// which one is its business).
    public func once(_ seen: inout UInt64, _ bit: Int) throws {
        guard seen & (1 << bit) == 0 else { throw unreadable() }
        seen |= 1 << bit
    }

    /// The error a conformance throws when a required member was missing.
    public func unreadable() -> Unreadable { Unreadable(offset: index) }

    // MARK: Internals

    private func unreadable(at offset: Int) -> Unreadable { Unreadable(offset: offset) }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard peek() == byte else { throw unreadable() }
        index += 1
    }

    private func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        return index + count <= bytes.count && memcmp(word.utf8Start, bytes.baseAddress! + index, count) == 0
    }

    /// Reads an object key (see `Key`): a string scanned as any other, refused if it has escapes.
    private mutating func rawKey() throws -> Key {
        let (start, end, escaped, ascii) = try scanString()
        let key = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard !escaped, ascii || String(validating: key, as: UTF8.self) != nil else { throw unreadable(at: start) }
        return Key(bytes: key)
    }

    private mutating func skipNumber() throws {
        let start = index
        if peek() == 0x2D { index += 1 }
        func digits() -> Int {
            let from = index
            while let byte = peek(), byte >= 0x30, byte <= 0x39 { index += 1 }
            return index - from
        }
        let whole = index
        guard digits() > 0, bytes[whole] != 0x30 || index == whole + 1 else { throw unreadable(at: start) }
        if peek() == 0x2E {
            index += 1
            guard digits() > 0 else { throw unreadable(at: start) }
        }
        if let byte = peek(), byte == 0x65 || byte == 0x45 {
            index += 1
            if let sign = peek(), sign == 0x2B || sign == 0x2D { index += 1 }
            guard digits() > 0 else { throw unreadable(at: start) }
        }
    }

    /// A string with escapes, between `start` and `end` (its closing quote).
    private func unescape(_ start: Int, _ end: Int) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var at = start
        func hex4(_ from: Int) throws -> UInt32 {
            guard from + 4 <= end else { throw unreadable(at: from) }
            var value: UInt32 = 0
            for byte in bytes[from..<(from + 4)] {
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw unreadable(at: from)
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while at < end {
            let byte = bytes[at]
            guard byte == 0x5C else { out.append(byte); at += 1; continue }
            guard at + 1 < end else { throw unreadable(at: at) }
            let escaped = bytes[at + 1]
            at += 2
            switch escaped {
            case 0x22, 0x5C, 0x2F: out.append(escaped)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4(at)
                at += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard at + 6 <= end, bytes[at] == 0x5C, bytes[at + 1] == 0x75 else { throw unreadable(at: at) }
                    let low = try hex4(at + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw unreadable(at: at) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    at += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw unreadable(at: at) }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default: throw unreadable(at: at - 1)
            }
        }
        guard let string = String(validating: out, as: UTF8.self) else { throw unreadable(at: start) }
        return string
    }
}
