import Foundation
import GRDB
import Hummingbird

/// Input a service refused (a CSV row, a pushed item), kept with its line and reason so nothing a
/// sender gave is lost. Each service creates the `rejected_input` table in its own migrations.
public enum RejectedInput {
    public static let tableSQL = """
        CREATE TABLE rejected_input (
            id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, line INTEGER, reason TEXT NOT NULL,
            raw TEXT NOT NULL, at REAL NOT NULL
        );
        """

    public static func record(source: String, line: Int?, reason: String, raw: String, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO rejected_input(source, line, reason, raw, at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [source, line, reason, raw, Date().timeIntervalSince1970])
    }

    /// `GET <path>`: the newest 500 rejected items, for heads and admins.
    public static func route(_ path: String, on router: Router<PacerRequestContext>, database: DatabasePool) {
        router.get(RouterPath(path)) { _, ctx in
            try ctx.require(.head, .admin)
            // Mapped inside the read: rows are not Sendable, and the async read needs a Sendable result.
            let items = try await database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, source, line, reason, raw FROM rejected_input ORDER BY id DESC LIMIT 500").map { row in
                    ["id": "\(row["id"] as Int64)", "source": row["source"] as String, "line": (row["line"] as Int?).map(String.init) ?? "",
                     "reason": row["reason"] as String, "raw": row["raw"] as String]
                }
            }
            return try jsonResponse(items)
        }
    }
}
