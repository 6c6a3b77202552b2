import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Copies the write-ahead log into the database file from a connection of its own, so that no
/// commit does it: SQLite's automatic checkpoint runs inside the commit that crosses 1,000 pages
/// and syncs the file, and every request queued behind that commit waited (it was the whole p99
/// of a stage change). A passive checkpoint takes no write lock: the service writes on meanwhile.
///
/// Runs with a database opened with `backgroundCheckpoints: true`. Configuration: `interval`
/// between checkpoints (default 1 s: a page rewritten many times within it is copied once; at a
/// quarter of a second the copying cost a tenth of a busy service's throughput); one last
/// checkpoint at shutdown.
public struct WALCheckpointer: Service {
    let path: String
    let interval: Duration
    let logger: Logger

    public init(path: String, interval: Duration = .seconds(1), logger: Logger) {
        self.path = path
        self.interval = interval
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
            try await connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
        } catch {
            // Busy or interrupted: the next round takes it up; the log is never lost, only longer.
            logger.debug("checkpoint deferred", metadata: ["error": "\(error)"])
        }
    }
}
