import Foundation
import Messaging

/// Decodes rows of the event log on a thread of its own, in the order they were submitted: each
/// row becomes its events decoded for their routes (`EventRouter.prepare`; nil for an event no
/// route takes), ready for the writer to apply.
///
/// Blocking on a condition is right here: the writer that waits is a recompute inside one long
/// transaction on the database's own queue, not a task of the cooperative pool.
final class LogDecoder: @unchecked Sendable {
    /// How many rows the writer keeps submitted ahead of the one it applies: enough that the
    /// decoder never waits, few enough that memory stays a few megabytes.
    static let rowsAhead = 3

    private let router: EventRouter
    private let condition = NSCondition()
    private var waiting: [Data] = []
    private var decoded: [Result<[EventRouter.Prepared?], any Error>] = []
    private var stopped = false

    init(router: EventRouter) {
        self.router = router
        let thread = Thread { [self] in run() }
        thread.name = "kpi-log-decoder"
        thread.start()
    }

    func submit(_ row: Data) {
        condition.withLock {
            waiting.append(row)
            condition.broadcast()
        }
    }

    /// The next submitted row's events, waiting for them if need be; the row's first failure
    /// (a damaged row, an event that no longer decodes) if it has one.
    func next() -> Result<[EventRouter.Prepared?], any Error> {
        condition.withLock {
            while decoded.isEmpty { condition.wait() }
            return decoded.removeFirst()
        }
    }

    /// Ends the thread once the row it is on is done; rows still waiting are dropped.
    func stop() {
        condition.withLock {
            stopped = true
            waiting.removeAll()
            condition.broadcast()
        }
    }

    private func run() {
        while true {
            let row: Data? = condition.withLock {
                while waiting.isEmpty, !stopped { condition.wait() }
                return stopped ? nil : waiting.removeFirst()
            }
            guard let row else { return }
            let result = Result { try EventLog.decode(row).map { try router.prepare($0) } }
            condition.withLock {
                decoded.append(result)
                condition.broadcast()
            }
        }
    }
}
