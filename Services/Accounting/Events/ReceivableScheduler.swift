import Contracts
import Foundation
import GRDB
import ServiceKit
import ServiceLifecycle
import Storage

/// Watches expected payments as days pass and money comes in: announces each item once when it
/// falls due in the current month (`receivable.due`, yellow) and once when it becomes overdue
/// (`receivable.overdue`, red); when money later moves what is left of an announced item,
/// `receivable.changed` carries the new outstanding amount. An invoice paid off is told by its
/// `invoice.paid` (written with the payment); its items count as told paid from then on, so if
/// the money moves away again (a rematch, an unmatch) they are announced afresh.
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
            var known: [String: (state: String, period: String, outstanding: Int64?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT receivableId, state, period, outstanding FROM receivable_state") {
                known[row["receivableId"]] = (row["state"], row["period"], row["outstanding"])
            }
            for row in try Receivables.rows(today: today, includePaid: true, db) {
                let id = row.item.receivableId
                let previous = known[id]
                var state = row.state.rawValue
                switch row.state {
                case .overdue where previous?.state != "overdue":
                    try outbox.append(ReceivableOverdue(receivable: row.item, daysOverdue: row.daysOverdue), stream: StreamName.accounting, in: db)
                    overdue += 1
                case .due where previous.map({ $0.state != "due" || $0.period != month }) ?? true:
                    try outbox.append(ReceivableDue(receivable: row.item), stream: StreamName.accounting, in: db)
                    due += 1
                default:
                    // Announced before, and a partial payment (or an unmatch) has moved what is left:
                    // say so once per change, so the read side's amounts do not go stale.
                    guard let previous, previous.state == "due" || previous.state == "overdue",
                          let told = previous.outstanding, told != row.item.outstanding.kopecks else {
                        if let previous, previous.outstanding == nil {
                            try db.execute(sql: "UPDATE receivable_state SET outstanding = ? WHERE receivableId = ?",
                                           arguments: [row.item.outstanding.kopecks, id])
                        }
                        continue
                    }
                    try outbox.append(ReceivableChanged(receivable: row.item), stream: StreamName.accounting, in: db)
                    if row.state != .paid { state = previous.state }
                }
                try db.execute(sql: "INSERT OR REPLACE INTO receivable_state(receivableId, state, period, outstanding) VALUES (?, ?, ?, ?)",
                               arguments: [id, state, month, row.item.outstanding.kopecks])
            }
            return (due, overdue)
        }
    }
}
