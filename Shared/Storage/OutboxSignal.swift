import GRDB
import Synchronization

/// Wakes the outbox relay after a transaction that appended events commits, so an event is
/// published within a poll cycle of its commit instead of at the relay's next timer tick.
public final class OutboxSignal: Sendable {
    private let armed = Mutex(false)
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// One wake-up per transaction, however many events it appends.
    func notifyAfterCommit(_ db: Database) {
        let alreadyArmed = armed.withLock { armed in
            defer { armed = true }
            return armed
        }
        guard !alreadyArmed else { return }
        db.afterNextTransaction { [self] _ in
            armed.withLock { $0 = false }
            continuation.yield()
        } onRollback: { [self] _ in
            armed.withLock { $0 = false }
        }
    }

    public func notify() { continuation.yield() }

    public var notifications: AsyncStream<Void> { stream }
}
