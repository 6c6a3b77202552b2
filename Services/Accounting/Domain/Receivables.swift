import Contracts
import Foundation
import GRDB

/// Expected payments against received ones. An invoice is one expected payment, or several when
/// a payment schedule splits it; a schedule on a deal without an invoice stands for the deal's
/// invoices. What was paid is laid over the items oldest due first.
enum Receivables {
    enum State: String, Codable, Sendable {
        /// Past due and not paid in full: red.
        case overdue
        /// Due in the current month: yellow.
        case due
        /// Due in a later month.
        case upcoming
        case paid
    }

    struct Row: Sendable {
        var item: ReceivableItem
        var state: State
        var daysOverdue: Int
    }

    /// Every expected payment not yet paid in full (and, with `includePaid`, the paid ones too),
    /// as of `today` in the company's calendar.
    static func rows(today: String, includePaid: Bool = false, _ db: Database) throws -> [Row] {
        var schedules: [String: [(position: Int, invoiceId: String?, dueOn: String, amount: Int64)]] = [:]
        for row in try GRDB.Row.fetchAll(db, sql: "SELECT dealId, position, invoiceId, dueOn, amount FROM instalment ORDER BY dealId, position") {
            schedules[row["dealId"], default: []].append((row["position"], row["invoiceId"], row["dueOn"], row["amount"]))
        }
        var items: [ReceivableItem] = []
        let invoices = try GRDB.Row.fetchAll(db, sql: """
            SELECT id, number, dealId, clientId, managerId, amount, currency, dueOn, paid FROM invoice
            WHERE paid < amount OR dealId IN (SELECT dealId FROM instalment) \(includePaid ? "OR 1" : "") ORDER BY dueOn, id
            """)
        for invoice in invoices {
            let id: String = invoice["id"]
            let dealId: String? = invoice["dealId"]
            let currency: String = invoice["currency"]
            let schedule = dealId.flatMap { schedules[$0] }
            if let schedule, schedule.contains(where: { $0.invoiceId == nil }) { continue }    // the deal's schedule speaks for it
            let parts = schedule?.filter { $0.invoiceId == id } ?? []
            let expected = parts.isEmpty ? [(key: "inv:\(id)", dueOn: invoice["dueOn"] as String, amount: invoice["amount"] as Int64)]
                : parts.map { (key: "inv:\(id)#\($0.position)", dueOn: $0.dueOn, amount: $0.amount) }
            items += lay(paid: invoice["paid"], over: expected) { key, dueOn, amount, outstanding in
                ReceivableItem(receivableId: key, invoiceId: id, invoiceNumber: invoice["number"], dealId: dealId, clientId: invoice["clientId"],
                               managerId: invoice["managerId"], dueOn: dueOn, amount: Money(kopecks: amount, currency: currency),
                               outstanding: Money(kopecks: outstanding, currency: currency))
            }
        }
        for (dealId, schedule) in schedules.sorted(by: { $0.key < $1.key }) where schedule.contains(where: { $0.invoiceId == nil }) {
            let deal = try GRDB.Row.fetchOne(db, sql: "SELECT clientId, managerId FROM dir_deal WHERE id = ?", arguments: [dealId])
            let paid = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(amount), 0) FROM allocation WHERE dealId = ?", arguments: [dealId]) ?? 0
            items += lay(paid: paid, over: schedule.map { (key: "deal:\(dealId)#\($0.position)", dueOn: $0.dueOn, amount: $0.amount) }) {
                key, dueOn, amount, outstanding in
                ReceivableItem(receivableId: key, invoiceId: nil, invoiceNumber: nil, dealId: dealId, clientId: deal?["clientId"],
                               managerId: deal?["managerId"], dueOn: dueOn, amount: Money(kopecks: amount), outstanding: Money(kopecks: outstanding))
            }
        }
        let month = String(today.prefix(7))
        return items.compactMap { item in
            let late = CalendarDay.days(from: item.dueOn, to: today) ?? 0
            let state: State = item.outstanding.kopecks == 0 ? .paid : late > 0 ? .overdue : item.dueOn.hasPrefix(month) ? .due : .upcoming
            guard includePaid || state != .paid else { return nil }
            return Row(item: item, state: state, daysOverdue: state == .overdue ? late : 0)
        }.sorted { ($0.item.dueOn, $0.item.receivableId) < ($1.item.dueOn, $1.item.receivableId) }
    }

    /// Pays the items oldest due first out of `paid`.
    private static func lay(paid: Int64, over expected: [(key: String, dueOn: String, amount: Int64)],
                            _ make: (String, String, Int64, Int64) -> ReceivableItem) -> [ReceivableItem] {
        var left = paid
        return expected.sorted { ($0.dueOn, $0.key) < ($1.dueOn, $1.key) }.map { part in
            let covered = min(left, part.amount)
            left -= covered
            return make(part.key, part.dueOn, part.amount, part.amount - covered)
        }
    }

    /// Ageing of overdue amounts: 1–30, 31–60, 61–90 and over 90 days.
    static func bucket(_ daysOverdue: Int) -> String {
        switch daysOverdue {
        case ...30: "1-30"
        case 31...60: "31-60"
        case 61...90: "61-90"
        default: "90+"
        }
    }
}
