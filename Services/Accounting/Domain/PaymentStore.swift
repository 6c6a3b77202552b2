import Contracts
import Foundation
import GRDB
import Storage

/// Stores bank documents once each, matches incoming payments to invoices and clients, and
/// writes the `accounting` events in the same transaction.
struct PaymentStore: Sendable {
    let outbox: OutboxStore
    var correlationId: String?

    enum Outcome: Equatable, Sendable {
        case stored(PaymentDirection, matched: Bool)
        case duplicate
    }

    /// Stores a document unless one with the same identity is stored; an incoming one is matched
    /// (paying invoices through the database) and announced (`payment.received`, and
    /// `payment.unmatched` when nobody was found).
    func save(_ draft: PaymentDraft, ownAccounts: Set<String>, _ db: Database) throws -> Outcome {
        guard try !Self.isStored(paymentId: draft.paymentId, db) else { return .duplicate }
        let prepared = try prepare(draft, ownAccounts: ownAccounts, ledger: LiveInvoices(db: db))
        try write(prepared, db)
        return .stored(prepared.direction, matched: prepared.match?.isMatched ?? false)
    }

    /// Whether a document of this identity is stored, by the id derived from it
    /// (`PaymentDraft.paymentId`: 80 bits of its SHA-256, the primary key).
    static func isStored(paymentId: String, _ db: Database) throws -> Bool {
        try db.cachedStatement(sql: "SELECT 1 FROM payment WHERE id = ?").fetchFirst(binding: { $0.add(paymentId) }, { _ in true }) != nil
    }

    /// An incoming payment as it stands now.
    static func state(_ paymentId: String, _ db: Database) throws -> PaymentState? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT p.id, p.number, p.documentDate, p.receivedOn, p.amount, p.currency, p.payerName, p.payerInn, p.payerAccount, p.purpose,
                   p.clientId, p.dealId, p.managerId, p.unallocated, p.matchedBy, p.revision, c.name AS clientName, d.title AS dealTitle
            FROM payment p LEFT JOIN dir_client c ON c.id = p.clientId LEFT JOIN dir_deal d ON d.id = p.dealId
            WHERE p.id = ? AND p.direction = 'incoming'
            """, arguments: [paymentId]) else { return nil }
        let currency: String = row["currency"]
        let allocations = try Row.fetchAll(db.cachedStatement(sql: "SELECT invoiceId, dealId, amount FROM allocation WHERE paymentId = ? ORDER BY position"),
                                           arguments: [paymentId]).map {
            Allocation(invoiceId: $0["invoiceId"], dealId: $0["dealId"], amount: Money(kopecks: $0["amount"], currency: currency))
        }
        return PaymentState(
            paymentId: row["id"], number: row["number"], documentDate: row["documentDate"], receivedOn: row["receivedOn"],
            amount: Money(kopecks: row["amount"], currency: currency), payerName: row["payerName"], payerInn: row["payerInn"],
            payerAccount: row["payerAccount"], purpose: row["purpose"], clientId: row["clientId"], dealId: row["dealId"],
            managerId: row["managerId"], allocations: allocations, unallocated: Money(kopecks: row["unallocated"], currency: currency),
            matchedBy: row["matchedBy"], revision: row["revision"], clientName: row["clientName"], dealTitle: row["dealTitle"])
    }
}
