import GRDB
import GRDBSQLite

extension Database {
    /// The file of the main database as SQLite opened it; "" for an in-memory or temporary one.
    /// Lets code inside a transaction open a second connection on the same file.
    public var filePath: String {
        guard let connection = sqliteConnection, let name = sqlite3_db_filename(connection, "main") else { return "" }
        return String(cString: name)
    }
}
