import Foundation
import GRDB
import Messaging
import Storage

/// Decodes rows of the event log on a thread of its own, in order: each row becomes its events
/// decoded for their routes (`EventRouter.prepare`; nil for an event no route takes), ready for
/// the writer to apply.
///
/// Rows come either from the writer (`submit`), or — `init(router:readingLog:rows:)` — the thread
/// reads them itself through a read-only connection of its own: a year's log is six and a half
/// gigabytes, and copied out of SQLite on the writer it was its time, not the decoder's, which
/// had time to spare. Events the writer is done with go back (`recycle`) to be freed here too:
/// they were allocated here, and freeing them on the writer took its time for the same reason.
///
/// Blocking on a condition is right here: the writer that waits is a recompute inside one long
/// transaction on the database's own queue, not a task of the cooperative pool.
final class LogDecoder: @unchecked Sendable {
    /// How many rows are decoded ahead of the one the writer applies: enough that the writer never
    /// waits, few enough that memory stays a few megabytes.
    static let rowsAhead = 3

    /// What the reading connection saw of the log is not what the writer sees: rows were logged
    /// in the writer's transaction and not yet committed.
    struct LogMoved: Error, CustomStringConvertible {
        var description: String { "the event log has rows not yet committed: a recompute runs in a transaction of its own" }
    }

    private let router: EventRouter
    private let condition = NSCondition()
    private var waiting: [Data] = []
    /// Decoded rows in order; nil is the log's end (when the thread reads it).
    private var decoded: [Result<[EventRouter.Prepared?], any Error>?] = []
    private var spent: [[EventRouter.Prepared?]] = []
    private var stopped = false

    /// Decodes the rows `submit`ted.
    init(router: EventRouter) {
        self.router = router
        start { [self] in decodeSubmitted() }
    }

    /// Reads the log of the database file at `path` itself, after checking that it sees the log as
    /// the writer does (`rows`: the log's extent as the writer sees it).
    init(router: EventRouter, readingLog path: String, rows: EventLog.Extent) {
        self.router = router
        start { [self] in read(path, expecting: rows) }
    }

    private func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = "kpi-log-decoder"
        thread.start()
    }

    func submit(_ row: Data) {
        condition.withLock {
            waiting.append(row)
            condition.broadcast()
        }
    }

    /// The next row's events, waiting for them if need be; the row's first failure (a damaged row,
    /// an event that no longer decodes) if it has one; nil after the last row of a log read here.
    func next() -> Result<[EventRouter.Prepared?], any Error>? {
        condition.withLock {
            while decoded.isEmpty { condition.wait() }
            defer { condition.broadcast() }
            return decoded.removeFirst()
        }
    }

    /// Events the writer has applied, to be freed on this thread.
    func recycle(_ events: [EventRouter.Prepared?]) {
        condition.withLock { spent.append(events) }
    }

    /// Ends the thread once the row it is on is done; rows still waiting are dropped.
    func stop() {
        condition.withLock {
            stopped = true
            waiting.removeAll()
            condition.broadcast()
        }
    }

    private func decode(_ row: Data) -> Result<[EventRouter.Prepared?], any Error> {
        Result { try EventLog.decode(row).map { try router.prepare($0) } }
    }

    private func deliver(_ result: Result<[EventRouter.Prepared?], any Error>?) {
        condition.withLock {
            decoded.append(result)
            condition.broadcast()
        }
    }

    /// Takes the events the writer is done with, so that they are freed by the caller, here.
    private func takeSpent() -> [[EventRouter.Prepared?]] {
        condition.withLock {
            defer { spent = [] }
            return spent
        }
    }

    private func decodeSubmitted() {
        while true {
            let row: Data? = condition.withLock {
                while waiting.isEmpty, !stopped { condition.wait() }
                return stopped ? nil : waiting.removeFirst()
            }
            guard let row else { return }
            _ = takeSpent()
            deliver(decode(row))
        }
    }

    private func read(_ path: String, expecting rows: EventLog.Extent) {
        do {
            let queue = try PacerDatabase.openReader(path: path, label: "kpi-log-reader")
            try queue.read { db in
                guard try EventLog.extent(db) == rows else { throw LogMoved() }
                var after: Int64 = 0
                while true {
                    let go = condition.withLock {
                        while decoded.count >= Self.rowsAhead, !stopped { condition.wait() }
                        return !stopped
                    }
                    guard go else { return }
                    _ = takeSpent()
                    guard let row = try EventLog.row(after: after, db) else { break }
                    after = row.id
                    deliver(decode(row.events))
                }
                deliver(nil)
            }
        } catch {
            deliver(.failure(error))
        }
    }
}
