/// Normalises phone numbers to E.164 as Russian users write them: `8 (916) 123-45-67`,
/// `+7 916 123 45 67`, `9161234567` → `+79161234567`. Other countries need their `+` prefix.
enum PhoneNumber {
    static func e164(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter(\.isASCIIDigit)
        guard trimmed.allSatisfy({ $0.isASCIIDigit || " +-()./".contains($0) }) else { return nil }
        if trimmed.hasPrefix("+") {
            return (8...15).contains(digits.count) ? "+" + digits : nil
        }
        switch digits.count {
        case 11 where digits.first == "8" || digits.first == "7": return "+7" + digits.dropFirst()
        case 10 where digits.first == "9" || digits.first == "4" || digits.first == "8" || digits.first == "3": return "+7" + digits
        default: return nil
        }
    }
}

/// Russian taxpayer numbers: 10 digits for companies, 12 for persons, with check digits.
enum INN {
    static func isValid(_ inn: String) -> Bool {
        let d = inn.compactMap { $0.wholeNumberValue }
        guard d.count == inn.count, inn.allSatisfy(\.isASCIIDigit) else { return false }
        func check(_ weights: [Int], _ count: Int) -> Int { (zip(weights, d.prefix(count)).map(*).reduce(0, +) % 11) % 10 }
        switch d.count {
        case 10: return check([2, 4, 10, 3, 5, 9, 4, 6, 8], 9) == d[9]
        case 12: return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 10) == d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 11) == d[11]
        default: return false
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

import Foundation
