import Foundation
import Synchronization

private let sequence = Atomic<UInt16>(0)
/// SplitMix64 state, seeded once from the system generator: a getrandom() call per id was 6 % of
/// an outbox append. Ids need uniqueness, not secrecy.
private let mixer = Atomic<UInt64>(UInt64.random(in: .min ... .max))

private func nextRandom() -> UInt64 {
    var z = mixer.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Event ids: UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits.
/// Time-ordered ids keep the subscribers' inbox index appending at its end instead of touching a
/// random page per insert, which is what kept a random-UUID inbox at a tenth of SQLite's speed.
public enum EventID {
    public static func make(at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        // rand_a (12 bits) from a process-wide counter, as RFC 9562 §6.2 allows.
        let random = UInt64(sequence.wrappingAdd(1, ordering: .relaxed).oldValue) & 0xFFFF
        let random2 = nextRandom()
        // Written straight into the string's storage: the byte arrays this was built from were
        // three allocations per id, and an import writes an id per event.
        let high = (millis & 0xFFFF_FFFF_FFFF) << 16 | (0x70 | random & 0x0F) << 8 | (random >> 8) & 0xFF
        let low = (0x80 | (random2 >> 56) & 0x3F) << 56 | random2 & 0x00FF_FFFF_FFFF_FFFF
        return String(unsafeUninitializedCapacity: 36) { out in
            var index = 0
            func put(_ value: UInt64, bytes: Int, from: Int) {
                for position in from..<(from + bytes) {
                    let byte = UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64(position)))
                    out[index] = Hex.digit(byte >> 4)
                    out[index + 1] = Hex.digit(byte & 0x0F)
                    index += 2
                }
            }
            put(high, bytes: 4, from: 0); out[index] = 0x2D; index += 1
            put(high, bytes: 2, from: 4); out[index] = 0x2D; index += 1
            put(high, bytes: 2, from: 6); out[index] = 0x2D; index += 1
            put(low, bytes: 2, from: 0); out[index] = 0x2D; index += 1
            put(low, bytes: 6, from: 2)
            return index
        }
    }

    /// The time part every id made at `date` starts with (`xxxxxxxx-xxxx`, its Unix milliseconds):
    /// an id made earlier sorts before it, one made then or later after it.
    public static func timePrefix(at date: Date) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        var out: [UInt8] = []
        out.reserveCapacity(13)
        for shift in stride(from: 44, through: 0, by: -4) {
            if shift == 12 { out.append(0x2D) }
            out.append(Hex.digit(UInt8(truncatingIfNeeded: millis >> UInt64(shift)) & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
