import Contracts
import Foundation

/// A streaming parser of 1CClientBankExchange files (format 1.01–1.03): feed it chunks of any
/// size, it calls back with each header field, account section and document as it completes.
/// Memory stays bounded by the longest document, whatever the file's size.
///
/// Tolerated, because real files do it: any of CRLF, LF and bare CR (mixed), blank lines, a
/// missing header (a file that starts at `СекцияДокумент`), amounts without decimals,
/// non-numeric numbers, document kinds beyond the standard's, keys nobody knows (kept). Refused
/// with line numbers, the rest of the file still read: a document without `КонецДокумента`,
/// an amount or date that does not parse; a file without `КонецФайла` is reported as truncated.
///
/// Each document says where its bytes are in the file (`byteOffset`, `byteLength`), so whoever
/// keeps the file can read the document again as the bank wrote it.
public struct BankStatementParser {
    public enum Output {
        case header(BankDocument.Field)
        case account(AccountSection)
        case document(BankDocument)
        case rejected(Rejection)
        case warning(line: Int, message: String)

        /// The account this output says is the company's own: the header's `РасчСчет`, or an
        /// account section's.
        public var ownAccount: String? {
            switch self {
            case .header(let field): field.key == "РасчСчет" ? Known.trimmed(field.value) : nil
            case .account(let section): section.account
            case .document, .rejected, .warning: nil
            }
        }
    }

    /// `СекцияРасчСчет … КонецРасчСчет`: one account's period, balances and turnover.
    public struct AccountSection: Sendable, Hashable {
        public var account: String
        public var from: String?
        public var to: String?
        public var openingBalance: Int64?
        public var totalIncoming: Int64?
        public var totalOutgoing: Int64?
        public var closingBalance: Int64?
        public var line: Int
    }

    /// A document that could not be taken, with its lines and its text as read.
    public struct Rejection: Sendable, Hashable {
        public var firstLine: Int
        public var lastLine: Int
        public var reason: String
        public var raw: String
    }

    public private(set) var encoding: StatementEncoding?
    public private(set) var lineCount = 0
    public private(set) var sawFileEnd = false
    public private(set) var formatVersion: String?
    /// Whether anything of the format was seen: the first line, an account section or a document.
    public private(set) var recognised = false

    /// False reads only the keys Pacer uses (`Known`) and leaves `BankDocument.fields` empty: an
    /// import keeps the file and the document's place in it, so decoding every other value into
    /// a string of its own would be work for nobody.
    private let keepsFields: Bool
    private var carry: [UInt8] = []
    /// The file offsets of the buffer being split, of `carry`'s first byte and of the current line.
    private var fileOffset = 0
    private var carryOffset = 0
    private var lineOffset = 0
    private var scratch: [UInt8] = []
    private var valueScratch: [UInt8] = []
    /// The open document's lines as read (undecoded), kept for a rejection's `raw`.
    private var rawDocument: [UInt8] = []
    private var keys = KeyTable()
    private var skipLF = false
    private var section: Section = .header
    private var document: OpenDocument?
    private var account: [BankDocument.Field] = []
    private var accountLine = 0

    private enum Section { case header, account, document, afterEnd }

    private struct OpenDocument {
        var kind: String
        var line: Int
        var offset: Int
        var fields: [BankDocument.Field] = []
        var known = [String?](repeating: nil, count: Known.names.count)
        var knownLines = [Int](repeating: 0, count: Known.names.count)
    }

    /// The markers, as UTF-8 bytes: compared byte for byte, never as Cyrillic strings.
    private enum Marker {
        static let exchange = Array("1CClientBankExchange".utf8)
        static let document = Array("СекцияДокумент".utf8)
        static let documentEnd = Array("КонецДокумента".utf8)
        static let account = Array("СекцияРасчСчет".utf8)
        static let accountEnd = Array("КонецРасчСчет".utf8)
        static let fileEnd = Array("КонецФайла".utf8)
    }

    /// Bytes held back to read the encoding from when none is given.
    static let detectionSample = 64 << 10

    public init(encoding: StatementEncoding? = nil, keepsFields: Bool = true) {
        self.encoding = encoding
        self.keepsFields = keepsFields
    }

    public mutating func feed(_ bytes: some Collection<UInt8>, _ emit: (Output) -> Void) {
        if encoding == nil {
            carry.append(contentsOf: bytes)
            guard carry.count >= Self.detectionSample else { return }
            encoding = StatementEncoding.detect(carry)
            var held: [UInt8] = []
            swap(&held, &carry)
            held.withUnsafeBufferPointer { split($0, emit) }
            return
        }
        if let contiguous = bytes.withContiguousStorageIfAvailable({ split($0, emit) }) { return contiguous }
        Array(bytes).withUnsafeBufferPointer { split($0, emit) }
    }

    public mutating func finish(_ emit: (Output) -> Void) {
        if encoding == nil {
            encoding = StatementEncoding.detect(carry)
            var held: [UInt8] = []
            swap(&held, &carry)
            held.withUnsafeBufferPointer { split($0, emit) }
        }
        if !carry.isEmpty {
            var last: [UInt8] = []
            swap(&last, &carry)
            lineOffset = carryOffset
            last.withUnsafeBufferPointer { line($0, emit) }
        }
        if let open = document {
            reject(open, lastLine: lineCount, reason: "the file ends inside the document that starts at line \(open.line): no КонецДокумента (truncated?)", emit)
            document = nil
        }
        if section == .account {
            emit(.warning(line: accountLine, message: "the account section that starts at line \(accountLine) has no КонецРасчСчет"))
        }
        if !sawFileEnd {
            emit(.warning(line: lineCount, message: "the file ends at line \(lineCount) without КонецФайла: it may be truncated"))
        }
    }

    /// Cuts lines at CR, LF or CRLF — a CRLF split between two chunks counts once.
    private mutating func split(_ buffer: UnsafeBufferPointer<UInt8>, _ emit: (Output) -> Void) {
        var start = 0
        var index = 0
        if skipLF, buffer.first == 0x0A { start = 1; index = 1 }
        if !buffer.isEmpty { skipLF = false }
        while index < buffer.count {
            let byte = buffer[index]
            guard byte == 0x0A || byte == 0x0D else { index += 1; continue }
            if carry.isEmpty {
                lineOffset = fileOffset + start
                line(UnsafeBufferPointer(rebasing: buffer[start..<index]), emit)
            } else {
                lineOffset = carryOffset
                var joined: [UInt8] = []
                swap(&joined, &carry)
                joined.append(contentsOf: buffer[start..<index])
                joined.withUnsafeBufferPointer { line($0, emit) }
                joined.removeAll(keepingCapacity: true)
                swap(&joined, &carry)
            }
            if byte == 0x0D {
                if index + 1 < buffer.count { if buffer[index + 1] == 0x0A { index += 1 } } else { skipLF = true }
            }
            index += 1
            start = index
        }
        if start < buffer.count {
            if carry.isEmpty { carryOffset = fileOffset + start }
            carry.append(contentsOf: buffer[start..<buffer.count])
        }
        fileOffset += buffer.count
    }

    private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Output) -> Void) {
        lineCount += 1
        var bytes = bytes
        if lineCount == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
        // `=` is 0x3D in all three encodings; keys are decoded and compared as UTF-8 bytes.
        let equals = bytes.firstIndex(of: 0x3D)
        let keyBytes = Self.trim(equals.map { UnsafeBufferPointer(rebasing: bytes[..<$0]) } ?? bytes)
        let valueBytes = equals.map { UnsafeBufferPointer(rebasing: bytes[($0 + 1)...]) }
        let number = lineCount
        if keyBytes.isEmpty && valueBytes == nil { return }
        let key = self.key(keyBytes)

        if section == .afterEnd {
            // Two statements glued together read on; anything else after the end is reported.
            section = .header
            sawFileEnd = false
            if key.kind != .exchange { emit(.warning(line: number, message: "text after КонецФайла at line \(number)")) }
        }
        if document != nil, key.kind != .document, key.kind != .account, key.kind != .fileEnd {
            rawDocument.append(0x0A)
            rawDocument.append(contentsOf: bytes)
        }
        switch key.kind {
        case .exchange:
            recognised = true
        case .document:
            if let open = document {
                reject(open, lastLine: number - 1, reason: "the document that starts at line \(open.line) has no КонецДокумента before line \(number)", emit)
            }
            let kind = valueBytes.flatMap { trimmedText($0) } ?? ""
            document = OpenDocument(kind: kind, line: number, offset: lineOffset)
            rawDocument.removeAll(keepingCapacity: true)
            rawDocument.append(contentsOf: bytes)
            section = .document
            recognised = true
        case .documentEnd:
            guard let open = document else {
                emit(.warning(line: number, message: "КонецДокумента without a СекцияДокумент"))
                return
            }
            complete(open, lastLine: number, end: lineOffset + bytes.count, emit)
            document = nil
            section = .header
        case .account:
            if let open = document {
                reject(open, lastLine: number - 1, reason: "the document that starts at line \(open.line) has no КонецДокумента before line \(number)", emit)
                document = nil
            }
            section = .account
            recognised = true
            account = []
            accountLine = number
        case .accountEnd:
            if section == .account { completeAccount(emit) }
            section = .header
        case .fileEnd:
            if let open = document {
                reject(open, lastLine: number - 1, reason: "the document that starts at line \(open.line) has no КонецДокумента before КонецФайла", emit)
                document = nil
            }
            sawFileEnd = true
            section = .afterEnd
        case .known, .other:
            guard let valueBytes else {
                emit(.warning(line: number, message: "a line without `=` is ignored: \(key.text.prefix(60))"))
                return
            }
            switch section {
            case .document:
                if keepsFields {
                    document!.fields.append(BankDocument.Field(key: key.text, value: text(valueBytes), line: number))
                }
                // The first occurrence of a key wins; a blank value does not count.
                if case .known(let slot) = key.kind, document!.known[slot] == nil, let trimmed = trimmedText(valueBytes) {
                    document!.known[slot] = trimmed
                    document!.knownLines[slot] = number
                }
            case .account:
                account.append(BankDocument.Field(key: key.text, value: text(valueBytes), line: number))
            case .header, .afterEnd:
                let value = text(valueBytes)
                if key.text == "ВерсияФормата" { formatVersion = Known.trimmed(value) }
                emit(.header(BankDocument.Field(key: key.text, value: value, line: number)))
            }
        }
    }

    /// What a key is, looked up by its bytes as read; decoded and compared only the first time.
    private mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) -> KeyTable.Key {
        if let known = keys.find(bytes) { return known }
        utf8(bytes)
        let kind: KeyTable.Kind
        switch scratch {
        case Marker.exchange: kind = .exchange
        case Marker.document: kind = .document
        case Marker.documentEnd: kind = .documentEnd
        case Marker.account: kind = .account
        case Marker.accountEnd: kind = .accountEnd
        case Marker.fileEnd: kind = .fileEnd
        default: kind = Known.index[scratch].map { .known($0) } ?? .other
        }
        let key = KeyTable.Key(kind: kind, text: String(decoding: scratch, as: UTF8.self))
        keys.insert(bytes, key)
        return key
    }

    private static func trim(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// Decodes into `scratch` as UTF-8 bytes.
    private mutating func utf8(_ bytes: UnsafeBufferPointer<UInt8>) {
        scratch.removeAll(keepingCapacity: true)
        (encoding ?? .windows1251).appendUTF8(bytes, to: &scratch)
    }

    /// The value without the spaces and tabs around it (0x20 and 0x09 in every encoding read);
    /// nil when nothing is left.
    private mutating func trimmedText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let trimmed = Self.trim(bytes)
        return trimmed.isEmpty ? nil : text(trimmed)
    }

    private mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        valueScratch.removeAll(keepingCapacity: true)
        (encoding ?? .windows1251).appendUTF8(bytes, to: &valueScratch)
        return String(decoding: valueScratch, as: UTF8.self)
    }

    private mutating func complete(_ open: OpenDocument, lastLine: Int, end: Int, _ emit: (Output) -> Void) {
        guard let amountText = open.known[Known.amount] else {
            return reject(open, lastLine: lastLine, reason: "line \(open.line): the document has no Сумма", emit)
        }
        guard let amount = Money.parseKopecks(amountText), amount > 0 else {
            return reject(open, lastLine: lastLine, reason: "line \(open.knownLines[Known.amount]): Сумма=\(amountText) is not an amount", emit)
        }
        guard let dateText = open.known[Known.date] else {
            return reject(open, lastLine: lastLine, reason: "line \(open.line): the document has no Дата", emit)
        }
        guard let date = Self.date(dateText) else {
            return reject(open, lastLine: lastLine, reason: "line \(open.knownLines[Known.date]): Дата=\(dateText) is not a date dd.mm.yyyy", emit)
        }
        var dates: [String?] = [nil, nil]
        for (index, (slot, name)) in [(Known.receivedOn, "ДатаПоступило"), (Known.debitedOn, "ДатаСписано")].enumerated() {
            guard let text = open.known[slot] else { continue }
            guard let parsed = Self.date(text) else {
                return reject(open, lastLine: lastLine, reason: "line \(open.knownLines[slot]): \(name)=\(text) is not a date dd.mm.yyyy", emit)
            }
            dates[index] = parsed
        }
        emit(.document(BankDocument(kind: open.kind, firstLine: open.line, lastLine: lastLine, byteOffset: open.offset,
                                    byteLength: end - open.offset, fields: open.fields, number: open.known[Known.number] ?? "",
                                    date: date, amountKopecks: amount, receivedOn: dates[0], debitedOn: dates[1], known: open.known)))
    }

    /// Rejects the open document with its lines as read (decoded, joined by line feeds).
    private mutating func reject(_ open: OpenDocument, lastLine: Int, reason: String, _ emit: (Output) -> Void) {
        valueScratch.removeAll(keepingCapacity: true)
        rawDocument.withUnsafeBufferPointer { (encoding ?? .windows1251).appendUTF8($0, to: &valueScratch) }
        let raw = String(decoding: valueScratch, as: UTF8.self)
        emit(.rejected(Rejection(firstLine: open.line, lastLine: max(open.line, lastLine), reason: reason, raw: raw)))
    }

    private mutating func completeAccount(_ emit: (Output) -> Void) {
        func value(_ key: String) -> String? {
            account.first { $0.key == key }.flatMap { Known.trimmed($0.value) }
        }
        guard let number = value("РасчСчет") else {
            emit(.warning(line: accountLine, message: "the account section at line \(accountLine) names no РасчСчет"))
            return
        }
        emit(.account(AccountSection(
            account: number, from: value("ДатаНачала").flatMap(Self.date), to: value("ДатаКонца").flatMap(Self.date),
            openingBalance: value("НачальныйОстаток").flatMap(Money.parseKopecks), totalIncoming: value("ВсегоПоступило").flatMap(Money.parseKopecks),
            totalOutgoing: value("ВсегоСписано").flatMap(Money.parseKopecks), closingBalance: value("КонечныйОстаток").flatMap(Money.parseKopecks),
            line: accountLine)))
    }

    /// `dd.mm.yyyy` (what the standard says) or `yyyy-mm-dd` → `yyyy-mm-dd`, checked against the
    /// calendar. Read digit by digit: this runs twice or more per document.
    static func date(_ text: String) -> String? {
        var parts: [Int] = []
        var widths: [Int] = []
        var separator: UInt8 = 0
        var value = 0, width = 0
        var ended = false
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39:
                guard !ended else { return nil }
                value = value * 10 + Int(byte - 0x30); width += 1
                guard width <= 4 else { return nil }
            case 0x2E, 0x2D:
                guard separator == 0 || separator == byte, width > 0 else { return nil }
                separator = byte
                parts.append(value); widths.append(width); value = 0; width = 0
            case 0x20, 0x09:
                // Spaces around the date only.
                if parts.isEmpty && width == 0 { continue }
                guard parts.count == 2 && width > 0 else { return nil }
                ended = true
            default:
                return nil
            }
        }
        guard width > 0 else { return nil }
        parts.append(value); widths.append(width)
        guard parts.count == 3 else { return nil }
        let (y, m, d) = separator == 0x2E ? (parts[2], parts[1], parts[0]) : (parts[0], parts[1], parts[2])
        guard (separator == 0x2E ? widths[2] : widths[0]) == 4, widths[1] <= 2, (separator == 0x2E ? widths[0] : widths[2]) <= 2,
              (1900...2999).contains(y), (1...12).contains(m), d >= 1, d <= CalendarDay.daysIn(year: y, month: m) else { return nil }
        return CalendarDay.format(y, m, d)
    }
}
