import Foundation

/// An amount of money in the smallest unit (kopecks for RUB). Never a floating-point number.
///
/// On the wire: `{"currency":"RUB","kopecks":1234550}`.
public struct Money: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kopecks: Int64
    public var currency: String

    public init(kopecks: Int64, currency: String = "RUB") {
        self.kopecks = kopecks
        self.currency = currency
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.kopecks < rhs.kopecks }

    /// Parses a decimal amount of rubles as banks write it: `700`, `700.5`, `1 234,56`, `-12.30`.
    /// Returns nil for anything else, including more than two decimals, so nothing is rounded silently.
    public static func parseKopecks(_ text: String) -> Int64? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
            .filter { $0 != " " && $0 != "\u{00A0}" && $0 != "\u{202F}" }[...]
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() }
        else if digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: digits.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty,
              whole.allSatisfy(\.isASCIIDigit), let rubles = Int64(whole) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy(\.isASCIIDigit), let value = Int64(f) else { return nil }
            fraction = f.count == 1 ? value * 10 : value
        }
        let (product, overflow) = rubles.multipliedReportingOverflow(by: 100)
        guard !overflow else { return nil }
        let total = product + fraction
        return negative ? -total : total
    }

    /// `1234550` → `12345.50`: a plain decimal, for files and logs.
    public static func decimalString(_ kopecks: Int64) -> String {
        let sign = kopecks < 0 ? "-" : ""
        let magnitude = kopecks.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public var description: String { "\(Money.decimalString(kopecks)) \(currency)" }
}

extension Character {
    /// 0–9 and nothing else that Unicode calls a number.
    public var isASCIIDigit: Bool { isASCII && isNumber }
}
