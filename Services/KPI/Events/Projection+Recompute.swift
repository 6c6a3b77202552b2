import Foundation
import GRDB
import Messaging

extension Projection {
    /// How many cells and client touches a recompute holds in memory before writing them: at
    /// 250,000 the bench's tenth of a year peaked at 308 MiB against 192, and the year's
    /// recompute was no faster (116–125 s against 110–142 in alternating runs).
    static let sumsHeld = 100_000

    /// The indexes that only the read side's queries use: a recompute drops them and builds them
    /// again at its end, from the finished tables. Built at once an index is a sort of its rows;
    /// kept through the replay it took a B-tree insert for every row: on the bench's year, all of
    /// them kept, the recompute took 176 s against 140 (the calls 74 s against 42, the sums' writes
    /// 11 against 5). The calls' index by manager alone takes 13 s to build and still pays: kept,
    /// 146 s against 126. The indexes the projection itself looks rows up by
    /// (`fact_receivable_invoice`, the keys) stay.
    static let readSideIndexes = [
        "agg_manager_day", "agg_metric_day", "agg_month_manager", "fact_deal_manager", "fact_deal_closed", "fact_deal_created",
        "fact_call_manager", "fact_call_on_deal", "fact_activity_manager", "fact_activity_on_deal", "fact_payment_manager",
        "fact_task_assignee", "fact_receivable_manager",
    ]

    /// Rebuilds facts and aggregates from the event log, in the order the events were applied.
    /// Plans, their corrections and the calendar are the service's own and stay.
    ///
    /// The log's rows are decoded on a thread of their own (`LogDecoder`) a few rows ahead of the
    /// writer: decoding was an eighth of a recompute's time, and the second core sat idle.
    ///
    /// `sumsHeld` is how many cells and touches wait in memory before they are written.
    static func recompute(zone: TimeZone, sumsHeld: Int = sumsHeld, _ db: Database) throws -> Int {
        let indexes = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            .map { (name: $0[0] as String, sql: $0[1] as String) }
            .filter { readSideIndexes.contains($0.name) }
        for index in indexes { try db.execute(sql: "DROP INDEX \(index.name)") }
        try db.execute(sql: """
            DELETE FROM agg; DELETE FROM agg_month; DELETE FROM contribution; DELETE FROM dir_manager; DELETE FROM fact_client; DELETE FROM fact_deal;
            DELETE FROM fact_visit; DELETE FROM fact_task; DELETE FROM fact_receivable; DELETE FROM fact_lead; DELETE FROM fact_contact; DELETE FROM fact_payment_revision;
            DELETE FROM fact_call; DELETE FROM fact_activity; DELETE FROM fact_payment; DELETE FROM fact_approval;
            """)
        let projection = Projection(zone: zone)
        // The log is read on the decoder's thread through a connection of its own where one can
        // read beside this transaction (a file in write-ahead-log mode); otherwise it is read here.
        let path = db.filePath
        let separate = try !path.isEmpty && String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal"
        let decoder: LogDecoder
        if separate {
            decoder = LogDecoder(router: projection.router, readingLog: path, rows: try EventLog.extent(db))
        } else {
            decoder = LogDecoder(router: projection.router)
        }
        defer { decoder.stop() }
        var count = 0
        var after: Int64 = 0
        var ahead = 0
        var exhausted = false
        while true {
            if !separate {
                while !exhausted, ahead < LogDecoder.rowsAhead {
                    guard let row = try EventLog.row(after: after, db) else { exhausted = true; break }
                    after = row.id
                    decoder.submit(row.events)
                    ahead += 1
                }
                guard ahead > 0 else { break }
                ahead -= 1
            }
            guard let events = try decoder.next()?.get() else { break }
            for event in events {
                try event?(db)
                projection.aggregate.endEvent()
                count += 1
                // The sums wait until they are many, not for a batch's end as the subscriber's do:
                // nothing reads them before the recompute commits, and a cell or a client's last
                // touch moved by events far apart is written once.
                if projection.aggregate.held >= sumsHeld { try projection.aggregate.flush(db) }
            }
            decoder.recycle(events)
        }
        try projection.aggregate.flush(db)
        // Each index is a sort of its table's rows, which SQLite may share with a second thread
        // (12.8–13.7 s for the year's, against 14.4–14.9 on one).
        try db.execute(sql: "PRAGMA threads = 2")
        defer { try? db.execute(sql: "PRAGMA threads = 0") }
        for index in indexes { try db.execute(sql: index.sql) }
        return count
    }
}
