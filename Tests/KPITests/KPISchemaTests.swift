import Foundation
import GRDB
@testable import KPI
import Testing
import TestSupport

@Suite("KPI migrations")
struct KPISchemaTests {
    @Test("the monthly sums start as the daily cells summed by month, frozen copies too")
    func monthAggregate() throws {
        let dir = try TemporaryDirectory("kpi-schema")
        defer { dir.remove() }
        let queue = try DatabaseQueue(path: dir.file("k.sqlite"))
        var migrator = DatabaseMigrator()
        KPISchema.migrations(&migrator)
        try migrator.migrate(queue, upTo: "kpi.v6-metric-day-index")
        try queue.write { db in
            for (table, metric, manager, day, category, value) in [
                ("agg", "calls", "m1", "2026-10-01", "", 3), ("agg", "calls", "m1", "2026-10-31", "", 2), ("agg", "calls", "m1", "2026-11-01", "", 1),
                ("agg", "won_amount", "m2", "2026-10-05", "equipment", 100_00), ("agg", "won_amount", "m2", "2026-10-06", "services", 50_00),
                ("agg", "lost_deals", "m2", "2026-10-07", "", 1), ("agg", "lost_deals", "m2", "2026-10-08", "", -1),
                ("frozen_agg", "calls", "m1", "2026-10-01", "", 3), ("frozen_agg", "calls", "m1", "2026-10-31", "", 1),
            ] as [(String, String, String, String, String, Int64)] {
                try db.execute(sql: "INSERT INTO \(table)(metric, managerId, day, category, region, segment, source, value) VALUES (?, ?, ?, ?, '', '', '', ?)",
                               arguments: [metric, manager, day, category, value])
            }
        }
        try migrator.migrate(queue)
        let (months, frozen) = try queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT metric, month, managerId, category, value FROM agg_month ORDER BY metric, month, managerId, category")
                .map { "\($0["metric"] as String) \($0["month"] as String) \($0["managerId"] as String) \($0["category"] as String) \($0["value"] as Int64)" },
             try Row.fetchAll(db, sql: "SELECT metric, month, managerId, value FROM frozen_agg_month")
                .map { "\($0["metric"] as String) \($0["month"] as String) \($0["managerId"] as String) \($0["value"] as Int64)" })
        }
        // Lost deals that came and went in October leave no monthly row.
        #expect(months == ["calls 2026-10 m1  5", "calls 2026-11 m1  1", "won_amount 2026-10 m2 equipment 10000", "won_amount 2026-10 m2 services 5000"])
        #expect(frozen == ["calls 2026-10 m1 4"])
    }

    @Test("a card's task and receivable counts and a paid invoice's receivables are found by index")
    func cardIndexes() throws {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        KPISchema.migrations(&migrator)
        try migrator.migrate(queue)
        let plans = try queue.read { db in
            try [
                "SELECT COUNT(*) FROM fact_task WHERE assigneeId = 'm1' AND overdue = 1 AND status = 'open'",
                "SELECT COALESCE(SUM(outstanding), 0) FROM fact_receivable WHERE managerId = 'm1' AND overdue = 1",
                "UPDATE fact_receivable SET outstanding = 0, overdue = 0 WHERE invoiceId = 'i1'",
            ].map { sql in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ") }
        }
        #expect(plans[0].contains("USING INDEX fact_task_assignee"), "\(plans[0])")
        #expect(plans[1].contains("USING INDEX fact_receivable_manager"), "\(plans[1])")
        #expect(plans[2].contains("USING INDEX fact_receivable_invoice"), "\(plans[2])")
    }

    @Test("whole months are read from the monthly sums, other ranges from the days")
    func filterMonths() {
        let october = Period("2026-10")!
        #expect(Filter(managers: nil, period: october).months?.first == "2026-10")
        #expect(Filter(managers: nil, period: Period("2026-Q4")!).months.map { "\($0.first)…\($0.last)" } == "2026-10…2026-12")
        #expect(Filter(managers: nil, period: Period("2024-02")!).months?.last == "2024-02")
        var partial = Filter(managers: nil, period: october)
        partial.to = "2026-10-15"
        #expect(partial.months == nil)
        #expect(partial.cells.table == "agg_figures")
        partial.to = "2026-10-31"
        partial.from = "2026-10-02"
        #expect(partial.months == nil)
        #expect(Filter(managers: ["m1"], period: october).cells.table == "agg_month_figures")
    }
}
