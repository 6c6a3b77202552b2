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
public struct BankStatementParser {
    public enum Output {
        case header(BankDocument.Field)
        case account(AccountSection)
        case document(BankDocument)
        case rejected(Rejection)
        case warning(line: Int, message: String)
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

    private var carry: [UInt8] = []
    private var scratch: [UInt8] = []
    private var skipLF = false
    private var section: Section = .header
    private var document: (kind: String, line: Int, fields: [BankDocument.Field])?
    private var account: [BankDocument.Field] = []
    private var accountLine = 0

    private enum Section { case header, account, document, afterEnd }

    /// Bytes held back to read the encoding from when none is given.
    static let detectionSample = 64 << 10

    public init(encoding: StatementEncoding? = nil) {
        self.encoding = encoding
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
                line(UnsafeBufferPointer(rebasing: buffer[start..<index]), emit)
            } else {
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
        carry.append(contentsOf: buffer[start..<buffer.count])
    }

    private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Output) -> Void) {
        lineCount += 1
        var bytes = bytes
        if lineCount == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
        // Keys are ASCII-free Cyrillic but `=` is 0x3D in all three encodings.
        let equals = bytes.firstIndex(of: 0x3D)
        let key = text(equals.map { UnsafeBufferPointer(rebasing: bytes[..<$0]) } ?? bytes).trimmingCharacters(in: .whitespaces)
        let value = equals.map { text(UnsafeBufferPointer(rebasing: bytes[($0 + 1)...])) }
        let number = lineCount

        if key.isEmpty && value == nil { return }
        if section == .afterEnd {
            // Two statements glued together read on; anything else after the end is reported.
            section = .header
            sawFileEnd = false
            if key != "1CClientBankExchange" { emit(.warning(line: number, message: "text after КонецФайла at line \(number)")) }
        }
        switch key {
        case "1CClientBankExchange":
            recognised = true
            return
        case "СекцияДокумент":
            if let open = document {
                reject(open, lastLine: number - 1, reason: "the document that starts at line \(open.line) has no КонецДокумента before line \(number)", emit)
            }
            document = ((value ?? "").trimmingCharacters(in: .whitespaces), number, [])
            recognised = true
            section = .document
        case "КонецДокумента":
            guard let open = document else {
                emit(.warning(line: number, message: "КонецДокумента without a СекцияДокумент"))
                return
            }
            complete(open, lastLine: number, emit)
            document = nil
            section = .header
        case "СекцияРасчСчет":
            if let open = document {
                reject(open, lastLine: number - 1, reason: "the document that starts at line \(open.line) has no КонецДокумента before line \(number)", emit)
                document = nil
            }
            section = .account
            recognised = true
            account = []
            accountLine = number
        case "КонецРасчСчет":
            if section == .account { completeAccount(emit) }
            section = .header
        case "КонецФайла":
            if let open = document {
                reject(open, lastLine: number - 1, reason: "the document that starts at line \(open.line) has no КонецДокумента before КонецФайла", emit)
                document = nil
            }
            sawFileEnd = true
            section = .afterEnd
        default:
            guard let value else {
                emit(.warning(line: number, message: "a line without `=` is ignored: \(key.prefix(60))"))
                return
            }
            let field = BankDocument.Field(key: key, value: value, line: number)
            switch section {
            case .document: document!.fields.append(field)
            case .account: account.append(field)
            case .header, .afterEnd:
                if key == "ВерсияФормата" { formatVersion = value.trimmingCharacters(in: .whitespaces) }
                emit(.header(field))
            }
        }
    }

    private mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        scratch.removeAll(keepingCapacity: true)
        (encoding ?? .windows1251).appendUTF8(bytes, to: &scratch)
        return String(decoding: scratch, as: UTF8.self)
    }

    private func complete(_ open: (kind: String, line: Int, fields: [BankDocument.Field]), lastLine: Int, _ emit: (Output) -> Void) {
        func field(_ key: String) -> BankDocument.Field? {
            open.fields.first { $0.key == key && !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        guard let amountField = field("Сумма") else { return reject(open, lastLine: lastLine, reason: "line \(open.line): the document has no Сумма", emit) }
        guard let amount = Money.parseKopecks(amountField.value), amount > 0 else {
            return reject(open, lastLine: lastLine, reason: "line \(amountField.line): Сумма=\(amountField.value) is not an amount", emit)
        }
        guard let dateField = field("Дата") else { return reject(open, lastLine: lastLine, reason: "line \(open.line): the document has no Дата", emit) }
        guard let date = Self.date(dateField.value) else {
            return reject(open, lastLine: lastLine, reason: "line \(dateField.line): Дата=\(dateField.value) is not a date dd.mm.yyyy", emit)
        }
        var dates: [String: String] = [:]
        for key in ["ДатаПоступило", "ДатаСписано"] {
            guard let found = field(key) else { continue }
            guard let parsed = Self.date(found.value) else {
                return reject(open, lastLine: lastLine, reason: "line \(found.line): \(key)=\(found.value) is not a date dd.mm.yyyy", emit)
            }
            dates[key] = parsed
        }
        let number = field("Номер")?.value.trimmingCharacters(in: .whitespaces) ?? ""
        emit(.document(BankDocument(kind: open.kind, firstLine: open.line, lastLine: lastLine, fields: open.fields, number: number,
                                    date: date, amountKopecks: amount, receivedOn: dates["ДатаПоступило"], debitedOn: dates["ДатаСписано"])))
    }

    private func reject(_ open: (kind: String, line: Int, fields: [BankDocument.Field]), lastLine: Int, reason: String, _ emit: (Output) -> Void) {
        let raw = (["СекцияДокумент=\(open.kind)"] + open.fields.map { "\($0.key)=\($0.value)" }).joined(separator: "\n")
        emit(.rejected(Rejection(firstLine: open.line, lastLine: max(open.line, lastLine), reason: reason, raw: raw)))
    }

    private mutating func completeAccount(_ emit: (Output) -> Void) {
        func value(_ key: String) -> String? {
            account.first { $0.key == key }.map { $0.value.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
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

    /// `dd.mm.yyyy` (what the standard says) or `yyyy-mm-dd` → `yyyy-mm-dd`, checked against the calendar.
    static func date(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts: [Substring]
        let ymd: (Int, Int, Int)
        if trimmed.contains(".") {
            parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
            ymd = (y, m, d)
        } else {
            parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            ymd = (y, m, d)
        }
        let (y, m, d) = ymd
        guard (1900...2999).contains(y), (1...12).contains(m), d >= 1 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard d <= days else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
