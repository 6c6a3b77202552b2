/// Lower-case hexadecimal text of bytes (digests, signatures, ids): two digits a byte, written
/// straight into UTF-8 — `String(format: "%02x")` a byte at a time went through Foundation's
/// formatter for each one.
public enum Hex {
    public static func lowercase<Bytes: Sequence<UInt8>>(_ bytes: Bytes, prefix: String = "") -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + 2 * bytes.underestimatedCount)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lower-case digit of a nibble (0…15), as a UTF-8 byte.
    static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
}
