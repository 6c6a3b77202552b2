import Contracts
import Foundation
import Testing

@Suite("JSON strings written by hand")
struct JSONStringTests {
    @Test("every string escapes exactly as Foundation's encoder writes it", arguments: [
        "", "plain", "ООО \"Ромашка\"", "\"", "\\", "a\\\"b", "path/with/slashes", "tab\there\nline\rcr",
        "\u{8}\u{C}", String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }), "ends with quote\"",
        "\"starts with quote", "эмодзи 👍 и «ёлочки»", String(repeating: "Оплата по счёту \"№ 1\" ", count: 40),
    ])
    func escapes(_ text: String) throws {
        var written: [UInt8] = []
        EnvelopeWriter.appendJSONString(text, to: &written)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: try encoder.encode(text), as: UTF8.self))
    }
}
