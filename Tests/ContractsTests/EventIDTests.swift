import Contracts
import Foundation
import Testing

@Suite("Event ids")
struct EventIDTests {
    @Test("an id is a UUID version 7 whose first 48 bits are the instant's Unix milliseconds")
    func layout() throws {
        let instant = Date(timeIntervalSince1970: 1_796_630_400.125)  // 2026-12-07T08:00:00.125Z: binary-exact
        let id = EventID.make(at: instant)
        #expect(id.utf8.count == 36)
        let groups = id.split(separator: "-").map(String.init)
        #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
        #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
        #expect(groups[0] + groups[1] == String(1_796_630_400_125, radix: 16).leftPadded(to: 12))
        #expect(groups[2].first == "7")
        #expect(["8", "9", "a", "b"].contains(groups[3].first.map(String.init) ?? ""))
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
    }

    @Test("ids made in the same millisecond differ, and later instants sort after earlier ones")
    func uniqueAndOrdered() {
        let instant = Date(timeIntervalSince1970: 1_796_630_400)
        let ids = (0..<10_000).map { _ in EventID.make(at: instant) }
        #expect(Set(ids).count == 10_000)
        #expect(EventID.make(at: instant.addingTimeInterval(0.001)) > ids.max()!)
    }

    @Test("the time prefix of an instant: ids made before it sort below, ids made at or after it above")
    func timePrefix() {
        let instant = Date(timeIntervalSince1970: 1_796_630_400.125)
        #expect(EventID.timePrefix(at: instant) == "01a24f84-4c7d")
        #expect(EventID.make(at: instant).hasPrefix("01a24f84-4c7d-7"))
        #expect(EventID.make(at: instant.addingTimeInterval(-0.001)) < EventID.timePrefix(at: instant))
        #expect(EventID.make(at: instant) > EventID.timePrefix(at: instant))
        #expect(EventID.make(at: instant.addingTimeInterval(86_400)) > EventID.timePrefix(at: instant))
        #expect(EventID.timePrefix(at: Date(timeIntervalSince1970: 0)) == "00000000-0000")
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
