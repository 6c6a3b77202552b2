import Foundation
import GRDB
import Logging
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("The write-ahead log copied back off the request path")
struct WALCheckpointerTests {
    static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// A database at `path` with background checkpoints, and a writer of rows `n` of a kilobyte
    /// each, a hundred to a commit.
    static func database(_ path: String) throws -> (DatabasePool, (Range<Int>) async throws -> Void) {
        let db = try PacerDatabase.open(path: path, backgroundCheckpoints: true) { migrator in
            migrator.registerMigration("t") { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT NOT NULL)") }
        }
        let pad = String(repeating: "x", count: 1_000)
        return (db, { range in
            for chunk in stride(from: range.lowerBound, to: range.upperBound, by: 100) {
                try await db.write { db in
                    for n in chunk..<min(chunk + 100, range.upperBound) { try db.execute(sql: "INSERT INTO t VALUES (?, ?)", arguments: [n, pad]) }
                }
            }
        })
    }

    @Test("with background checkpoints no commit copies the log; the checkpointer does, while writes go on")
    func copiesTheLog() async throws {
        let dir = try TemporaryDirectory("wal")
        defer { dir.remove() }
        let path = dir.file("s.sqlite")
        let (db, write) = try Self.database(path)
        // 3,000 rows of 1 KB: three times SQLite's automatic threshold, all of it still in the log.
        try await write(1..<3_001)
        let before = Self.size(path)
        #expect(before < 100_000, "the database file took pages from the log: \(before) bytes")
        #expect(Self.size(path + "-wal") > 3_000_000)

        let checkpointer = Task { try await WALCheckpointer(path: path, interval: .milliseconds(10), logger: Logger(label: "test")).run() }
        try await write(3_001..<4_001)
        // Waits for the copy (a minute at most, so a broken checkpointer fails instead of hanging).
        for _ in 0..<6_000 where Self.size(path) < 4_000_000 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(Self.size(path) >= 4_000_000)
        checkpointer.cancel()
        _ = await checkpointer.result
        #expect(try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 4_000)
        // Under the limit the log's file is copied, not emptied.
        #expect(Self.size(path + "-wal") > 3_000_000)
    }

    @Test("past its limit the log is emptied once copied, while writes go on, and nothing is lost")
    func truncatesTheLog() async throws {
        let dir = try TemporaryDirectory("wal-limit")
        defer { dir.remove() }
        let path = dir.file("s.sqlite")
        let (db, write) = try Self.database(path)
        try await write(0..<3_000)
        #expect(Self.size(path + "-wal") > 3_000_000)
        let checkpointer = Task {
            try await WALCheckpointer(path: path, interval: .milliseconds(10), maxLogBytes: 1 << 20, logger: Logger(label: "test")).run()
        }
        // Writes go on beside it; the file shrinks below the limit (emptied, then what came after
        // it was emptied) — a minute at most, so a broken checkpointer fails instead of hanging.
        // Copied but never emptied, it would stay past six megabytes.
        try await write(3_000..<6_000)
        for _ in 0..<6_000 where Self.size(path + "-wal") >= 1 << 20 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(Self.size(path + "-wal") < 1 << 20)
        checkpointer.cancel()
        _ = await checkpointer.result
        #expect(try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 6_000)
        #expect(try await db.read { try Int.fetchOne($0, sql: "SELECT SUM(n) FROM t") } == 5_999 * 6_000 / 2)
    }
}
