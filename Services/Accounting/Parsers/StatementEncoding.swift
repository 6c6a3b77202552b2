import Foundation

/// The text encodings 1C and bank clients write statements in. The `Кодировка=` line is not
/// trusted: real files say `Windows` and are UTF-8, so the encoding is read from the bytes.
public enum StatementEncoding: String, Sendable, Codable {
    case utf8 = "UTF-8"
    case windows1251 = "Windows-1251"
    case cp866 = "CP866"

    /// Decides from the first bytes of a file (64 KiB is plenty): UTF-8 when they are valid UTF-8
    /// with Cyrillic in them; otherwise Windows-1251 or DOS cp866 by where the letters fall — the
    /// lowercase letters that dominate Russian text sit at 0xE0–0xFF in one and at 0xA0–0xAF,
    /// 0xE0–0xEF in the other, and each one's letter range is the other's pseudographics.
    public static func detect(_ sample: some Collection<UInt8>) -> StatementEncoding {
        var bytes = Array(sample)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        guard bytes.contains(where: { $0 >= 0x80 }) else { return .windows1251 }
        // A sample cut inside a multi-byte character is still UTF-8.
        for _ in 0..<4 {
            if String(validating: bytes, as: UTF8.self) != nil { return .utf8 }
            guard !bytes.isEmpty else { break }
            bytes.removeLast()
        }
        var cp1251 = 0, cp866 = 0
        for byte in sample where byte >= 0x80 {
            switch byte {
            case 0xA8, 0xB8, 0xB9: cp1251 += 1                  // Ё ё № in 1251; box lines in 866
            case 0x80...0xAF: cp866 += 1                        // А–Я а–п in 866; punctuation in 1251
            case 0xB0...0xDF: cp1251 += 1                       // А–Я in 1251; box drawing in 866
            case 0xE0...0xEF: cp1251 += 1; cp866 += 1           // а–п in 1251, р–я in 866
            case 0xF0...0xFF: cp1251 += 1                       // р–я in 1251; rare signs in 866
            default: break
            }
        }
        return cp866 > cp1251 ? .cp866 : .windows1251
    }

    /// Appends the UTF-8 form of `bytes` in this encoding to `output`.
    func appendUTF8(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        switch self {
        case .utf8:
            output.append(contentsOf: bytes)
        case .windows1251, .cp866:
            let table = self == .cp866 ? Self.cp866Table : Self.cp1251Table
            for byte in bytes {
                if byte < 0x80 { output.append(byte); continue }
                let scalar = table[Int(byte) - 0x80]
                if scalar < 0x800 {
                    output.append(UInt8(0xC0 | (scalar >> 6)))
                    output.append(UInt8(0x80 | (scalar & 0x3F)))
                } else {
                    output.append(UInt8(0xE0 | (scalar >> 12)))
                    output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                    output.append(UInt8(0x80 | (scalar & 0x3F)))
                }
            }
        }
    }

    /// Windows-1251 0x80–0xFF as Unicode scalars (0x98 is unassigned: U+FFFD).
    static let cp1251Table: [UInt32] = [
        0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
        0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
        0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
        0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
    ] + (0x0410...0x044F).map { UInt32($0) }

    /// DOS cp866 0x80–0xFF as Unicode scalars.
    static let cp866Table: [UInt32] = (0x0410...0x043F).map { UInt32($0) } + [
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    ] + (0x0440...0x044F).map { UInt32($0) } + [
        0x0401, 0x0451, 0x0404, 0x0454, 0x0407, 0x0457, 0x040E, 0x045E, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x2116, 0x00A4, 0x25A0, 0x00A0,
    ]
}
