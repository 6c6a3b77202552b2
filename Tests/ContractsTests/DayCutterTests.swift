import Contracts
import Foundation
import Testing

@Suite("Days cut by a cutter that remembers the last one")
struct DayCutterTests {
    @Test("every instant gets the calendar's day, in time order and out of it, across DST changes", arguments: [
        "Europe/Moscow", "Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe", "UTC",
    ])
    func sameAsCalendar(zone: String) throws {
        let zone = try #require(TimeZone(identifier: zone))
        let cutter = DayCutter(zone: zone)
        var random = SystemRandomNumberGenerator()
        // Every 17 minutes over two years (both DST changes of each), then random instants.
        let start = 1_735_689_600.0     // 2025-01-01T00:00:00Z
        var instants = stride(from: start, to: start + 2 * 365 * 86_400, by: 17 * 60).map { $0 }
        instants += (0..<5_000).map { _ in Double.random(in: -86_400 * 365...4_000_000_000, using: &random) }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let expected = CalendarDay.of(date, in: zone)
            let cut = cutter.day(date)
            if cut != expected {
                Issue.record("\(zone.identifier) \(instant): \(cut), the calendar says \(expected)")
                return
            }
        }
    }

    @Test("the last second of a day and the first of the next")
    func edges() {
        let moscow = TimeZone(identifier: "Europe/Moscow")!
        let cutter = DayCutter(zone: moscow)
        let midnight = CalendarDay.start("2026-11-21", in: moscow)!
        #expect(cutter.day(midnight.addingTimeInterval(-0.001)) == "2026-11-20")
        #expect(cutter.day(midnight) == "2026-11-21")
        #expect(cutter.day(midnight.addingTimeInterval(86_399.999)) == "2026-11-21")
        #expect(cutter.day(midnight.addingTimeInterval(86_400)) == "2026-11-22")
        #expect(cutter.day(midnight.addingTimeInterval(-0.001)) == "2026-11-20")
    }
}
