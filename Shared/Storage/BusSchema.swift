import Foundation
import GRDB

/// Tables of the reliable bus, present in every service's database: the outbox (publisher side) and
/// cursors, inbox, dead letters and alarms (subscriber side).
public enum BusSchema {
    public static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("bus.v1") { db in
            try db.execute(sql: """
                CREATE TABLE bus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE outbox (
                    stream TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    event_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    body BLOB NOT NULL,
                    PRIMARY KEY (stream, seq)
                ) WITHOUT ROWID;
                CREATE TABLE bus_cursor (
                    publisher TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    epoch TEXT NOT NULL,
                    last_seq INTEGER NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (publisher, stream)
                );
                CREATE TABLE bus_inbox (
                    event_id TEXT PRIMARY KEY,
                    publisher TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    applied_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX bus_inbox_applied ON bus_inbox(applied_at);
                CREATE TABLE bus_dead_letter (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    publisher TEXT,
                    stream TEXT,
                    seq INTEGER,
                    event_id TEXT,
                    type TEXT,
                    reason TEXT NOT NULL,
                    header BLOB,
                    body BLOB,
                    at REAL NOT NULL
                );
                CREATE TABLE bus_alarm (
                    publisher TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (publisher, stream)
                );
                """)
            // The epoch names this database's life: a restored or recreated database gets a new one,
            // and subscribers notice instead of silently skipping or re-applying sequence numbers.
            try db.execute(sql: "INSERT INTO bus_meta(key, value) VALUES ('epoch', ?)",
                           arguments: [UUID().uuidString.lowercased()])
        }
        migrator.registerMigration("bus.v2-outbox-rowid") { db in
            // A WITHOUT ROWID table keeps at most ~1,000 bytes of a row in its b-tree page and
            // puts the rest on an overflow page of its own: an envelope just over that (a payment
            // with a long purpose) cost a whole page, writes several times slower. A rowid table
            // keeps rows up to ~4,000 bytes in place; (stream, seq) stays the key, as an index.
            try db.execute(sql: """
                CREATE TABLE outbox_v2 (
                    stream TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    event_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    body BLOB NOT NULL,
                    PRIMARY KEY (stream, seq)
                );
                INSERT INTO outbox_v2(stream, seq, event_id, type, created_at, body)
                    SELECT stream, seq, event_id, type, created_at, body FROM outbox ORDER BY stream, seq;
                DROP TABLE outbox;
                ALTER TABLE outbox_v2 RENAME TO outbox;
                """)
        }
        migrator.registerMigration("bus.v3-inbox-pruned-by-id") { db in
            // The inbox is pruned by its key — event ids are time-ordered (UUID version 7) — so
            // the index on `applied_at` that pruning used goes: a second b-tree written for every
            // event applied, a twentieth of a subscriber's time taking a backlog (`InboxStore.prune`).
            try db.execute(sql: "DROP INDEX IF EXISTS bus_inbox_applied")
        }
    }
}
