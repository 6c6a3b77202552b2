import Contracts
import Foundation
import GRDB
import ServiceKit
import ServiceLifecycle
import Storage

/// Watches expected payments as days pass and money comes in: announces each item once when it
/// falls due in the current month (`receivable.due`, yellow) and once when it becomes overdue
/// (`receivable.overdue`, red).
///
/// Configuration: `interval` between checks (default 60 s); the company zone cuts the days.
struct ReceivableScheduler: Service {
    let context: ServiceContext
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let (due, overdue) = try await Self.check(context.database, outbox: context.outbox, zone: context.settings.timeZone)
                if due + overdue > 0 { context.logger.info("receivables changed", metadata: ["due": "\(due)", "overdue": "\(overdue)"]) }
            } catch {
                context.logger.error("receivables check failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass: returns how many items became due and overdue.
    static func check(_ database: DatabasePool, outbox: OutboxStore, zone: TimeZone, now: Date = Date()) async throws -> (Int, Int) {
        let today = CalendarDay.of(now, in: zone)
        return try await database.write { db in
            var due = 0, overdue = 0
            let month = String(today.prefix(7))
            var known: [String: (state: String, period: String)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT receivableId, state, period FROM receivable_state") {
                known[row["receivableId"]] = (row["state"], row["period"])
            }
            for row in try Receivables.rows(today: today, db) {
                let id = row.item.receivableId
                switch row.state {
                case .overdue where known[id]?.state != "overdue":
                    try outbox.append(ReceivableOverdue(receivable: row.item, daysOverdue: row.daysOverdue), stream: StreamName.accounting, in: db)
                    overdue += 1
                case .due where known[id].map({ $0.state != "due" || $0.period != month }) ?? true:
                    try outbox.append(ReceivableDue(receivable: row.item), stream: StreamName.accounting, in: db)
                    due += 1
                default:
                    continue
                }
                try db.execute(sql: "INSERT OR REPLACE INTO receivable_state(receivableId, state, period) VALUES (?, ?, ?)",
                               arguments: [id, row.state.rawValue, month])
            }
            return (due, overdue)
        }
    }
}
