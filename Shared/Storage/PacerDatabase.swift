import CSQLiteConfig
import Foundation
import GRDB

/// Opens a service's SQLite database: WAL mode (GRDB's `DatabasePool`), one writer and concurrent
/// readers, versioned migrations run at start.
///
/// Configuration:
/// - `path`: the database file; its folder is created when missing.
/// - `busyTimeout`: how long a writer waits for another process's lock (default 5 s), so a CLI import
///   running beside the service queues instead of failing.
/// - `backgroundCheckpoints`: false (default) leaves SQLite to copy the WAL into the database
///   inside a commit every 1,000 pages; true turns that off, for a running service whose
///   `WALCheckpointer` does it on its own connection — a commit that checkpoints (and syncs the
///   file) held every request queued behind it for milliseconds.
public enum PacerDatabase {
    public static func open(
        path: String,
        busyTimeout: TimeInterval = 5,
        backgroundCheckpoints: Bool = false,
        migrations: (inout DatabaseMigrator) -> Void = { _ in }
    ) throws -> DatabasePool {
        configureSQLite()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // NORMAL is durable in WAL mode against process crashes (the ones Pacer must survive);
            // only an OS crash can lose the last transactions.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 32 MiB of page cache per connection (SQLite's default is 2 MiB): the outbox and inbox
            // indexes stay in memory under a burst instead of being re-read page by page.
            try db.execute(sql: "PRAGMA cache_size = -32768")
            if backgroundCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        BusSchema.register(in: &migrator)
        migrations(&migrator)
        try migrator.migrate(pool)
        return pool
    }

    /// Process-wide SQLite settings, made before the first connection opens (SQLite refuses them
    /// after): memory statistics off. Every opener here calls it; a connection opened elsewhere
    /// first only costs the setting, never correctness.
    public static func configureSQLite() {
        _ = sqliteConfigured
    }

    private static let sqliteConfigured: Bool = pacer_sqlite3_disable_memstatus() == 0 // SQLITE_OK
}
