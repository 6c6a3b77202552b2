import Contracts
import Foundation
import GRDB
@testable import KPI
import Messaging
import Storage
import Testing
import TestSupport

@Suite("KPI recompute")
struct RecomputeTests {
    let zone = TimeZone(identifier: "Europe/Moscow")!

    /// Two deals through every kind of change — a stage move, a reassignment, a new amount, won;
    /// created and lost — some calls over two days and a payment, a batch each step.
    static func events() throws -> [[ReceivedEvent]] {
        var seq: Int64 = 0
        func event<P: EventPayload>(_ payload: P, _ at: String) throws -> ReceivedEvent {
            seq += 1
            return try .encoded(payload, seq: seq, at: Upstream.msk(at))
        }
        var d1 = deal("d1", manager: "m1", client: "c1", rub: 1_000, stage: "new", probability: 10, created: "2026-10-05 10:00", version: 1)
        var batches: [[ReceivedEvent]] = [[
            try event(ManagerUpserted(managerId: "m1", name: "Анна", teamId: "t1", role: "manager", extensions: [], phones: [], email: nil,
                                      telegramChatId: nil, active: true), "2026-10-01 08:00"),
            try event(ManagerUpserted(managerId: "m2", name: "Борис", teamId: "t1", role: "manager", extensions: [], phones: [], email: nil,
                                      telegramChatId: nil, active: true), "2026-10-01 08:00"),
            try event(ClientUpserted(clientId: "c1", kind: "company", name: "Клиент", inn: nil, kpp: nil, phones: [], emails: [], managerId: "m1",
                                     segment: "smb", region: "Москва", source: "website"), "2026-10-01 09:00"),
            try event(DealCreated(deal: d1, authorId: nil), "2026-10-05 10:00"),
        ]]
        d1.stageId = "qualified"; d1.probability = 30; d1.version = 2
        batches.append([try event(DealStageChanged(deal: d1, fromStageId: "new", toStageId: "qualified", authorId: nil), "2026-10-06 10:00")])
        d1.managerId = "m2"; d1.version = 3
        batches.append([try event(DealReassigned(deal: d1, fromManagerId: "m1", toManagerId: "m2", authorId: nil), "2026-10-07 10:00")])
        d1.amount = Money(kopecks: 1_500_00); d1.version = 4
        batches.append([try event(DealAmountChanged(deal: d1, from: Money(kopecks: 1_000_00), to: d1.amount, authorId: nil), "2026-10-08 10:00")])
        d1.status = .won; d1.closedAt = Upstream.msk("2026-10-09 12:00"); d1.version = 5
        var d2 = deal("d2", manager: "m1", client: "c1", rub: 700, stage: "new", probability: 10, created: "2026-10-09 09:00", version: 1)
        var last = [try event(DealWon(deal: d1, fromStageId: "qualified", authorId: nil), "2026-10-09 12:00"),
                    try event(DealCreated(deal: d2, authorId: nil), "2026-10-09 09:00")]
        d2.status = .lost; d2.lossReason = "price"; d2.closedAt = Upstream.msk("2026-10-10 15:00"); d2.version = 2
        last.append(try event(DealLost(deal: d2, fromStageId: "new", reason: "price", authorId: nil), "2026-10-10 15:00"))
        for (n, at) in ["2026-10-05 11:00", "2026-10-05 12:00", "2026-10-06 23:30", "2026-10-07 00:10"].enumerated() {
            var state = call("call\(n)", manager: n == 3 ? "m2" : "m1", direction: n % 2 == 0 ? .outgoing : .incoming, answered: n != 1,
                             billable: 60 * (n + 1), at: at)
            state.clientId = "c1"
            last.append(try event(CallRecorded(call: state), at))
        }
        last.append(try event(PaymentReceived(payment: payment("p1", rub: 1_500, manager: "m2", on: "2026-10-12")), "2026-10-12 10:00"))
        batches.append(last)
        return batches
    }

    /// Every row of the tables a recompute rebuilds, in a fixed order, and the schema's indexes.
    /// The aggregate's cells that sum to nothing are left out: a cell that went up and down again
    /// (a deal reassigned) keeps a row at 0 when the two were written apart, and none when they
    /// met in memory — the figures are the same.
    static func snapshot(_ db: Database) throws -> [String] {
        var lines: [String] = []
        for table in ["agg", "agg_month", "contribution", "dir_manager", "fact_client", "fact_deal", "fact_visit", "fact_call", "fact_payment"] {
            let live = table.hasPrefix("agg") ? " WHERE value != 0" : ""
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table)\(live)") {
                lines.append("\(table) \(row.description)")
            }
        }
        lines.sort()
        lines += try String.fetchAll(db, sql: "SELECT name || ' ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        return lines
    }

    @Test("a deal is found by its indexes after every change; a recompute builds the same rows and indexes, sums held or written as they go")
    func sameRowsAndIndexes() throws {
        let dir = try TemporaryDirectory("kpi-recompute")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
        let projection = Projection(zone: zone)
        for batch in try Self.events() { try projection.applyBatch(batch, to: pool) }

        func checked(_ db: Database) throws {
            // The reassigned, re-priced and won deal under its new manager, status and amount.
            #expect(try String.fetchAll(db, sql: """
                SELECT id || ' ' || amount || ' ' || closedAt FROM fact_deal INDEXED BY fact_deal_manager WHERE managerId = 'm2' AND status = 'won'
                """) == ["d1 150000 \(Upstream.msk("2026-10-09 12:00").timeIntervalSince1970)"])
            #expect(try String.fetchAll(db, sql: "SELECT id FROM fact_deal INDEXED BY fact_deal_manager WHERE managerId = 'm1'") == ["d2"])
            #expect(try String.fetchAll(db, sql: "SELECT id FROM fact_deal INDEXED BY fact_deal_closed WHERE status = 'lost'") == ["d2"])
            #expect(try String.fetchAll(db, sql: "SELECT id FROM fact_deal INDEXED BY fact_deal_created WHERE createdAt > 0 ORDER BY createdAt")
                    == ["d1", "d2"])
            #expect(try String.fetchAll(db, sql: "SELECT id FROM fact_call INDEXED BY fact_call_manager WHERE managerId = 'm1' ORDER BY startedAt")
                    == ["call0", "call1", "call2"])
            // Every index entry matches its row.
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            // Won amount and deals under the deal's last manager; the calls by Moscow day.
            #expect(try String.fetchAll(db, sql: """
                SELECT metric || ' ' || managerId || ' ' || day || ' ' || value FROM agg
                WHERE metric IN ('won_amount', 'lost_deals', 'deals_created', 'calls', 'talk_seconds', 'cash_received') AND value != 0
                ORDER BY metric, managerId, day
                """) == ["calls m1 2026-10-05 2", "calls m1 2026-10-06 1", "calls m2 2026-10-07 1", "cash_received m2 2026-10-12 150000",
                         "deals_created m1 2026-10-09 1", "deals_created m2 2026-10-05 1", "lost_deals m1 2026-10-10 1",
                         "talk_seconds m1 2026-10-05 180", "talk_seconds m1 2026-10-06 180", "talk_seconds m2 2026-10-07 240",
                         "won_amount m2 2026-10-09 150000"])
        }
        let incremental = try pool.read { db in
            try checked(db)
            return try Self.snapshot(db)
        }
        // The indexes a recompute drops are the schema's; the projection's own lookups keep theirs.
        let indexes = try pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index'") }
        #expect(Set(Projection.readSideIndexes).isSubset(of: indexes))
        #expect(!Projection.readSideIndexes.contains("fact_receivable_invoice"))

        // Sums written after every event, then held to the end: the same rows either way.
        for held in [1, Projection.sumsHeld] {
            let count = try pool.write { try Projection.recompute(zone: zone, sumsHeld: held, $0) }
            #expect(count == 15)
            try pool.read { db in
                try checked(db)
                #expect(try Self.snapshot(db) == incremental, "sums held \(held)")
            }
        }

        // A recompute that fails (a damaged row) takes back its dropped indexes with everything else.
        try pool.write { db in try db.execute(sql: "UPDATE event_batch SET events = substr(events, 1, 10) WHERE id = (SELECT MAX(id) FROM event_batch)") }
        #expect(throws: EventLog.Damaged.self) { try pool.write { try Projection.recompute(zone: zone, $0) } }
        #expect(try pool.read { try Self.snapshot($0) } == incremental)
    }

    @Test("a recompute reads the log beside the writer, as committed: one in a transaction that logged events of its own is refused")
    func uncommittedLog() throws {
        let dir = try TemporaryDirectory("kpi-recompute-uncommitted")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("k.sqlite")) { KPISchema.migrations(&$0) }
        let projection = Projection(zone: zone)
        let batches = try Self.events()
        try projection.applyBatch(batches[0], to: pool)
        let before = try pool.read { try Self.snapshot($0) }
        #expect(throws: LogDecoder.LogMoved.self) {
            try pool.write { db in
                for event in batches[1] { try projection.apply(event, in: db) }
                try projection.finishBatch(in: db)
                _ = try Projection.recompute(zone: zone, db)
            }
        }
        #expect(try pool.read { try Self.snapshot($0) } == before)
        #expect(try pool.write { try Projection.recompute(zone: zone, $0) } == 4)
        #expect(try pool.read { try Self.snapshot($0) } == before)
    }
}
