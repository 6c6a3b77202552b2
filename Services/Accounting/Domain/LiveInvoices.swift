import Contracts
import Foundation
import GRDB
import Storage

/// Matching's reads, and the money it puts on invoices, straight through the database: for a
/// payment pushed or matched again on its own. (An import uses its `InvoiceBook` instead.)
struct LiveInvoices: InvoiceLedger {
    let db: Database

    func invoices(numberKey key: String) throws -> [Matcher.Invoice] { try invoices(where: "numberKey", key) }
    func invoices(digitsKey key: String) throws -> [Matcher.Invoice] { try invoices(where: "digitsKey", key) }

    private func invoices(where column: String, _ key: String) throws -> [Matcher.Invoice] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT i.id, i.dealId, i.clientId, i.managerId, i.amount - i.paid AS outstanding, i.issuedOn, c.inn FROM invoice i
            LEFT JOIN dir_client c ON c.id = i.clientId WHERE i.\(column) = ?
            """), arguments: [key]).map(Self.invoice)
    }

    func clients(inn: String) throws -> [(id: String, managerId: String?)] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT id, managerId FROM dir_client WHERE inn = ? ORDER BY id"), arguments: [inn])
            .map { ($0["id"], $0["managerId"]) }
    }

    func openInvoices(inn: String) throws -> [Matcher.Invoice] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT i.id, i.dealId, i.clientId, i.managerId, i.amount - i.paid AS outstanding, i.issuedOn, c.inn FROM invoice i
            JOIN dir_client c ON c.id = i.clientId WHERE c.inn = ? AND i.paid < i.amount ORDER BY i.dueOn, i.issuedOn, i.id
            """), arguments: [inn]).map(Self.invoice)
    }

    private static func invoice(_ row: Row) -> Matcher.Invoice {
        Matcher.Invoice(id: row["id"], dealId: row["dealId"], clientId: row["clientId"], managerId: row["managerId"],
                        outstanding: row["outstanding"], clientInn: row["inn"], issuedOn: row["issuedOn"])
    }

    func pay(_ invoiceId: String, _ amount: Int64, on day: String) throws -> InvoicePaid? {
        try db.cachedStatement(sql: "UPDATE invoice SET paid = paid + ? WHERE id = ?").execute(arguments: [amount, invoiceId])
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT number, dealId, clientId, managerId, amount, currency FROM invoice WHERE id = ? AND paid >= amount AND paidOn IS NULL
            """), arguments: [invoiceId]) else { return nil }
        try db.cachedStatement(sql: "UPDATE invoice SET paidOn = ? WHERE id = ?").execute(arguments: [day, invoiceId])
        try Self.settleReceivables(ofInvoice: invoiceId, db)
        return InvoicePaid(invoiceId: invoiceId, number: row["number"], dealId: row["dealId"], clientId: row["clientId"],
                           managerId: row["managerId"], amount: Money(kopecks: row["amount"], currency: row["currency"]), paidOn: day)
    }

    /// The invoices that have receivable items announced (`receivable_state`), the ones
    /// `settleReceivables` has anything to do for.
    static func invoicesWithReceivableState(_ db: Database) throws -> Set<String> {
        let ids = try String.fetchAll(db, sql: "SELECT receivableId FROM receivable_state WHERE receivableId >= 'inv:' AND receivableId < 'inv;'")
        // `inv:<id>` or `inv:<id>#<position>`: both readings of a key go in, so an id with a `#`
        // of its own is found too (an extra one only costs an update that changes nothing).
        var invoices = Set<String>()
        for id in ids {
            let rest = id.dropFirst(4)
            invoices.insert(String(rest))
            if let mark = rest.lastIndex(of: "#") { invoices.insert(String(rest[..<mark])) }
        }
        return invoices
    }

    /// Marks an invoice's receivable items paid, once it is paid in full. `invoice.paid` tells the
    /// read sides its items owe nothing; should the money move away again before the next
    /// receivables check, that check must see them as told paid and announce them afresh rather
    /// than think nothing changed. Its items are `inv:<id>` and `inv:<id>#<n>` ('$' follows '#':
    /// a range on the key).
    static func settleReceivables(ofInvoice invoiceId: String, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE receivable_state SET state = 'paid', outstanding = 0 WHERE receivableId = ? OR (receivableId > ? AND receivableId < ?)
            """).execute { $0.add("inv:\(invoiceId)"); $0.add("inv:\(invoiceId)#"); $0.add("inv:\(invoiceId)$") }
    }

    func clientName(_ id: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM dir_client WHERE id = ?"), arguments: [id])
    }

    func dealTitle(_ id: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT title FROM dir_deal WHERE id = ?"), arguments: [id])
    }
}
