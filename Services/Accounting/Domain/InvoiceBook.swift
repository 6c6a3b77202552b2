import Contracts
import Foundation
import GRDB
import Storage

/// The invoices and clients one statement import has looked at, kept for the rest of it, and
/// the money it has put on them.
///
/// A statement names the same clients and invoices again and again; each is read once, and what
/// the import pays is added here and written once per invoice by `flush` — which the importer
/// runs before its transaction commits. Meanwhile nothing else touches invoices: the import holds
/// the database's only write transaction, and matching reads through this book.
///
/// `db` is where the book reads: the import's own reading connection (see `ImportPreparer`),
/// whose view is the invoices as they were before the import.
final class InvoiceBook: InvoiceLedger {
    private struct Entry {
        var number: String
        var dealId: String?
        var clientId: String?
        var managerId: String?
        var amount: Int64
        var currency: String
        var paid: Int64
        var paidOn: String?
        var issuedOn: String
        var clientInn: String?
        /// Where the row is in its table, for writing the changes in table order (`takeChanges`).
        var rowid: Int64
        /// What `paid` and `paidOn` were when read, to write only what changed.
        var readPaid: Int64
        var readPaidOn: String?
        var touched = false
    }

    private let db: Database
    private var entries: [String: Entry] = [:]
    private var byNumberKey: [String: [String]] = [:]
    private var byDigitsKey: [String: [String]] = [:]
    private var clientsByInn: [String: [(id: String, managerId: String?)]] = [:]
    /// Invoices open when read, in `openInvoices` order; ones paid since are skipped when asked.
    private var openByInn: [String: [String]] = [:]
    private var clientNames: [String: String?] = [:]
    private var dealTitles: [String: String?] = [:]
    private var touched: [String] = []

    /// Whether every invoice was read at the start (`readAll`): a number not found is then none.
    private var complete = false
    /// With every invoice read, the few that have receivable items announced (due or overdue):
    /// the only ones whose items a payment in full must mark, read once instead of one update
    /// tried per invoice paid.
    private var announced: Set<String>?

    init(_ db: Database) { self.db = db }

    /// Reads every invoice in one pass — cheaper than one lookup per number once a statement
    /// names a good share of them (the importer decides).
    func readAll() throws {
        let rows = try db.cachedStatement(sql: """
            SELECT \(Self.columns), i.numberKey, i.digitsKey FROM invoice i LEFT JOIN dir_client c ON c.id = i.clientId ORDER BY i.rowid
            """).fetchAll(binding: { _ in }) { row in
            (id: row.string(0) ?? "", entry: Self.entry(row), numberKey: row.string(12) ?? "", digitsKey: row.string(13) ?? "")
        }
        for row in rows {
            if entries[row.id] == nil { entries[row.id] = row.entry }
            byNumberKey[row.numberKey, default: []].append(row.id)
            byDigitsKey[row.digitsKey, default: []].append(row.id)
        }
        announced = try LiveInvoices.invoicesWithReceivableState(db)
        complete = true
    }

    /// An invoice from a row that starts with `columns`.
    private static func entry(_ row: borrowing DirectRow) -> Entry {
        Entry(number: row.string(1) ?? "", dealId: row.string(2), clientId: row.string(3), managerId: row.string(4),
              amount: row.int64(5) ?? 0, currency: row.string(6) ?? "RUB", paid: row.int64(7) ?? 0, paidOn: row.string(8),
              issuedOn: row.string(9) ?? "", clientInn: row.string(10), rowid: row.int64(11) ?? 0, readPaid: row.int64(7) ?? 0, readPaidOn: row.string(8))
    }

    private static let columns = "i.id, i.number, i.dealId, i.clientId, i.managerId, i.amount, i.currency, i.paid, i.paidOn, i.issuedOn, c.inn, i.rowid"

    /// Reads invoices through `sql` (selecting `columns`); those already in the book keep what
    /// the book knows of them.
    private func read(_ sql: String, _ key: String) throws -> [String] {
        let rows = try db.cachedStatement(sql: sql).fetchAll(binding: { $0.add(key) }) { row in (row.string(0) ?? "", Self.entry(row)) }
        for (id, entry) in rows where entries[id] == nil { entries[id] = entry }
        return rows.map(\.0)
    }

    private func invoice(_ id: String) -> Matcher.Invoice {
        let entry = entries[id]!
        return Matcher.Invoice(id: id, dealId: entry.dealId, clientId: entry.clientId, managerId: entry.managerId,
                               outstanding: entry.amount - entry.paid, clientInn: entry.clientInn, issuedOn: entry.issuedOn)
    }

    func invoices(numberKey key: String) throws -> [Matcher.Invoice] { try invoices(\.byNumberKey, "numberKey", key) }
    func invoices(digitsKey key: String) throws -> [Matcher.Invoice] { try invoices(\.byDigitsKey, "digitsKey", key) }

    private func invoices(_ cache: ReferenceWritableKeyPath<InvoiceBook, [String: [String]]>, _ column: String, _ key: String) throws -> [Matcher.Invoice] {
        if let ids = self[keyPath: cache][key] { return ids.map(invoice) }
        if complete { return [] }
        let ids = try read("SELECT \(Self.columns) FROM invoice i LEFT JOIN dir_client c ON c.id = i.clientId WHERE i.\(column) = ?", key)
        self[keyPath: cache][key] = ids
        return ids.map(invoice)
    }

    func clients(inn: String) throws -> [(id: String, managerId: String?)] {
        if let clients = clientsByInn[inn] { return clients }
        let clients = try db.cachedStatement(sql: "SELECT id, managerId FROM dir_client WHERE inn = ? ORDER BY id")
            .fetchAll(binding: { $0.add(inn) }) { (id: $0.string(0) ?? "", managerId: $0.string(1)) }
        clientsByInn[inn] = clients
        return clients
    }

    func openInvoices(inn: String) throws -> [Matcher.Invoice] {
        // Paying only lowers what is open, so the invoices open when read are all that can be.
        let ids = try openByInn[inn] ?? {
            let ids = try read("""
                SELECT \(Self.columns) FROM invoice i JOIN dir_client c ON c.id = i.clientId
                WHERE c.inn = ? AND i.paid < i.amount ORDER BY i.dueOn, i.issuedOn, i.id
                """, inn)
            openByInn[inn] = ids
            return ids
        }()
        return ids.map(invoice).filter { $0.outstanding > 0 }
    }

    /// Adds a payment's part to an invoice the book has read; the invoice's `invoice.paid` when
    /// this makes it paid in full for the first time.
    func pay(_ invoiceId: String, _ amount: Int64, on day: String) -> InvoicePaid? {
        guard var entry = entries[invoiceId] else { preconditionFailure("paying invoice \(invoiceId), which the book never read") }
        if !entry.touched {
            entry.touched = true
            touched.append(invoiceId)
        }
        entry.paid += amount
        var paid: InvoicePaid?
        if entry.paid >= entry.amount && entry.paidOn == nil {
            entry.paidOn = day
            paid = InvoicePaid(invoiceId: invoiceId, number: entry.number, dealId: entry.dealId, clientId: entry.clientId,
                               managerId: entry.managerId, amount: Money(kopecks: entry.amount, currency: entry.currency), paidOn: day)
        }
        entries[invoiceId] = entry
        return paid
    }

    func clientName(_ id: String) throws -> String? {
        if let name = clientNames[id] { return name }
        let name = try db.cachedStatement(sql: "SELECT name FROM dir_client WHERE id = ?").fetchFirst(binding: { $0.add(id) }) { $0.string(0) } ?? nil
        clientNames[id] = name
        return name
    }

    func dealTitle(_ id: String) throws -> String? {
        if let title = dealTitles[id] { return title }
        let title = try db.cachedStatement(sql: "SELECT title FROM dir_deal WHERE id = ?").fetchFirst(binding: { $0.add(id) }) { $0.string(0) } ?? nil
        dealTitles[id] = title
        return title
    }

    /// What the import did to one invoice since the last `takeChanges`, for the writer.
    struct Change: Sendable {
        let id: String
        let rowid: Int64
        let paid: Int64
        let paidOn: String?
        /// Paid in full for the first time, with receivable items that may be announced: mark them paid.
        let settles: Bool
    }

    /// The invoices paid since the last call, in table order (a statement pays them in no order of
    /// its own, and updates by id walked the id index and the table at random). Taken on the
    /// reading thread batch by batch, so the writer writes them as it goes instead of all at the end.
    func takeChanges() -> [Change] {
        guard !touched.isEmpty else { return [] }
        var changes: [Change] = []
        changes.reserveCapacity(touched.count)
        for id in touched {
            var entry = entries[id]!
            let settles = entry.readPaidOn == nil && entry.paidOn != nil && (announced?.contains(id) ?? true)
            changes.append(Change(id: id, rowid: entry.rowid, paid: entry.paid, paidOn: entry.paidOn, settles: settles))
            entry.readPaid = entry.paid
            entry.readPaidOn = entry.paidOn
            entry.touched = false
            entries[id] = entry
        }
        touched = []
        return changes.sorted { $0.rowid < $1.rowid }
    }

    /// Writes invoice changes in the import's transaction `db`; an invoice paid in full has its
    /// receivable items marked paid (`LiveInvoices.settleReceivables`).
    static func write(_ changes: [Change], _ db: Database) throws {
        guard !changes.isEmpty else { return }
        let update = try db.cachedStatement(sql: "UPDATE invoice SET paid = ?, paidOn = ? WHERE rowid = ? AND id = ?")
        for change in changes {
            try update.execute { $0.add(change.paid); $0.add(change.paidOn); $0.add(change.rowid); $0.add(change.id) }
            if db.changesCount != 1 {
                try db.cachedStatement(sql: "UPDATE invoice SET paid = ?, paidOn = ? WHERE id = ?")
                    .execute { $0.add(change.paid); $0.add(change.paidOn); $0.add(change.id) }
            }
            if change.settles { try LiveInvoices.settleReceivables(ofInvoice: change.id, db) }
        }
    }

    /// Writes what the import paid and has not handed over yet, in the transaction `db`.
    func flush(into db: Database) throws {
        try Self.write(takeChanges(), db)
    }
}
