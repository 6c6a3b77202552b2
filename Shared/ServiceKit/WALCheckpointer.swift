import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Copies the write-ahead log into the database file from a connection of its own, so that no
/// commit does it: SQLite's automatic checkpoint runs inside the commit that crosses 1,000 pages
/// and syncs the file, and every request queued behind that commit waited (it was the whole p99
/// of a stage change). A passive checkpoint takes no write lock: the service writes on meanwhile.
///
/// A passive checkpoint copies the log but never starts it over while commits keep coming: under
/// a sustained stream (a year of events consumed) the KPI log grew to 1.5 GB. Past `maxLogBytes`
/// the round ends with a truncating checkpoint, which waits for the commit in progress, holds the
/// next one back while it copies what little the passive one left, and empties the file.
///
/// Runs with a database opened with `backgroundCheckpoints: true`. Configuration: `interval`
/// between checkpoints (default 1 s: a page rewritten many times within it is copied once; at a
/// quarter of a second the copying cost a tenth of a busy service's throughput); `maxLogBytes`
/// (default 64 MiB); one last checkpoint at shutdown.
public struct WALCheckpointer: Service {
    let path: String
    let interval: Duration
    let maxLogBytes: Int
    let logger: Logger

    public init(path: String, interval: Duration = .seconds(1), maxLogBytes: Int = 64 << 20, logger: Logger) {
        self.path = path
        self.interval = interval
        self.maxLogBytes = maxLogBytes
        self.logger = logger
    }

    public func run() async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await checkpoint(connection)
        }
        await checkpoint(connection)
        try connection.close()
    }

    private func checkpoint(_ connection: DatabaseQueue) async {
        do {
            let log = path + "-wal", limit = maxLogBytes
            try await connection.writeWithoutTransaction { db in
                try db.checkpoint(.passive)
                let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
                if size > limit { try db.checkpoint(.truncate) }
            }
        } catch {
            // Busy or interrupted: the next round takes it up; the log is never lost, only longer.
            logger.debug("checkpoint deferred", metadata: ["error": "\(error)"])
        }
    }
}
