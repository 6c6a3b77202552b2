import Contracts
import Testing

@Suite("Hex text of bytes")
struct HexTests {
    @Test("two lower-case digits a byte, after the prefix")
    func digits() {
        #expect(Hex.lowercase([0x00, 0x0F, 0xA5, 0xFF] as [UInt8]) == "000fa5ff")
        #expect(Hex.lowercase([0x01, 0xBC] as [UInt8], prefix: "pay-") == "pay-01bc")
        #expect(Hex.lowercase([] as [UInt8], prefix: "pct_") == "pct_")
    }
}
