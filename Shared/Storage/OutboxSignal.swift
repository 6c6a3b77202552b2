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
        var committed: [OutboxRecord] = []
        var overflowed = false
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
        let register = state.withLock { state in
            state.staged.append(record)
            defer { state.armed = true }
            return !state.armed
        }
        guard register else { return }
        // One callback per transaction, however many events it appends.
        db.afterNextTransaction { [self] _ in
            state.withLock { state in
                state.armed = false
                if state.committed.count + state.staged.count > capacity {
                    state.overflowed = true
                    state.committed.removeAll()
                } else {
                    state.committed.append(contentsOf: state.staged)
                }
                state.staged.removeAll(keepingCapacity: true)
            }
            continuation.yield()
        } onRollback: { [self] _ in
            state.withLock { state in
                state.armed = false
                state.staged.removeAll(keepingCapacity: true)
            }
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

    /// How many rows the transaction under way has staged; with `discardStaged(after:)`, undoes the
    /// rows of a savepoint that was rolled back (SQLite forgot them; so must the hand-over).
    func stagedCount() -> Int { state.withLock { $0.staged.count } }

    func discardStaged(after mark: Int) {
        state.withLock { state in
            if state.staged.count > mark { state.staged.removeSubrange(mark...) }
        }
    }

    /// The last sequence staged for `stream` in the transaction under way, if it appended any:
    /// the next append in the same transaction needs no query for the head.
    func lastStagedSeq(_ stream: String) -> Int64? {
        state.withLock { state in state.staged.last { $0.stream == stream }?.seq }
    }

    public func notify() { continuation.yield() }

    public var notifications: AsyncStream<Void> { stream }
}
