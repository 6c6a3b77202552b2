import Foundation

/// Normalises phone numbers to E.164 as Russian users and PBXs write them: `8 (916) 123-45-67`,
/// `+7 916 123 45 67`, `79161234567`, `9161234567` → `+79161234567`. Other countries need their
/// `+` prefix (or the international `00`/`810` prefixes).
public enum PhoneNumber {
    public static func e164(_ text: String) -> String? {
        // Byte by byte for ASCII (every number a PBX writes): matching normalises two numbers per
        // call, and the Character-based rules below cost more than the call's SQL.
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return characterRules(text) }
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard start < end else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        for byte in bytes[start..<end] {
            switch byte {
            case 0x30...0x39: digits.append(byte)
            case 0x20, 0x2B, 0x2D, 0x28, 0x29, 0x2E, 0x2F: continue      // space + - ( ) . /
            default: return nil
            }
        }
        func plus(_ prefix: String, _ rest: ArraySlice<UInt8>) -> String { prefix + String(decoding: rest, as: UTF8.self) }
        if bytes[start] == 0x2B { return (8...15).contains(digits.count) ? plus("+", digits[...]) : nil }
        if digits.starts(with: [0x38, 0x31, 0x30]) && digits.count > 11 { return plus("+", digits.dropFirst(3)) }
        if digits.starts(with: [0x30, 0x30]) && digits.count > 10 { return plus("+", digits.dropFirst(2)) }
        switch digits.count {
        case 11 where digits[0] == 0x38 || digits[0] == 0x37: return plus("+7", digits.dropFirst())
        case 10 where [0x33, 0x34, 0x38, 0x39].contains(digits[0]): return plus("+7", digits[...])
        default: return nil
        }
    }

    /// The rules on Characters, for text with non-ASCII in it (Unicode spaces are trimmed too).
    static func characterRules(_ text: String) -> String? {
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
