/// Lower-case hexadecimal text of bytes (digests, signatures, ids): two digits a byte, written
/// straight into UTF-8 — `String(format: "%02x")` a byte at a time went through Foundation's
/// formatter for each one.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func lowercase<Bytes: Sequence<UInt8>>(_ bytes: Bytes, prefix: String = "") -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + 2 * bytes.underestimatedCount)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
