import Contracts
import Foundation
import Messaging
import Testing

@Suite("Wire header frame")
struct WireHeaderTests {
    @Test func roundTrip() {
        let header = WireHeader(publisher: "deals-1", epoch: "0c1d", stream: "deals", seq: 42, eventId: "e-1", type: "deal.changed")
        #expect(String(decoding: header.encoded(), as: UTF8.self) == "1 deals-1 0c1d deals 42 e-1 deal.changed")
        #expect(WireHeader(parsing: header.encoded()) == header)
        #expect(header.topic == "deals/deal.changed")
    }

    @Test func rejectsMalformed() {
        #expect(WireHeader(parsing: Array("2 a b c 1 e t".utf8)) == nil)
        #expect(WireHeader(parsing: Array("1 a b c x e t".utf8)) == nil)
        #expect(WireHeader(parsing: Array("1 a b c -1 e t".utf8)) == nil)
        #expect(WireHeader(parsing: Array("1 a b c 1 e".utf8)) == nil)
    }
}
