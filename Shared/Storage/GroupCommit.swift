import GRDB
import Synchronization

/// Runs the writes of concurrent requests together: whatever arrives while the writer is busy
/// goes into the next transaction, each request in its own savepoint.
///
/// SQLite has one writer. Taken one transaction per request, each pays for its own commit and
/// its own hop onto the writer's queue and back, and at a few thousand requests a second that is
/// most of the work. Here a request still gets exactly its own outcome — its error rolls back its
/// savepoint only (outbox rows included, see `OutboxStore.savepoint`), and its result is handed
/// back only after the shared transaction committed, so nobody is told "done" for a write that
/// did not survive. If the commit itself fails, every request of the batch gets that error.
///
/// Configuration: `maxBatch` (default 64) bounds how many requests share a transaction, so one
/// transaction never holds the writer for long.
public final class GroupCommit: Sendable {
    private struct Job {
        var body: @Sendable (Database) throws -> any Sendable
        var resume: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var draining = false
    }

    private let database: DatabasePool
    private let outbox: OutboxStore
    private let maxBatch: Int
    private let queue = Mutex(Queue())

    public init(database: DatabasePool, outbox: OutboxStore, maxBatch: Int = 64) {
        self.database = database
        self.outbox = outbox
        self.maxBatch = maxBatch
    }

    /// Runs `body` in a write transaction shared with other callers and returns its result once
    /// that transaction has committed.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result: any Sendable = try await withCheckedThrowingContinuation { continuation in
            let job = Job(body: { try body($0) }, resume: { continuation.resume(with: $0) })
            let start = queue.withLock { queue in
                queue.jobs.append(job)
                defer { queue.draining = true }
                return !queue.draining
            }
            if start { drain() }
        }
        return result as! T
    }

    /// Takes batches until the queue is empty. Runs on the writer's own queue (GRDB's
    /// `asyncWriteWithoutTransaction`), so no task waits on it.
    private func drain() {
        database.asyncWriteWithoutTransaction { [self] db in
            while true {
                let batch: [Job] = queue.withLock { queue in
                    let batch = Array(queue.jobs.prefix(maxBatch))
                    queue.jobs.removeFirst(batch.count)
                    if batch.isEmpty { queue.draining = false }
                    return batch
                }
                if batch.isEmpty { return }
                run(batch, db)
            }
        }
    }

    private func run(_ batch: [Job], _ db: Database) {
        var results: [Result<any Sendable, any Error>] = []
        results.reserveCapacity(batch.count)
        do {
            try db.inTransaction(.immediate) {
                for job in batch {
                    do {
                        results.append(.success(try outbox.savepoint(db) { try job.body(db) }))
                    } catch {
                        // An error that ended the whole transaction (SQLite rolls back by itself
                        // on a full disk, for one) takes the batch with it: fail them all.
                        guard db.isInsideTransaction else { throw error }
                        results.append(.failure(error))
                    }
                }
                return .commit
            }
        } catch {
            for job in batch { job.resume(.failure(error)) }
            return
        }
        for (job, result) in zip(batch, results) { job.resume(result) }
    }
}
