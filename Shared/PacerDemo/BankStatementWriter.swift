import Foundation

/// A 1CClientBankExchange statement as a bank sends it to 1C: version 1.03, Windows-1251, CRLF,
/// a header with the account and its turnover, then one `СекцияДокумент=Платежное поручение` per
/// payment. The turnover totals are the documents' sums, so the importer's check passes.
struct BankStatementWriter {
    struct Payment {
        var number: String
        var date: String          // DD.MM.YYYY
        var amountKopecks: Int64
        var payerName: String
        var payerInn: String
        var payerAccount: String
        var purpose: String
        var incoming: Bool
    }

    var account: String
    var companyName: String
    var companyInn: String
    var from: String
    var to: String
    var openingKopecks: Int64
    var payments: [Payment] = []

    static func rubles(_ kopecks: Int64) -> String { "\(kopecks / 100).\(kopecks % 100 < 10 ? "0" : "")\(kopecks % 100)" }

    func text(created: String) -> String {
        let received = payments.filter(\.incoming).reduce(0) { $0 + $1.amountKopecks }
        let spent = payments.filter { !$0.incoming }.reduce(0) { $0 + $1.amountKopecks }
        var lines = ["1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", "Отправитель=Бухгалтерия предприятия, редакция 3.0",
                     "Получатель=", "ДатаСоздания=\(created)", "ВремяСоздания=18:30:00", "ДатаНачала=\(from)", "ДатаКонца=\(to)",
                     "РасчСчет=\(account)", "СекцияРасчСчет", "ДатаНачала=\(from)", "ДатаКонца=\(to)", "РасчСчет=\(account)",
                     "НачальныйОстаток=\(Self.rubles(openingKopecks))", "ВсегоПоступило=\(Self.rubles(received))",
                     "ВсегоСписано=\(Self.rubles(spent))", "КонечныйОстаток=\(Self.rubles(openingKopecks + received - spent))", "КонецРасчСчет"]
        for payment in payments {
            let (payerName, payerInn, payerAccount) = payment.incoming ? (payment.payerName, payment.payerInn, payment.payerAccount) : (companyName, companyInn, account)
            let (payeeName, payeeInn, payeeAccount) = payment.incoming ? (companyName, companyInn, account) : (payment.payerName, payment.payerInn, payment.payerAccount)
            lines += ["СекцияДокумент=Платежное поручение", "Номер=\(payment.number)", "Дата=\(payment.date)", "Сумма=\(Self.rubles(payment.amountKopecks))",
                      "ПлательщикСчет=\(payerAccount)", payment.incoming ? "ДатаСписано=\(payment.date)" : "ДатаСписано=\(payment.date)",
                      "Плательщик=ИНН \(payerInn) \(payerName)", "ПлательщикИНН=\(payerInn)", "Плательщик1=\(payerName)",
                      "ПлательщикРасчСчет=\(payerAccount)", "ПлательщикБанк1=ПАО СБЕРБАНК", "ПлательщикБанк2=г. Москва",
                      "ПлательщикБИК=044525225", "ПлательщикКорсчет=30101810400000000225",
                      "ПолучательСчет=\(payeeAccount)", payment.incoming ? "ДатаПоступило=\(payment.date)" : "ДатаПоступило=",
                      "Получатель=ИНН \(payeeInn) \(payeeName)", "ПолучательИНН=\(payeeInn)", "Получатель1=\(payeeName)",
                      "ПолучательРасчСчет=\(payeeAccount)", "ПолучательБанк1=АО \"АЛЬФА-БАНК\"", "ПолучательБанк2=г. Москва",
                      "ПолучательБИК=044525593", "ПолучательКорсчет=30101810200000000593", "ВидОплаты=01", "Очередность=5",
                      "НазначениеПлатежа=\(payment.purpose)", "КонецДокумента"]
        }
        lines.append("КонецФайла")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Windows-1251: ASCII as is, А–я at 0xC0–0xFF, Ё/ё, №, «», and the few others 1C writes.
    static func windows1251(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: bytes.append(UInt8(scalar.value))
            case 0x410...0x44F: bytes.append(UInt8(scalar.value - 0x410 + 0xC0))
            case 0x401: bytes.append(0xA8)
            case 0x451: bytes.append(0xB8)
            case 0x2116: bytes.append(0xB9)
            case 0xAB: bytes.append(0xAB)
            case 0xBB: bytes.append(0xBB)
            case 0x2014: bytes.append(0x97)
            case 0x2013: bytes.append(0x96)
            case 0xA0: bytes.append(0xA0)
            default: bytes.append(0x3F)   // '?' — nothing the demo writes falls here
            }
        }
        return bytes
    }
}
