@testable import Accounting
import Contracts
import Foundation
import Testing

/// Parses a whole file (or bytes) fed in chunks of `chunk` bytes.
func parse(_ bytes: [UInt8], chunk: Int = 1 << 20) -> (documents: [BankDocument], rejected: [BankStatementParser.Rejection],
                                                        warnings: [String], headers: [String: String], sections: [BankStatementParser.AccountSection],
                                                        parser: BankStatementParser) {
    var parser = BankStatementParser()
    var documents: [BankDocument] = []
    var rejected: [BankStatementParser.Rejection] = []
    var warnings: [String] = []
    var headers: [String: String] = [:]
    var sections: [BankStatementParser.AccountSection] = []
    let collect: (BankStatementParser.Output) -> Void = { output in
        switch output {
        case .document(let document): documents.append(document)
        case .rejected(let rejection): rejected.append(rejection)
        case .warning(let line, let message): warnings.append("\(line): \(message)")
        case .header(let field): headers[field.key] = field.value
        case .account(let section): sections.append(section)
        }
    }
    var offset = 0
    while offset < bytes.count {
        parser.feed(bytes[offset..<min(bytes.count, offset + chunk)], collect)
        offset += chunk
    }
    parser.finish(collect)
    return (documents, rejected, warnings, headers, sections, parser)
}

enum Fixture {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/fixtures/1c").standardized
    static let local = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
}

@Suite("1CClientBankExchange parser")
struct StatementParserTests {
    /// The real sample's 13 documents, worked out by reading the file: number, date, kopecks,
    /// direction against its own account 40702810200000000001, payee account.
    static let expected: [(kind: String, number: String, amount: Int64, direction: PaymentDirection, payee: String)] = [
        ("Банковский ордер", "697162", 8323, .outgoing, "61304810100000000002"),
        ("Банковский ордер", "697140", 19974, .outgoing, "61304810100000000002"),
        ("Банковский ордер", "697149", 27187, .outgoing, "61304810100000000002"),
        ("Банковский ордер", "697160", 56177, .outgoing, "70601810800002740257"),
        ("Банковский ордер", "697129", 134826, .outgoing, "70601810500002710257"),
        ("Банковский ордер", "697147", 183513, .outgoing, "70601810600002720257"),
        ("Платежное поручение", "1", 276280, .outgoing, "40702810299993174021"),
        ("Платежное поручение", "3", 1_000_000, .outgoing, "40702810300000000640"),
        ("Платежное поручение", "2", 1_000_000, .outgoing, "40702810700000005670"),
        ("Платежное поручение", "4", 1_412_120, .outgoing, "40702810500001455357"),
        ("Платежное поручение", "5", 600_000, .incoming, "40702810200000000001"),
        ("Платежное поручение", "6", 1_400_000, .incoming, "40702810200000000001"),
        ("Платежное поручение", "1", 2_000_000, .incoming, "40702810200000000001"),
    ]

    @Test("the real sample imports exactly, in Windows-1251 and in UTF-8", arguments: ["one_day_cp1251.txt", "one_day_utf8.txt"])
    func realSample(file: String) throws {
        let result = parse(try Fixture.bytes(Fixture.shared.appendingPathComponent(file)))
        #expect(result.parser.encoding == (file.contains("utf8") ? .utf8 : .windows1251))
        #expect(result.parser.formatVersion == "1.02")
        #expect(result.parser.sawFileEnd)
        #expect(result.rejected.isEmpty)
        #expect(result.warnings.isEmpty)
        #expect(result.headers["Отправитель"] == "Банк Клиент Онлайн")
        #expect(result.headers["РасчСчет"] == "40702810200000000001")
        #expect(result.sections == [BankStatementParser.AccountSection(
            account: "40702810200000000001", from: "2016-01-11", to: "2016-01-11", openingBalance: 4_532_991, totalIncoming: 4_000_000,
            totalOutgoing: 4_118_400, closingBalance: 4_414_591, line: 11)])
        #expect(result.documents.count == 13)
        let own: Set = ["40702810200000000001"]
        for (document, expected) in zip(result.documents, Self.expected) {
            let draft = PaymentDraft(document: document, source: "test", importId: nil)
            #expect(document.kind == expected.kind)
            #expect(document.number == expected.number)
            #expect(document.date == "2016-01-11")
            #expect(document.amountKopecks == expected.amount)
            #expect(draft.direction(ownAccounts: own) == expected.direction)
            #expect(document.payerAccount == "12312312312312312")
            #expect(document.payeeAccount == expected.payee)
            #expect(document.payerInn == "123123123123")
            #expect(document.payeeInn == "123123123123")
            #expect(document.payerName == "Some random payer")
            #expect(document.payeeName == "Some random payee")
            #expect(document.purpose == "Some random string")
            #expect(document.receivedOn == (expected.direction == .incoming ? "2016-01-11" : nil))
            #expect(document.debitedOn == (expected.direction == .outgoing ? "2016-01-11" : nil))
        }
        // Every line of a document is kept, the unknown `Квитанция…` ones included.
        #expect(result.documents[0].fields.count == 29)
        #expect(result.documents[0].value("КвитанцияСодержание") == "статус документа: Внешний")
        #expect(result.documents[0].firstLine == 20 && result.documents[0].lastLine == 50)
        #expect(result.documents.filter { PaymentDraft(document: $0, source: "", importId: nil).direction(ownAccounts: own) == .incoming }
            .reduce(0) { $0 + $1.amountKopecks } == 4_000_000)
    }

    @Test("the two encodings of the sample give the same documents, fed in chunks of any size", arguments: [1, 7, 4096])
    func chunking(size: Int) throws {
        let whole = parse(try Fixture.bytes(Fixture.shared.appendingPathComponent("one_day_cp1251.txt")))
        let pieces = parse(try Fixture.bytes(Fixture.shared.appendingPathComponent("one_day_cp1251.txt")), chunk: size)
        let utf8 = parse(try Fixture.bytes(Fixture.shared.appendingPathComponent("one_day_utf8.txt")), chunk: size)
        #expect(pieces.documents == whole.documents)
        // The same documents at other byte offsets: Cyrillic takes two bytes in UTF-8, one in Windows-1251.
        #expect(utf8.documents.map { var document = $0; document.byteOffset = 0; document.byteLength = 0; return document }
                == whole.documents.map { var document = $0; document.byteOffset = 0; document.byteLength = 0; return document })
        #expect(utf8.documents.map(\.byteOffset) != whole.documents.map(\.byteOffset))
        #expect(pieces.parser.lineCount == 423 && whole.parser.lineCount == 423)
    }

    @Test("a messy file: cp866, bare CR, no header, odd amounts, a transfer, three bad documents with their lines")
    func messy() throws {
        let result = parse(try Fixture.bytes(Fixture.local.appendingPathComponent("messy_cp866_cr.txt")))
        #expect(result.parser.encoding == .cp866)
        #expect(result.parser.formatVersion == nil)
        #expect(result.parser.sawFileEnd)
        #expect(result.parser.lineCount == 57)
        let own: Set = ["40702810900000000001", "40702810900000000002"]
        #expect(result.documents.map(\.number) == ["А-17/2", "М12", "9"])
        #expect(result.documents.map(\.kind) == ["Платежное поручение", "Мемориальный ордер", "Инкассовое поручение"])
        #expect(result.documents.map(\.amountKopecks) == [70_000, 15_000_050, 123_456])
        #expect(result.documents.map { PaymentDraft(document: $0, source: "", importId: nil).direction(ownAccounts: own) } == [.incoming, .transfer, .outgoing])
        let first = result.documents[0]
        #expect(first.payerInn == "7719617469")
        #expect(first.payerName == "ООО \"Ромашка\"")
        #expect(first.payerKpp == "771901001")
        #expect(first.purpose == "Оплата по сч. № 15 от 01.02.2026, в т.ч. НДС")
        #expect(first.value("КодНазПлатежа") == "1")
        #expect(result.documents[1].purpose == "Перевод собственных средств между своими счетами")
        #expect(result.documents[1].receivedOn == "2026-02-04" && result.documents[1].debitedOn == "2026-02-04")
        #expect(result.rejected.map(\.firstLine) == [40, 46, 52])
        #expect(result.rejected.map(\.lastLine) == [45, 51, 56])
        #expect(result.rejected.map(\.reason) == [
            "line 42: Дата=31.02.2026 is not a date dd.mm.yyyy",
            "line 49: Сумма=12,345.00 is not an amount",
            "the document that starts at line 52 has no КонецДокумента before КонецФайла",
        ])
        #expect(result.rejected[2].raw == "СекцияДокумент=Платежное требование\nНомер=12\nДата=06.02.2026\nСумма=99.99\nПолучательСчет=40702810900000000001")
        // Without own accounts, the transfer's two dates still say what it is.
        #expect(PaymentDraft(document: result.documents[1], source: "", importId: nil).direction(ownAccounts: []) == .transfer)
    }

    @Test("a truncated file keeps the documents before the cut and says where it was cut")
    func truncated() throws {
        let text = try String(decoding: Data(contentsOf: Fixture.shared.appendingPathComponent("one_day_utf8.txt")), as: UTF8.self)
        let cut = String(text.prefix { _ in true }.components(separatedBy: "\r\n").prefix(120).joined(separator: "\r\n"))
        let result = parse(Array(cut.utf8))
        #expect(result.documents.count == 3)
        #expect(result.documents.map(\.number) == ["697162", "697140", "697149"])
        #expect(result.rejected.count == 1)
        #expect(result.rejected[0].firstLine == 113)
        #expect(result.rejected[0].reason == "the file ends inside the document that starts at line 113: no КонецДокумента (truncated?)")
        #expect(result.warnings == ["120: the file ends at line 120 without КонецФайла: it may be truncated"])
        #expect(!result.parser.sawFileEnd)
    }

    @Test("mixed line ends, blank lines and a CRLF split between chunks count lines once")
    func lineEnds() {
        let text = "1CClientBankExchange\r\nВерсияФормата=1.03\n\nСекцияДокумент=Банковский ордер\rНомер=1\r\nДата=2026-03-01\nСумма=5\r\n"
            + "ПолучательСчет=40702810900000000001\rКонецДокумента\r\nКонецФайла\r\n"
        for chunk in [1, 2, 3, 1000] {
            let result = parse(Array(text.utf8), chunk: chunk)
            #expect(result.documents.count == 1)
            #expect(result.documents.first?.firstLine == 4 && result.documents.first?.lastLine == 9)
            #expect(result.documents.first?.date == "2026-03-01")
            #expect(result.documents.first?.amountKopecks == 500)
            #expect(result.parser.lineCount == 10)
            #expect(result.parser.formatVersion == "1.03")
        }
    }

    @Test("the encoding is read from the bytes, whatever `Кодировка=` claims")
    func encodingDetection() throws {
        let text = "1CClientBankExchange\nКодировка=Windows\nСекцияДокумент=Платежное поручение\nНомер=1\nДата=01.03.2026\nСумма=1.00\nНазначениеПлатежа=Оплата по счёту №7\nКонецДокумента\nКонецФайла\n"
        #expect(StatementEncoding.detect(Array(text.utf8)) == .utf8)
        let purposes = [StatementEncoding.utf8, .windows1251, .cp866].map { encoding -> String? in
            let bytes: [UInt8] = switch encoding {
            case .utf8: Array(text.utf8)
            case .windows1251: Array(text.data(using: .windowsCP1251)!)
            case .cp866: try! Fixture.bytes(Fixture.local.appendingPathComponent("messy_cp866_cr.txt"))
            }
            #expect(StatementEncoding.detect(bytes) == encoding)
            return parse(bytes).documents.first?.purpose
        }
        #expect(purposes == ["Оплата по счёту №7", "Оплата по счёту №7", "Оплата по сч. № 15 от 01.02.2026, в т.ч. НДС"])
    }

    @Test("dates: dd.mm.yyyy and yyyy-mm-dd, checked against the calendar")
    func dates() {
        #expect(BankStatementParser.date("29.02.2024") == "2024-02-29")
        #expect(BankStatementParser.date("29.02.2026") == nil)
        #expect(BankStatementParser.date("2026-12-31") == "2026-12-31")
        #expect(BankStatementParser.date("1.1.2026") == "2026-01-01")
        #expect(BankStatementParser.date("01.13.2026") == nil)
        #expect(BankStatementParser.date("01.01.26") == nil)
        #expect(BankStatementParser.date("") == nil)
        #expect(BankStatementParser.date(" 05.02.2026 ") == "2026-02-05")
        #expect(BankStatementParser.date("05.02-2026") == nil)
        #expect(BankStatementParser.date("05..2026") == nil)
        #expect(BankStatementParser.date("2026-2-5") == "2026-02-05")
        #expect(BankStatementParser.date("05.02.2026г") == nil)
        #expect(BankStatementParser.date("05.02.202 6") == nil)
        #expect(BankStatementParser.date("05 .02.2026") == nil)
    }
}

@Suite("invoice numbers in a payment's purpose")
struct PurposeScannerTests {
    @Test("as people write them", arguments: [
        ("Оплата по счету № 123 от 01.02.2026", ["123"]),
        ("Оплата по сч. 123 в т.ч. НДС 20%", ["123"]),
        ("по сч.№123", ["123"]),
        ("Оплата по счетам №12, 13 и 14", ["12", "13", "14"]),
        ("Оплата по счёту на оплату № А-17/2 от 01.02.2026", ["а-17/2"]),
        ("Предоплата по СЧЕТУ N 45", ["45"]),
        ("сч-т 77; сч. 78", ["77", "78"]),
        ("Оплата по счет-фактуре 99", []),
        ("Перечисление на расчетный счет 40702810900000000001", []),
        ("Оплата по договору 5", []),
        ("Возврат за счет средств", []),
    ])
    func numbers(purpose: String, expected: [String]) {
        #expect(PurposeScanner.invoiceNumbers(in: purpose) == expected)
    }

    @Test("the look at the bytes for «сч» never passes over a purpose the scan finds a number in")
    func byteLookSkipsNothing() {
        // Purposes from a small alphabet around «сч» in both cases, "ё" and the separators, so
        // that nearly every shape of the scan's words and lists comes up.
        let alphabet = Array("сСчЧтТеЁёуфа -.,;№N0123456789/и")
        var generator = SystemRandomNumberGenerator()
        var withNumbers = 0
        for _ in 0..<20_000 {
            let purpose = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let scanned = PurposeScanner.scan(purpose)
            if !scanned.isEmpty { withNumbers += 1 }
            #expect(PurposeScanner.invoiceNumbers(in: purpose) == scanned, "\(purpose)")
            #expect(PurposeScanner.mentionsInvoice(purpose) == (purpose.lowercased().contains("сч")), "\(purpose)")
        }
        #expect(withNumbers > 100)
        #expect(PurposeScanner.mentionsInvoice("СЧ") && PurposeScanner.mentionsInvoice("сЧ") && !PurposeScanner.mentionsInvoice("с ч"))
    }

    @Test("keys: exact without spaces, and the trailing digits without zeros")
    func keys() {
        #expect(PurposeScanner.key("а-17/2") == "А-17/2")
        #expect(PurposeScanner.digitsKey("ТД00-000123") == "123")
        #expect(PurposeScanner.digitsKey("000") == "000")
    }
}

@Suite("accounting event payloads")
struct PaymentPayloadTests {
    @Test("the hand-written payment payload is byte for byte what the encoder writes")
    func sameBytes() throws {
        let full = PaymentState(
            paymentId: "pay-1", number: "А-17/2", documentDate: "2026-11-17", receivedOn: "2026-11-18", amount: Money(kopecks: 123_45),
            payerName: "ООО \"Ромашка\" / филиал\n", payerInn: "7719617469", payerAccount: "40702810000000007469",
            purpose: "Оплата по сч. № 15\t«срочно»", clientId: "c-1", dealId: "d-1", managerId: "m-1",
            allocations: [Allocation(invoiceId: "i-15", dealId: "d-1", amount: Money(kopecks: 100_00)),
                          Allocation(invoiceId: nil, dealId: nil, amount: Money(kopecks: 23_45, currency: "USD"))],
            unallocated: Money(kopecks: 0), matchedBy: "invoice-number", revision: 3, clientName: "Ромашка \\ «А»", dealTitle: "Поставка \"X\"")
        let bare = PaymentState(
            paymentId: "pay-2", number: "", documentDate: "2026-11-17", receivedOn: "2026-11-17", amount: Money(kopecks: 1),
            payerName: "", payerInn: nil, payerAccount: nil, purpose: "", clientId: nil, dealId: nil, managerId: nil,
            allocations: [], unallocated: Money(kopecks: 1), matchedBy: nil, revision: 1)
        for state in [full, bare] {
            #expect(state.payloadJSON() == (try EventCodec.encodePayload(PaymentReceived(payment: state))))
            #expect(state.payloadJSON(reason: "no client \"x\"") == (try EventCodec.encodePayload(PaymentUnmatched(payment: state, reason: "no client \"x\""))))
        }
        for paid in [InvoicePaid(invoiceId: "i-1", number: "№ 15/\"А\"", dealId: "d-1", clientId: "c-1", managerId: "m-1", amount: Money(kopecks: 5), paidOn: "2026-11-18"),
                     InvoicePaid(invoiceId: "i-2", number: "2", dealId: nil, clientId: nil, managerId: nil, amount: Money(kopecks: -1, currency: "EUR"), paidOn: "2026-11-18")] {
            #expect(paid.payloadJSON() == (try EventCodec.encodePayload(paid)))
        }
    }
}

@Suite("1CClientBankExchange parser, reading only what an import needs")
struct LeanStatementParserTests {
    static func documents(_ bytes: [UInt8], chunk: Int, keepsFields: Bool) -> (documents: [BankDocument], rejected: [BankStatementParser.Rejection]) {
        var parser = BankStatementParser(keepsFields: keepsFields)
        var documents: [BankDocument] = []
        var rejected: [BankStatementParser.Rejection] = []
        let collect: (BankStatementParser.Output) -> Void = {
            if case .document(let document) = $0 { documents.append(document) }
            if case .rejected(let rejection) = $0 { rejected.append(rejection) }
        }
        var offset = 0
        while offset < bytes.count {
            parser.feed(bytes[offset..<min(bytes.count, offset + chunk)], collect)
            offset += chunk
        }
        parser.finish(collect)
        return (documents, rejected)
    }

    static func readable(_ document: BankDocument) -> [String?] {
        [document.kind, document.number, document.date, String(document.amountKopecks), document.receivedOn, document.debitedOn,
         document.payerAccount, document.payeeAccount, document.payerInn, document.payeeInn, document.payerKpp, document.payerName,
         document.payeeName, document.purpose, String(document.firstLine), String(document.lastLine), String(document.byteOffset),
         String(document.byteLength)]
    }

    @Test("without the other fields, every value Pacer reads and each document's place are the same; its bytes read again give the document",
          arguments: ["one_day_cp1251.txt", "one_day_utf8.txt"])
    func sameValues(file: String) throws {
        let bytes = try Fixture.bytes(Fixture.shared.appendingPathComponent(file))
        let full = Self.documents(bytes, chunk: 1 << 20, keepsFields: true)
        #expect(full.documents.count == 13)
        for chunk in [1, 7, 4096] {
            let lean = Self.documents(bytes, chunk: chunk, keepsFields: false)
            #expect(lean.documents.map(Self.readable) == full.documents.map(Self.readable))
            #expect(lean.documents.allSatisfy { $0.fields.isEmpty })
        }
        let encoding = try #require(parse(bytes).parser.encoding)
        for document in full.documents {
            let slice = Array(bytes[document.byteOffset..<(document.byteOffset + document.byteLength)])
            var text: [UInt8] = []
            slice.withUnsafeBufferPointer { encoding.appendUTF8($0, to: &text) }
            #expect(String(decoding: text, as: UTF8.self).hasPrefix("СекцияДокумент="))
            #expect(String(decoding: text, as: UTF8.self).hasSuffix("КонецДокумента"))
            var parser = BankStatementParser(encoding: encoding)
            var again: [BankDocument] = []
            let take: (BankStatementParser.Output) -> Void = { if case .document(let parsed) = $0 { again.append(parsed) } }
            parser.feed(slice, take)
            parser.finish(take)
            #expect(again.count == 1)
            #expect(again.first?.fields.map { [$0.key, $0.value] } == document.fields.map { [$0.key, $0.value] })
            #expect(again.first.map { $0.lastLine - $0.firstLine } == document.lastLine - document.firstLine)
        }
    }

    @Test("a document's bytes are counted across CR, LF and CRLF ends, a BOM and a CRLF cut between chunks")
    func offsets() {
        let text = "\u{FEFF}1CClientBankExchange\r\nСекцияДокумент=Банковский ордер\rНомер=1\r\nДата=2026-03-01\nСумма=5\r\n"
            + "ПолучательСчет=40702810900000000001\rКонецДокумента\r\n\r\nСекцияДокумент=Платежное поручение\nНомер=2\nДата=02.03.2026\n"
            + "Сумма=6.10\nКонецДокумента\nКонецФайла"
        let bytes = Array(text.utf8)
        let first = Array("СекцияДокумент=Банковский ордер\rНомер=1\r\nДата=2026-03-01\nСумма=5\r\nПолучательСчет=40702810900000000001\rКонецДокумента".utf8)
        let second = Array("СекцияДокумент=Платежное поручение\nНомер=2\nДата=02.03.2026\nСумма=6.10\nКонецДокумента".utf8)
        for chunk in [1, 2, 3, 5, 64, 1 << 20] {
            let documents = Self.documents(bytes, chunk: chunk, keepsFields: false).documents
            #expect(documents.map(\.amountKopecks) == [500, 610])
            #expect(documents.map { Array(bytes[$0.byteOffset..<($0.byteOffset + $0.byteLength)]) } == [first, second])
        }
    }

    @Test("a rejected document keeps its lines as read, with either parser")
    func rejectedRaw() {
        let text = "1CClientBankExchange\r\nСекцияДокумент=Платежное поручение\r\nНомер=9\r\n  Дата=31.02.2026\r\nСумма=1.00\r\nКонецДокумента\r\n"
            + "СекцияДокумент=Банковский ордер\r\nНомер=10\r\nСумма=2\r\nКонецФайла\r\n"
        let bytes = Array(text.data(using: .windowsCP1251)!)
        for keepsFields in [true, false] {
            let rejected = Self.documents(bytes, chunk: 5, keepsFields: keepsFields).rejected
            #expect(rejected.map(\.raw) == [
                "СекцияДокумент=Платежное поручение\nНомер=9\n  Дата=31.02.2026\nСумма=1.00\nКонецДокумента",
                "СекцияДокумент=Банковский ордер\nНомер=10\nСумма=2",
            ])
            #expect(rejected.map(\.reason) == ["line 4: Дата=31.02.2026 is not a date dd.mm.yyyy",
                                               "the document that starts at line 7 has no КонецДокумента before КонецФайла"])
        }
    }
}

@Suite("a bank document's identity and id")
struct PaymentIdentityTests {
    @Test("the identity and the id are what every earlier version stored, so a re-import still finds its documents")
    func stable() {
        // The first pair as the previous code stored it (a bench database); the second worked out
        // with Python's hashlib.
        let identity = PaymentDraft.identity(number: "1", documentDate: "2026-01-01", amount: 100_000,
                                             payer: "40702810000000000000", payee: "40702810900000000001")
        #expect(identity == "1|2026-01-01|100000|40702810000000000000|40702810900000000001")
        #expect(PaymentDraft.paymentId(identity: identity) == "pay-ceafabaddf67cd096482")
        let cyrillic = PaymentDraft.identity(number: "А-17/2", documentDate: "2026-11-17", amount: 12_345, payer: nil, payee: nil)
        #expect(cyrillic == "А-17/2|2026-11-17|12345||")
        #expect(PaymentDraft.paymentId(identity: cyrillic) == "pay-eda0d8c4d57c57103c59")
    }
}
