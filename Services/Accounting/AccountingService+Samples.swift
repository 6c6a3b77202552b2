import Contracts
import Foundation
import GRDB

extension AccountingService {
    /// A company INN with its check digit, from a 9-digit stem (sample data for `pacer-bench`).
    static func sampleINN(_ stem: Int) -> String {
        let digits = String(format: "%09d", 770_000_000 + stem % 10_000_000).compactMap(\.wholeNumberValue)
        let check = zip([2, 4, 10, 3, 5, 9, 4, 6, 8], digits).map(*).reduce(0, +) % 11 % 10
        return digits.map(String.init).joined() + String(check)
    }

    /// Fills the deals replica with `clients` clients (INN, manager) and one invoice of
    /// 1 000.00 per client and number 1…`invoices`, for benchmarks.
    public static func seedSampleDirectory(_ database: DatabasePool, clients: Int, invoices: Int) throws {
        try database.write { db in
            for client in 0..<clients {
                try db.execute(sql: "INSERT INTO dir_client(id, name, inn, managerId) VALUES (?, ?, ?, ?)",
                               arguments: ["c\(client)", "Client \(client)", sampleINN(client), "m\(client % 300)"])
            }
            for number in 1...invoices {
                let client = number % clients
                try db.execute(sql: """
                    INSERT INTO invoice(id, number, numberKey, digitsKey, dealId, clientId, managerId, amount, currency, issuedOn, dueOn, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 100000, 'RUB', '2026-01-01', '2026-02-01', 'deals')
                    """, arguments: ["i\(number)", String(number), String(number), String(number), "d\(number)", "c\(client)", "m\(client % 300)"])
            }
        }
    }

    /// Writes a Windows-1251 statement of `documents` documents: half pay an invoice by its number
    /// (some in part), a quarter name only the payer's INN, an eighth nobody, an eighth go out.
    public static func writeSampleStatement(path: String, documents: Int, clients: Int, invoices: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? handle.close() }
        let own = "40702810900000000001"
        var text = "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nОтправитель=Бухгалтерия\r\nПолучатель=Pacer\r\n"
            + "ДатаНачала=01.01.2026\r\nДатаКонца=31.12.2026\r\nРасчСчет=\(own)\r\n"
        for index in 0..<documents {
            let client = index % clients
            let inn = sampleINN(client)
            let day = String(format: "%02d.%02d.2026", 1 + index % 28, 1 + (index / 28) % 12)
            let outgoing = index % 8 == 7
            let purpose: String
            var amount = "1000.00"
            switch index % 8 {
            case 0, 1, 2: purpose = "Оплата по счету № \(1 + index % invoices) от 01.01.2026, в т.ч. НДС 20%"
            case 3: purpose = "Частичная оплата по сч. \(1 + index % invoices)"; amount = "400.50"
            case 4, 5: purpose = "Оплата за поставку товара по договору"
            case 6: purpose = "Возврат займа"; amount = "77"
            default: purpose = "Аренда офиса"
            }
            let payer = outgoing ? own : "407028100000\(String(format: "%08d", index))"
            let payee = outgoing ? "40702810500000012345" : own
            text += "СекцияДокумент=Платежное поручение\r\nНомер=\(index + 1)\r\nДата=\(day)\r\nСумма=\(amount)\r\n"
                + "ПлательщикСчет=\(payer)\r\n" + (outgoing ? "ДатаСписано=\(day)\r\n" : "")
                + "Плательщик=ИНН \(outgoing ? "7701234567" : (index % 8 == 6 ? "7799999990" : inn)) ООО \"Плательщик \(client)\"\r\n"
                + "ПлательщикИНН=\(outgoing ? "7707083893" : (index % 8 == 6 ? "7736050003" : inn))\r\nПлательщик1=ООО \"Плательщик \(client)\"\r\n"
                + "ПлательщикРасчСчет=\(payer)\r\nПлательщикБанк1=ПАО СБЕРБАНК\r\nПлательщикБанк2=г. Москва\r\nПлательщикБИК=044525225\r\n"
                + "ПлательщикКорсчет=30101810400000000225\r\nПолучательСчет=\(payee)\r\n" + (outgoing ? "" : "ДатаПоступило=\(day)\r\n")
                + "ПолучательИНН=7707083893\r\nПолучатель1=ООО \"Пейсер\"\r\nПолучательРасчСчет=\(payee)\r\nПолучательБанк1=ПАО СБЕРБАНК\r\n"
                + "ПолучательБИК=044525225\r\nПолучательКорсчет=30101810400000000225\r\nВидОплаты=01\r\nОчередность=5\r\n"
                + "НазначениеПлатежа=\(purpose)\r\nКонецДокумента\r\n"
            if text.utf8.count > 1 << 20 {
                try handle.write(contentsOf: text.data(using: .windowsCP1251)!)
                text = ""
            }
        }
        text += "КонецФайла\r\n"
        try handle.write(contentsOf: text.data(using: .windowsCP1251)!)
    }

    /// Parses a statement file without storing anything (`pacer-bench`): documents and rejects.
    public static func parseOnly(path: String) throws -> (documents: Int, rejected: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        var parser = BankStatementParser()
        var documents = 0, rejected = 0
        let count: (BankStatementParser.Output) -> Void = { output in
            switch output {
            case .document: documents += 1
            case .rejected: rejected += 1
            default: break
            }
        }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { parser.feed(chunk, count) }
        parser.finish(count)
        return (documents, rejected)
    }
}
