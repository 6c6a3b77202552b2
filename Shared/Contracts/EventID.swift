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
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: random & 0x0F)
        bytes[7] = UInt8(truncatingIfNeeded: random >> 8)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (random2 >> 56) & 0x3F)
        for i in 9..<16 { bytes[i] = UInt8(truncatingIfNeeded: random2 >> (8 * UInt64(i - 9))) }
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(0x2D) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
