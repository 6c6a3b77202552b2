import Contracts
import Foundation

/// One `СекцияДокумент=<kind> … КонецДокумента` section: every `Key=Value` line in file order
/// (unknown keys included, so nothing the bank wrote is lost), with the fields Pacer reads typed.
public struct BankDocument: Sendable, Hashable {
    /// The section's kind: `Платежное поручение`, `Банковский ордер`, …
    public var kind: String
    /// Lines of `СекцияДокумент` and `КонецДокумента`, 1-based.
    public var firstLine: Int
    public var lastLine: Int
    /// Where the document is in the file: from its `СекцияДокумент` line to the end of its
    /// `КонецДокумента` line (line end excluded), in the file's own bytes.
    public var byteOffset: Int
    public var byteLength: Int
    /// Every `Key=Value` line (empty when the parser was told not to keep them).
    public var fields: [Field]

    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: String
        public var line: Int
    }

    public var number: String
    public var date: String            // YYYY-MM-DD
    public var amountKopecks: Int64
    public var receivedOn: String?     // ДатаПоступило
    public var debitedOn: String?      // ДатаСписано
    /// The values of the keys Pacer reads (`Known`), trimmed, nil when absent or blank — kept
    /// apart so reading them costs no comparisons of Cyrillic strings, which are slow.
    var known: [String?]

    /// The trimmed value of `key`, nil when absent or blank; the first occurrence wins.
    public func value(_ key: String) -> String? {
        if let index = Known.index[Array(key.utf8)] { return known[index] }
        return fields.first { $0.key.utf8.elementsEqual(key.utf8) }.flatMap { Known.trimmed($0.value) }
    }

    /// `ПлательщикСчет`, or `ПлательщикРасчСчет` when a bank writes only that.
    public var payerAccount: String? { known[Known.payerAccount] ?? known[Known.payerSettlementAccount] }
    public var payeeAccount: String? { known[Known.payeeAccount] ?? known[Known.payeeSettlementAccount] }
    public var payerInn: String? { known[Known.payerInn] ?? Self.innPrefix(known[Known.payer]) }
    public var payeeInn: String? { known[Known.payeeInn] ?? Self.innPrefix(known[Known.payee]) }
    public var payerKpp: String? { known[Known.payerKpp] }
    public var payerName: String { Self.name(known[Known.payer1], known[Known.payer]) }
    public var payeeName: String { Self.name(known[Known.payee1], known[Known.payee]) }

    /// `НазначениеПлатежа`, or its numbered parts `НазначениеПлатежа1`–`6` joined.
    public var purpose: String {
        if let whole = known[Known.purpose] { return whole }
        return (1...6).compactMap { known[Known.purpose + $0] }.joined(separator: " ")
    }

    /// "ИНН 7719617469 ОАО Крокус" → 7719617469.
    static func innPrefix(_ text: String?) -> String? {
        guard let text, text.hasPrefix("ИНН") else { return nil }
        let digits = text.dropFirst(3).drop { $0 == " " }.prefix { $0.isASCIIDigit }
        return digits.count == 10 || digits.count == 12 ? String(digits) : nil
    }

    static func name(_ short: String?, _ long: String?) -> String {
        if let short { return short }
        guard let long else { return "" }
        if innPrefix(long) != nil {
            return String(long.dropFirst(3).drop { $0 == " " }.drop { $0.isASCIIDigit }.drop { $0 == " " })
        }
        return long
    }
}

/// The document keys Pacer reads, by position in `BankDocument.known`.
enum Known {
    static let names = [
        "Номер", "Дата", "Сумма", "ДатаПоступило", "ДатаСписано", "ПлательщикСчет", "ПлательщикРасчСчет", "ПолучательСчет",
        "ПолучательРасчСчет", "ПлательщикИНН", "Плательщик", "ПолучательИНН", "Получатель", "ПлательщикКПП", "Плательщик1",
        "Получатель1", "НазначениеПлатежа", "НазначениеПлатежа1", "НазначениеПлатежа2", "НазначениеПлатежа3", "НазначениеПлатежа4",
        "НазначениеПлатежа5", "НазначениеПлатежа6",
    ]
    static let number = 0, date = 1, amount = 2, receivedOn = 3, debitedOn = 4, payerAccount = 5, payerSettlementAccount = 6
    static let payeeAccount = 7, payeeSettlementAccount = 8, payerInn = 9, payer = 10, payeeInn = 11, payee = 12, payerKpp = 13
    static let payer1 = 14, payee1 = 15, purpose = 16

    /// UTF-8 bytes of a key → its position.
    static let index: [[UInt8]: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { (Array($0.element.utf8), $0.offset) })

    /// Without the spaces and tabs around it; nil when nothing is left.
    static func trimmed(_ text: String) -> String? {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
        let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return text }
        return String(text[first...last])
    }
}
