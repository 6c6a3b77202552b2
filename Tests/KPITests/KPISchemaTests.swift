import Contracts
import Foundation
import GRDB
@testable import KPI
import Messaging
import Testing
import TestSupport

@Suite("KPI migrations")
struct KPISchemaTests {
    /// A database in `dir` migrated up to `migration`, and the migrator that takes it the rest of the way.
    static func database(in dir: TemporaryDirectory, upTo migration: String) throws -> (DatabaseQueue, DatabaseMigrator) {
        let queue = try DatabaseQueue(path: dir.file("k.sqlite"))
        var migrator = DatabaseMigrator()
        KPISchema.migrations(&migrator)
        try migrator.migrate(queue, upTo: migration)
        return (queue, migrator)
    }

    /// SQLite's plan for each statement in a fully migrated, empty database, one line each.
    static func plans(_ statements: [String]) throws -> [String] {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        KPISchema.migrations(&migrator)
        try migrator.migrate(queue)
        return try queue.read { db in
            try statements.map { sql in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ") }
        }
    }

    @Test("the monthly sums start as the daily cells summed by month, frozen copies too")
    func monthAggregate() throws {
        let dir = try TemporaryDirectory("kpi-schema")
        defer { dir.remove() }
        let (queue, migrator) = try Self.database(in: dir, upTo: "kpi.v6-metric-day-index")
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

    @Test("a card's task and receivable counts, its deal averages and a paid invoice's receivables are found by index")
    func cardIndexes() throws {
        let plans = try Self.plans([
            "SELECT COUNT(*) FROM fact_task WHERE assigneeId = 'm1' AND overdue = 1 AND status = 'open'",
            "SELECT COALESCE(SUM(outstanding), 0) FROM fact_receivable WHERE managerId = 'm1' AND overdue = 1",
            "UPDATE fact_receivable SET outstanding = 0, overdue = 0 WHERE invoiceId = 'i1'",
            "SELECT COUNT(*), SUM(amount), AVG(closedAt - createdAt) FROM fact_deal WHERE status = 'won' AND closedAt >= 1 AND closedAt < 2 AND managerId IN ('m1')",
            "SELECT COUNT(*), SUM(amount), AVG(closedAt - createdAt) FROM fact_deal WHERE status = 'won' AND closedAt >= 1 AND closedAt < 2",
            "SELECT COUNT(*) FROM fact_deal WHERE managerId = 'm1' AND status = 'open'",
        ])
        #expect(plans[0].contains("USING INDEX fact_task_assignee"), "\(plans[0])")
        #expect(plans[1].contains("USING INDEX fact_receivable_manager"), "\(plans[1])")
        #expect(plans[2].contains("USING INDEX fact_receivable_invoice"), "\(plans[2])")
        // A card's average deal and cycle, and the company's, from an index alone.
        #expect(plans[3].contains("USING COVERING INDEX fact_deal_manager (managerId=? AND status=? AND closedAt>? AND closedAt<?)"), "\(plans[3])")
        #expect(plans[4].contains("USING COVERING INDEX fact_deal_closed (status=? AND closedAt>? AND closedAt<?)"), "\(plans[4])")
        #expect(plans[5].contains("USING COVERING INDEX fact_deal_manager (managerId=? AND status=?)"), "\(plans[5])")
    }

    @Test("the activity page's touches on deals and the funnel's deals of a period are found by index")
    func dashboardIndexes() throws {
        let plans = try Self.plans([
            // As `Dashboard.activity` and `Reports.funnel` ask.
            """
            SELECT managerId, COUNT(*) AS n FROM (
                SELECT managerId FROM fact_call WHERE dealId IS NOT NULL AND direction != 'internal' AND startedAt >= 1 AND startedAt < 2
                UNION ALL SELECT managerId FROM fact_activity WHERE dealId IS NOT NULL AND at >= 1 AND at < 2)
            WHERE managerId IS NOT NULL GROUP BY managerId
            """,
            "SELECT d.id, d.status, d.lossReason, d.stageId FROM fact_deal d WHERE d.createdAt >= 1 AND d.createdAt < 2",
            """
            SELECT v.dealId, v.pipelineId, v.stageId FROM fact_visit v JOIN fact_deal d ON d.id = v.dealId
            WHERE d.createdAt >= 1 AND d.createdAt < 2 ORDER BY v.dealId, v.position
            """,
        ])
        #expect(plans[0].contains("SEARCH fact_call USING COVERING INDEX fact_call_on_deal (startedAt>? AND startedAt<?)"), "\(plans[0])")
        #expect(plans[0].contains("SEARCH fact_activity USING COVERING INDEX fact_activity_on_deal (at>? AND at<?)"), "\(plans[0])")
        #expect(plans[1].contains("SEARCH d USING INDEX fact_deal_created (createdAt>? AND createdAt<?)"), "\(plans[1])")
        #expect(plans[2].contains("SEARCH d USING INDEX fact_deal_created (createdAt>? AND createdAt<?)"), "\(plans[2])")
        #expect(!plans.joined().contains("SCAN fact_call") && !plans.joined().contains("SCAN v"), "\(plans)")
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

    @Test("the daily cells are keyed day first and kept; calls' stored contributions go, and a call moved afterwards moves its cells")
    func dayFirstAggregate() throws {
        let dir = try TemporaryDirectory("kpi-schema")
        defer { dir.remove() }
        let (queue, migrator) = try Self.database(in: dir, upTo: "kpi.v8-task-receivable-indexes")
        let zone = TimeZone(identifier: "Europe/Moscow")!
        // A call of m1 on 1 Oct as the projection stored it before: its row, its four cells, its contribution.
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO fact_call(id, managerId, clientId, dealId, direction, counterpart, startedAt, billableSeconds, answered, recordingURL)
                    VALUES ('x', 'm1', NULL, NULL, 'outgoing', '+7495', 1790000000, 60, 1, NULL);
                INSERT INTO agg VALUES ('calls', 'm1', '2026-09-21', '', '', '', '', 1), ('calls_outgoing', 'm1', '2026-09-21', '', '', '', '', 1),
                    ('calls_answered', 'm1', '2026-09-21', '', '', '', '', 1), ('talk_seconds', 'm1', '2026-09-21', '', '', '', '', 60),
                    ('won_amount', 'm2', '2026-09-20', 'equipment', 'Москва', 'smb', 'website', 100000);
                INSERT INTO contribution VALUES ('call:x', 'calls|m1|2026-09-21||||=1'), ('deal:d1', 'won_amount|m2|2026-09-20|equipment|Москва|smb|website=100000');
                """)
        }
        try migrator.migrate(queue)
        func cells(_ db: Database) throws -> [String] {
            try Row.fetchAll(db, sql: "SELECT * FROM agg_figures ORDER BY metric, managerId, day").map {
                "\($0["metric"] as String) \($0["managerId"] as String) \($0["day"] as String) \($0["category"] as String) \($0["value"] as Int64)"
            }
        }
        try queue.read { (db: Database) throws in
            #expect(try cells(db) == ["calls m1 2026-09-21  1", "calls_answered m1 2026-09-21  1", "calls_outgoing m1 2026-09-21  1",
                                      "talk_seconds m1 2026-09-21  60", "won_amount m2 2026-09-20 equipment 100000"])
            #expect(try String.fetchAll(db, sql: "SELECT entity FROM contribution") == ["deal:d1"])
            let key = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_xinfo((SELECT name FROM pragma_index_list('agg') WHERE origin = 'pk')) WHERE key = 1 ORDER BY seqno")
            #expect(key == ["day", "metric", "managerId", "category", "region", "segment", "source"])
            let plans = try ["SELECT value FROM agg_figures WHERE managerId = 'm1' AND day BETWEEN '2026-09-01' AND '2026-09-30'",
                             "SELECT value FROM agg_figures WHERE metric = 'calls' AND day BETWEEN '2026-09-01' AND '2026-09-30'"].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ")
            }
            #expect(plans[0].contains("USING INDEX agg_manager_day"), "\(plans[0])")
            #expect(plans[1].contains("USING INDEX agg_metric_day"), "\(plans[1])")
        }
        // The call, rematched to m2 and now incoming and missed two days later: m1's cells are gone, m2 has the new ones.
        let moved = CallState(callId: "x", revision: 2, direction: .incoming, from: "+7495", to: "102", extension_: "102", managerId: "m2",
                              clientId: nil, dealId: nil, startedAt: Date(timeIntervalSince1970: 1_790_000_000 + 2 * 86_400), answeredAt: nil,
                              endedAt: nil, durationSeconds: 10, billableSeconds: 0, answered: false, disposition: "NO ANSWER",
                              recordingURL: nil, source: "cdr")
        let update = try ReceivedEvent.encoded(CallUpdated(call: moved, changedFields: ["managerId"]), seq: 1, at: moved.startedAt,
                                               publisher: "telephony", stream: "telephony")
        let projection = Projection(zone: zone)
        try queue.write { db in
            try projection.apply(update, in: db)
            try projection.finishBatch(in: db)
        }
        try queue.read { (db: Database) throws in
            #expect(try cells(db) == ["calls m1 2026-09-21  0", "calls m2 2026-09-23  1", "calls_answered m1 2026-09-21  0",
                                      "calls_incoming m2 2026-09-23  1", "calls_missed m2 2026-09-23  1", "calls_outgoing m1 2026-09-21  0",
                                      "talk_seconds m1 2026-09-21  0", "won_amount m2 2026-09-20 equipment 100000"])
            #expect(try String.fetchAll(db, sql: "SELECT managerId FROM fact_call") == ["m2"])
        }
    }
}
