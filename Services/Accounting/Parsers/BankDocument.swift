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

    public func value(_ key: String) -> String? {
        fields.first { $0.key == key }.map { $0.value.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `ПлательщикСчет`, or `ПлательщикРасчСчет` when a bank writes only that.
    public var payerAccount: String? { value("ПлательщикСчет") ?? value("ПлательщикРасчСчет") }
    public var payeeAccount: String? { value("ПолучательСчет") ?? value("ПолучательРасчСчет") }
    public var payerInn: String? { value("ПлательщикИНН") ?? Self.innPrefix(value("Плательщик")) }
    public var payeeInn: String? { value("ПолучательИНН") ?? Self.innPrefix(value("Получатель")) }
    public var payerKpp: String? { value("ПлательщикКПП") }
    public var payerName: String { Self.name(value("Плательщик1"), value("Плательщик")) }
    public var payeeName: String { Self.name(value("Получатель1"), value("Получатель")) }

    /// `НазначениеПлатежа`, or its numbered parts `НазначениеПлатежа1`–`6` joined.
    public var purpose: String {
        if let whole = value("НазначениеПлатежа") { return whole }
        return (1...6).compactMap { value("НазначениеПлатежа\($0)") }.joined(separator: " ")
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

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
