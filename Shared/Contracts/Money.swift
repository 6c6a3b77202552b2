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
        if let plain = plainKopecks(text) { return plain }
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

    /// The common shape read without Foundation: digits, optionally `.` or `,` and one or two
    /// more (`1000`, `400.5`, `77,05`); nil for anything else, which the general reading takes.
    private static func plainKopecks(_ text: String) -> Int64? {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { bytes -> Int64? in
            var whole: Int64 = 0, fraction: Int64 = 0
            var wholeDigits = 0, fractionDigits = -1
            for byte in bytes {
                switch byte {
                case 0x30...0x39:
                    if fractionDigits < 0 {
                        guard wholeDigits < 16 else { return nil }
                        whole = whole * 10 + Int64(byte - 0x30); wholeDigits += 1
                    } else {
                        guard fractionDigits < 2 else { return nil }
                        fraction = fraction * 10 + Int64(byte - 0x30); fractionDigits += 1
                    }
                case 0x2E, 0x2C:
                    guard fractionDigits < 0, wholeDigits > 0 else { return nil }
                    fractionDigits = 0
                default:
                    return nil
                }
            }
            guard wholeDigits > 0, fractionDigits != 0 else { return nil }
            return whole * 100 + (fractionDigits == 1 ? fraction * 10 : fraction)
        } ?? nil
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
