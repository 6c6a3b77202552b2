import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /receivables`: expected payments not yet paid — overdue (red), due this month (yellow),
/// upcoming — with totals, ageing buckets and sums per manager and client. A manager sees their
/// own; `?state=`, `?managerId=`, `?clientId=`, `?on=YYYY-MM-DD` (the day to look from) filter.
struct ReceivableRoutes {
    let context: ServiceContext

    struct Item: Encodable, Sendable {
        var receivable: ReceivableItem
        var state: Receivables.State
        /// `red` for overdue, `yellow` for due this month, nil otherwise.
        var color: String?
        var daysOverdue: Int
        var bucket: String?
    }

    struct Sum: Encodable, Sendable {
        var key: String?
        var overdue: Money
        var due: Money
        var upcoming: Money
    }

    struct Report: Encodable, Sendable {
        var on: String
        var items: [Item]
        var totals: Sum
        var ageing: [String: Money]
        var byManager: [Sum]
        var byClient: [Sum]
    }

    func register(on router: Router<PacerRequestContext>) {
        router.get("receivables") { request, ctx in
            let scope = try ctx.paymentScope()
            let zone = context.settings.timeZone
            let today = request.query("on") ?? CalendarDay.of(Date(), in: zone)
            guard CalendarDay.isValid(today) else { throw Problem.invalid("on", "must be a date YYYY-MM-DD") }
            let state = request.query("state")
            guard state == nil || Receivables.State(rawValue: state!) != nil && state != "paid" else {
                throw Problem.invalid("state", "must be overdue, due or upcoming")
            }
            let manager = scope ?? request.query("managerId")
            let client = request.query("clientId")
            let rows = try await context.database.read { db in try Receivables.rows(today: today, db) }.filter { row in
                (state == nil || row.state.rawValue == state) && (manager == nil || row.item.managerId == manager)
                    && (client == nil || row.item.clientId == client)
            }
            return try jsonResponse(Self.report(rows, on: today))
        }
    }

    static func report(_ rows: [Receivables.Row], on day: String) -> Report {
        func sum(_ key: String?, _ rows: [Receivables.Row]) -> Sum {
            var result = Sum(key: key, overdue: Money(kopecks: 0), due: Money(kopecks: 0), upcoming: Money(kopecks: 0))
            for row in rows {
                switch row.state {
                case .overdue: result.overdue.kopecks += row.item.outstanding.kopecks
                case .due: result.due.kopecks += row.item.outstanding.kopecks
                case .upcoming: result.upcoming.kopecks += row.item.outstanding.kopecks
                case .paid: break
                }
            }
            return result
        }
        var ageing: [String: Money] = ["1-30": Money(kopecks: 0), "31-60": Money(kopecks: 0), "61-90": Money(kopecks: 0), "90+": Money(kopecks: 0)]
        for row in rows where row.state == .overdue { ageing[Receivables.bucket(row.daysOverdue)]!.kopecks += row.item.outstanding.kopecks }
        let items = rows.map { row in
            Item(receivable: row.item, state: row.state, color: row.state == .overdue ? "red" : row.state == .due ? "yellow" : nil,
                 daysOverdue: row.daysOverdue, bucket: row.state == .overdue ? Receivables.bucket(row.daysOverdue) : nil)
        }
        let byManager = Dictionary(grouping: rows) { $0.item.managerId ?? "" }.sorted { $0.key < $1.key }.map { sum($0.key.isEmpty ? nil : $0.key, $0.value) }
        let byClient = Dictionary(grouping: rows) { $0.item.clientId ?? "" }.sorted { $0.key < $1.key }.map { sum($0.key.isEmpty ? nil : $0.key, $0.value) }
        return Report(on: day, items: items, totals: sum(nil, rows), ageing: ageing, byManager: byManager, byClient: byClient)
    }
}
