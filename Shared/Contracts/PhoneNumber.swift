import Foundation

/// Normalises phone numbers to E.164 as Russian users and PBXs write them: `8 (916) 123-45-67`,
/// `+7 916 123 45 67`, `79161234567`, `9161234567` → `+79161234567`. Other countries need their
/// `+` prefix (or the international `00`/`810` prefixes).
public enum PhoneNumber {
    public static func e164(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ ($0.isASCII && $0.isNumber) || " +-()./".contains($0) }) else { return nil }
        let digits = trimmed.filter { $0.isASCII && $0.isNumber }
        if trimmed.hasPrefix("+") {
            return (8...15).contains(digits.count) ? "+" + digits : nil
        }
        if digits.hasPrefix("810") && digits.count > 11 { return "+" + digits.dropFirst(3) }
        if digits.hasPrefix("00") && digits.count > 10 { return "+" + digits.dropFirst(2) }
        switch digits.count {
        case 11 where digits.first == "8" || digits.first == "7": return "+7" + digits.dropFirst()
        case 10 where "3489".contains(digits.first!): return "+7" + digits
        default: return nil
        }
    }
}
