import GRDB
import Messaging

/// The read side: every consumed event kept (`event_batch`, see `EventLog`), the entities as they
/// stand (`fact_*`), what each contributes (`contribution`), the daily aggregate (`agg`), plans
/// with their corrections, the holiday calendar, and the last pace status told per plan.
enum KPISchema {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("kpi.v1") { db in
            try db.execute(sql: """
                CREATE TABLE event_log (id INTEGER PRIMARY KEY, publisher TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL,
                    type TEXT NOT NULL, body BLOB NOT NULL);
                CREATE TABLE agg (
                    metric TEXT NOT NULL, managerId TEXT NOT NULL, day TEXT NOT NULL, category TEXT NOT NULL, region TEXT NOT NULL,
                    segment TEXT NOT NULL, source TEXT NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (metric, managerId, day, category, region, segment, source)
                ) WITHOUT ROWID;
                CREATE TABLE contribution (entity TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE dirty_manager (managerId TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE dir_manager (id TEXT PRIMARY KEY, name TEXT NOT NULL, teamId TEXT, role TEXT NOT NULL, active INTEGER NOT NULL);
                CREATE TABLE fact_client (id TEXT PRIMARY KEY, name TEXT NOT NULL, managerId TEXT, segment TEXT, region TEXT, source TEXT,
                    firstDay TEXT NOT NULL, lastTouchAt REAL);
                CREATE TABLE fact_deal (
                    id TEXT PRIMARY KEY, title TEXT NOT NULL, clientId TEXT NOT NULL, managerId TEXT NOT NULL, amount INTEGER NOT NULL,
                    category TEXT, region TEXT, segment TEXT, source TEXT, pipelineId TEXT NOT NULL, stageId TEXT NOT NULL,
                    department TEXT NOT NULL, probability INTEGER NOT NULL, status TEXT NOT NULL, isRepeatSale INTEGER NOT NULL,
                    lossReason TEXT, expectedCloseDate TEXT, createdAt REAL NOT NULL, closedAt REAL, stageSince REAL NOT NULL, version INTEGER NOT NULL
                );
                CREATE INDEX fact_deal_manager ON fact_deal(managerId, status);
                CREATE TABLE fact_visit (
                    dealId TEXT NOT NULL, position INTEGER NOT NULL, pipelineId TEXT NOT NULL, stageId TEXT NOT NULL, department TEXT NOT NULL,
                    probability INTEGER NOT NULL, enteredAt REAL NOT NULL, leftAt REAL, PRIMARY KEY (dealId, position)
                ) WITHOUT ROWID;
                CREATE TABLE fact_task (id TEXT PRIMARY KEY, assigneeId TEXT NOT NULL, status TEXT NOT NULL, overdue INTEGER NOT NULL DEFAULT 0,
                    dueAt REAL NOT NULL);
                CREATE TABLE fact_receivable (id TEXT PRIMARY KEY, invoiceId TEXT, managerId TEXT, clientId TEXT, dueOn TEXT NOT NULL,
                    outstanding INTEGER NOT NULL, overdue INTEGER NOT NULL);
                CREATE TABLE fact_lead (id TEXT PRIMARY KEY, day TEXT NOT NULL, source TEXT, region TEXT, segment TEXT, managerId TEXT);
                CREATE TABLE fact_payment_revision (paymentId TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE fact_contact (id TEXT PRIMARY KEY, clientId TEXT NOT NULL, day TEXT NOT NULL);
                CREATE TABLE plan (
                    id TEXT PRIMARY KEY, scope TEXT NOT NULL, subjectId TEXT, metric TEXT NOT NULL, period TEXT NOT NULL,
                    category TEXT, region TEXT, segment TEXT, source TEXT, target INTEGER NOT NULL, createdBy TEXT, createdAt REAL NOT NULL,
                    version INTEGER NOT NULL DEFAULT 1
                );
                CREATE TABLE plan_change (planId TEXT NOT NULL, at REAL NOT NULL, byUser TEXT, fromTarget INTEGER, toTarget INTEGER NOT NULL,
                    reason TEXT);
                CREATE TABLE plan_status (planId TEXT PRIMARY KEY, status TEXT NOT NULL, at REAL NOT NULL);
                CREATE TABLE calendar_day (day TEXT PRIMARY KEY, kind TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("kpi.v2-forecast-bonus") { db in
            try db.execute(sql: """
                CREATE TABLE forecast_snapshot (period TEXT NOT NULL, day TEXT NOT NULL, forecast INTEGER NOT NULL, runRate INTEGER NOT NULL,
                    PRIMARY KEY (period, day)) WITHOUT ROWID;
                CREATE TABLE bonus_scheme (role TEXT PRIMARY KEY, json TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("kpi.v3-frozen-months") { db in
            // Figures read `agg_figures`: live cells, except in frozen months, whose cells are the
            // copy taken when the month was frozen — late events still land in `agg` (so an unfreeze
            // or a recompute shows them) but do not move a closed month's figures.
            try db.execute(sql: """
                CREATE TABLE frozen_month (month TEXT PRIMARY KEY, frozenAt REAL NOT NULL, byUser TEXT);
                CREATE TABLE frozen_agg (
                    metric TEXT NOT NULL, managerId TEXT NOT NULL, day TEXT NOT NULL, category TEXT NOT NULL, region TEXT NOT NULL,
                    segment TEXT NOT NULL, source TEXT NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (metric, managerId, day, category, region, segment, source)
                ) WITHOUT ROWID;
                CREATE VIEW agg_figures AS
                    SELECT * FROM agg WHERE substr(day, 1, 7) NOT IN (SELECT month FROM frozen_month)
                    UNION ALL SELECT * FROM frozen_agg;
                """)
        }
        migrator.registerMigration("kpi.v4-dashboard") { db in
            // What the dashboard lists besides figures: each call, touch and payment as it stands
            // (a manager's card shows the recent ones), and approvals waiting for a head.
            try db.execute(sql: """
                CREATE TABLE fact_call (id TEXT PRIMARY KEY, managerId TEXT, clientId TEXT, dealId TEXT, direction TEXT NOT NULL,
                    counterpart TEXT NOT NULL, startedAt REAL NOT NULL, billableSeconds INTEGER NOT NULL, answered INTEGER NOT NULL,
                    recordingURL TEXT);
                CREATE INDEX fact_call_manager ON fact_call(managerId, startedAt);
                CREATE TABLE fact_activity (id TEXT PRIMARY KEY, kind TEXT NOT NULL, managerId TEXT, clientId TEXT, dealId TEXT,
                    at REAL NOT NULL, note TEXT);
                CREATE INDEX fact_activity_manager ON fact_activity(managerId, at);
                CREATE TABLE fact_payment (id TEXT PRIMARY KEY, managerId TEXT, clientId TEXT, dealId TEXT, receivedOn TEXT NOT NULL,
                    amount INTEGER NOT NULL, payerName TEXT NOT NULL, matched INTEGER NOT NULL);
                CREATE INDEX fact_payment_manager ON fact_payment(managerId, receivedOn);
                CREATE TABLE fact_approval (id TEXT PRIMARY KEY, dealId TEXT NOT NULL, requesterId TEXT NOT NULL, subject TEXT NOT NULL,
                    amount INTEGER NOT NULL, attachmentName TEXT, requestedAt REAL NOT NULL, status TEXT NOT NULL, deciderId TEXT,
                    comment TEXT, decidedAt REAL);
                """)
        }
        migrator.registerMigration("kpi.v5-manager-index") { db in
            // A manager's figures (their card, their plan) read every metric of one manager over a
            // period: without this the aggregate, keyed metric first, was scanned whole.
            try db.execute(sql: "CREATE INDEX agg_manager_day ON agg(managerId, day)")
        }
        migrator.registerMigration("kpi.v6-metric-day-index") { db in
            // One metric for every manager over a period (a leaderboard, a card's ranks): keyed
            // metric then manager, the aggregate was read over every day of the year to sum one
            // month — a card's three ranks took 20 ms. A cell's value changing leaves this index be.
            try db.execute(sql: "CREATE INDEX agg_metric_day ON agg(metric, day)")
        }
        migrator.registerMigration("kpi.v7-month-aggregate") { db in
            // The daily cells summed by month, written with them when a batch of events ends:
            // periods are whole months, and a month's figure for every manager (a leaderboard, a
            // card's three ranks) read thirty cells a manager — or a whole year's for a year.
            // Keyed metric, month, manager: one metric of a period is one contiguous range, its
            // values in the rows. Frozen months keep a copy, as the daily cells do.
            try db.execute(sql: """
                CREATE TABLE agg_month (
                    metric TEXT NOT NULL, month TEXT NOT NULL, managerId TEXT NOT NULL, category TEXT NOT NULL, region TEXT NOT NULL,
                    segment TEXT NOT NULL, source TEXT NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (metric, month, managerId, category, region, segment, source)
                ) WITHOUT ROWID;
                CREATE INDEX agg_month_manager ON agg_month(managerId, month);
                CREATE TABLE frozen_agg_month (
                    metric TEXT NOT NULL, month TEXT NOT NULL, managerId TEXT NOT NULL, category TEXT NOT NULL, region TEXT NOT NULL,
                    segment TEXT NOT NULL, source TEXT NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (metric, month, managerId, category, region, segment, source)
                ) WITHOUT ROWID;
                INSERT INTO agg_month SELECT metric, substr(day, 1, 7), managerId, category, region, segment, source, SUM(value)
                    FROM agg GROUP BY metric, substr(day, 1, 7), managerId, category, region, segment, source HAVING SUM(value) != 0;
                INSERT INTO frozen_agg_month SELECT metric, substr(day, 1, 7), managerId, category, region, segment, source, SUM(value)
                    FROM frozen_agg GROUP BY metric, substr(day, 1, 7), managerId, category, region, segment, source HAVING SUM(value) != 0;
                CREATE VIEW agg_month_figures AS
                    SELECT * FROM agg_month WHERE month NOT IN (SELECT month FROM frozen_month)
                    UNION ALL SELECT * FROM frozen_agg_month;
                """)
        }
        migrator.registerMigration("kpi.v8-task-receivable-indexes") { db in
            // A card counts its manager's overdue tasks and receivables, and `invoice.paid` clears
            // an invoice's receivables: each read its whole table.
            try db.execute(sql: """
                CREATE INDEX fact_task_assignee ON fact_task(assigneeId, status);
                CREATE INDEX fact_receivable_manager ON fact_receivable(managerId, overdue);
                CREATE INDEX fact_receivable_invoice ON fact_receivable(invoiceId);
                """)
        }
        migrator.registerMigration("kpi.v9-day-first-aggregate") { db in
            // Keyed day first: a batch of events moves cells of a day or two, and keyed metric then
            // manager those sat on a page each — every commit rewrote some 1,800 pages for 2,000
            // calls (an upsert cost 10 µs; 4 µs day first, measured with Python's sqlite3 here).
            // Reads by manager or by metric go through the two indexes, as before.
            // And calls' contributions follow from `fact_call` now (`CallFigures`).
            try db.execute(sql: """
                DROP VIEW agg_figures;
                CREATE TABLE agg_by_day (
                    metric TEXT NOT NULL, managerId TEXT NOT NULL, day TEXT NOT NULL, category TEXT NOT NULL, region TEXT NOT NULL,
                    segment TEXT NOT NULL, source TEXT NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (day, metric, managerId, category, region, segment, source)
                ) WITHOUT ROWID;
                INSERT INTO agg_by_day SELECT metric, managerId, day, category, region, segment, source, value FROM agg;
                DROP TABLE agg;
                ALTER TABLE agg_by_day RENAME TO agg;
                CREATE INDEX agg_manager_day ON agg(managerId, day);
                CREATE INDEX agg_metric_day ON agg(metric, day);
                CREATE VIEW agg_figures AS
                    SELECT * FROM agg WHERE substr(day, 1, 7) NOT IN (SELECT month FROM frozen_month)
                    UNION ALL SELECT * FROM frozen_agg;
                DELETE FROM contribution WHERE entity LIKE 'call:%';
                """)
        }
        migrator.registerMigration("kpi.v10-won-deal-indexes") { db in
            // A card's average deal and cycle read a manager's won deals closed in the period: found
            // by manager and status, each was then read from its own page of the table — at the
            // full year's 250,000 deals a card's p99 was 40 ms, all of it this query on a cold
            // cache. Covering indexes answer it (and the company's, by status) from one range.
            try db.execute(sql: """
                DROP INDEX fact_deal_manager;
                CREATE INDEX fact_deal_manager ON fact_deal(managerId, status, closedAt, amount, createdAt);
                CREATE INDEX fact_deal_closed ON fact_deal(status, closedAt, amount, createdAt);
                """)
        }
        migrator.registerMigration("kpi.v11-event-batches") { db in
            // The log a batch to a row (`EventLog`): a row an event cost the projection a fifth of
            // a call's time. The events already logged move over in the order they were applied,
            // a row of up to about a megabyte at a time, as the projection writes them.
            try db.execute(sql: "CREATE TABLE event_batch (id INTEGER PRIMARY KEY, count INTEGER NOT NULL, events BLOB NOT NULL)")
            var after: Int64 = 0
            let log = EventLog()
            while true {
                let rows = try Row.fetchAll(db, sql: "SELECT id, publisher, stream, seq, type, body FROM event_log WHERE id > ? ORDER BY id LIMIT 5000",
                                            arguments: [after])
                guard let last = rows.last else { break }
                after = last["id"]
                for row in rows {
                    try log.append(ReceivedEvent(header: WireHeader(publisher: row["publisher"], epoch: "", stream: row["stream"], seq: row["seq"],
                                                                    eventId: "", type: row["type"]),
                                                 body: row["body"], replayed: true), db)
                }
            }
            try log.write(db)
            try db.execute(sql: "DROP TABLE event_log")
        }
        migrator.registerMigration("kpi.v12-dashboard-indexes") { db in
            // The activity page counts a period's calls and activities on deals per manager: with
            // no index by time it read the whole call table (56 ms at a tenth of the year, ten
            // times that at the year). Partial indexes hold exactly the rows it counts — calls and
            // activities on deals, so a call without a deal costs nothing more to store — with the
            // columns it reads, so the count reads nothing else (SQLite still reads the columns of
            // the index's condition, so those are in it too).
            // The funnel takes the deals created in the period: without an index by creation it
            // read every stage visit and looked its deal up (45 ms at a tenth of the year; 11 ms
            // with this index).
            try db.execute(sql: """
                CREATE INDEX fact_call_on_deal ON fact_call(startedAt, managerId, dealId, direction) WHERE dealId IS NOT NULL AND direction != 'internal';
                CREATE INDEX fact_activity_on_deal ON fact_activity(at, managerId, dealId) WHERE dealId IS NOT NULL;
                CREATE INDEX fact_deal_created ON fact_deal(createdAt);
                """)
        }
    }
}
