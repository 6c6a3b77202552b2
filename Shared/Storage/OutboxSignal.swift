import GRDB
import Synchronization

/// Hands committed outbox rows to the relay in memory, and wakes it.
///
/// Rows appended in a transaction are staged and become visible only when that transaction
/// commits (dropped on rollback), so the relay publishes exactly what was stored without reading
/// it back from SQLite. The database stays the truth: rows another process wrote, or more than
/// `capacity` waiting, are found by the relay's periodic check of the outbox heads.
public final class OutboxSignal: Sendable {
    private struct State {
        var armed = false
        var staged: [OutboxRecord] = []
        /// The transaction under way appended more than `capacity` rows: they are no longer kept
        /// (the relay will read the outbox after the commit), only each stream's last number.
        /// A bulk import's hundred thousand envelopes were held to the end and then dropped.
        var stagedOverflow = false
        /// Rows appended by the transaction under way, kept or not.
        var stagedCount = 0
        /// The last sequence number the transaction under way appended, per stream.
        var lastStaged: [String: Int64] = [:]
        var committed: [OutboxRecord] = []
        var overflowed = false

        mutating func endTransaction() -> [OutboxRecord] {
            armed = false
            stagedOverflow = false
            stagedCount = 0
            lastStaged.removeAll()
            var dropped: [OutboxRecord] = []
            swap(&dropped, &staged)
            return dropped
        }
    }

    /// Where a savepoint began, for `discardStaged(after:)`.
    struct Mark {
        var count: Int
        var lastStaged: [String: Int64]
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func stage(_ record: OutboxRecord, _ db: Database) {
        var dropped: [OutboxRecord] = []
        defer { dropped.removeAll() }  // freed outside the lock
        let register = state.withLock { state in
            if !state.stagedOverflow, state.staged.count >= capacity {
                state.stagedOverflow = true
                swap(&dropped, &state.staged)
            }
            if !state.stagedOverflow { state.staged.append(record) }
            state.stagedCount += 1
            state.lastStaged[record.stream] = record.seq
            defer { state.armed = true }
            return !state.armed
        }
        guard register else { return }
        // One callback per transaction, however many events it appends.
        db.afterNextTransaction { [self] _ in
            var ended: [OutboxRecord] = []
            defer { ended.removeAll() }
            state.withLock { state in
                let overflow = state.stagedOverflow || state.committed.count + state.staged.count > capacity
                ended = state.endTransaction()
                if overflow {
                    state.overflowed = true
                    state.committed.removeAll()
                } else {
                    state.committed.append(contentsOf: ended)
                    ended = []
                }
            }
            continuation.yield()
        } onRollback: { [self] _ in
            var ended: [OutboxRecord] = []
            defer { ended.removeAll() }
            state.withLock { state in ended = state.endTransaction() }
        }
    }

    /// The rows committed since the last call, in commit order; `overflowed` when some were
    /// dropped and the relay must read the outbox.
    public func takeCommitted() -> (records: [OutboxRecord], overflowed: Bool) {
        state.withLock { state in
            defer {
                state.committed.removeAll(keepingCapacity: true)
                state.overflowed = false
            }
            return (state.committed, state.overflowed)
        }
    }

    /// Where the transaction under way stands; with `discardStaged(after:)`, undoes the rows of a
    /// savepoint that was rolled back (SQLite forgot them; so must the hand-over and the numbering).
    func stagedMark() -> Mark {
        state.withLock { Mark(count: $0.stagedCount, lastStaged: $0.lastStaged) }
    }

    func discardStaged(after mark: Mark) {
        state.withLock { state in
            guard state.stagedCount > mark.count else { return }
            if !state.stagedOverflow {
                // Rows kept are the rows appended while there was no overflow: the same count.
                state.staged.removeSubrange(mark.count...)
            }
            state.stagedCount = mark.count
            state.lastStaged = mark.lastStaged
        }
    }

    /// The last sequence staged for `stream` in the transaction under way, if it appended any:
    /// the next append in the same transaction needs no query for the head.
    func lastStagedSeq(_ stream: String) -> Int64? {
        state.withLock { $0.lastStaged[stream] }
    }

    public func notify() { continuation.yield() }

    public var notifications: AsyncStream<Void> { stream }
}
