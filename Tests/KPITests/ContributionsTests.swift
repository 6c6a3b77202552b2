import Foundation
@testable import KPI
import Testing

@Suite("What an entity adds to the aggregate, as stored")
struct ContributionsTests {
    @Test("cells are written one a line, sorted, with `|` and line breaks in names made harmless, and read back alike")
    func encoding() {
        var contributions = Contributions()
        contributions.add(.wonAmount, 150_000_00, manager: "m1", day: "2026-11-20", category: "оборудование|сервис", region: "Москва",
                          segment: "smb", source: "сайт\nреклама")
        contributions.add(.calls, 1, manager: "m1", day: "2026-11-20")
        contributions.add(.calls, 2, manager: "m1", day: "2026-11-20")
        contributions.add(.lostDeals, 0, manager: "m2", day: "2026-11-21")
        #expect(contributions.encoded == """
            calls|m1|2026-11-20||||=3
            won_amount|m1|2026-11-20|оборудование/сервис|Москва|smb|сайт реклама=15000000
            """)
        let read = Contributions(encoded: contributions.encoded)
        #expect(read.cells.count == 2)
        #expect(read.cells[Cell(metric: .calls, managerId: "m1", day: "2026-11-20")] == 3)
        #expect(read.cells[Cell(metric: .wonAmount, managerId: "m1", day: "2026-11-20", category: "оборудование/сервис", region: "Москва",
                                segment: "smb", source: "сайт реклама")] == 150_000_00)
        #expect(Contributions().encoded == "")
    }
}
