import GRDB

extension PacerDatabase {
    /// A read-only connection of its own on the database file at `path` — usually the file of a
    /// transaction running meanwhile (`Database.filePath`), read beside it on another thread.
    /// Reading begins when the caller opens a read transaction, not here.
    ///
    /// - `label`: the connection's name in GRDB's diagnostics.
    /// - `cacheKiB`: its page cache; nil keeps SQLite's default of 2 MiB (enough to read a table
    ///   through once).
    public static func openReader(path: String, label: String, cacheKiB: Int? = nil) throws -> DatabaseQueue {
        configureSQLite()
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = label
        if let cacheKiB {
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)") }
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
