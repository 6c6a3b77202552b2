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
    /// and announced (`payment.received`, and `payment.unmatched` when nobody was found).
    /// `book`: an import's invoices, read once and paid in memory (see `InvoiceBook`); without it
    /// matching reads and writes the database directly.
    func save(_ draft: PaymentDraft, ownAccounts: Set<String>, book: InvoiceBook? = nil, _ db: Database) throws -> Outcome {
        let direction = draft.direction(ownAccounts: ownAccounts)
        let paymentId = draft.paymentId
        let receivedOn = draft.receivedOn ?? draft.documentDate
        var match: Match?
        if direction == .incoming {
            // Matching reads invoices only; it runs before the insert so the row is written once.
            guard try db.cachedStatement(sql: "SELECT 1 FROM payment WHERE identity = ?")
                .fetchFirst(binding: { $0.add(draft.identity) }, { _ in true }) == nil else {
                return .duplicate
            }
            match = try Matcher(directory: book ?? LiveInvoices(db: db)).match(amount: draft.amount, payerInn: draft.payerInn, purpose: draft.purpose,
                                              numbers: draft.invoiceNumbers, on: receivedOn)
        }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO payment (id, identity, kind, number, documentDate, amount, currency, direction, receivedOn, debitedOn,
                payerName, payerInn, payerKpp, payerAccount, payeeName, payeeInn, payeeAccount, purpose, clientId, dealId, managerId,
                matchedBy, unallocated, source, importId, line, fields, documentOffset, documentLength, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(identity) DO NOTHING
            """)
        try insert.execute {
            $0.add(paymentId); $0.add(draft.identity); $0.add(draft.kind); $0.add(draft.number); $0.add(draft.documentDate)
            $0.add(draft.amount); $0.add(draft.currency); $0.add(direction.rawValue); $0.add(direction == .incoming ? receivedOn : draft.receivedOn)
            $0.add(draft.debitedOn); $0.add(draft.payerName); $0.add(draft.payerInn); $0.add(draft.payerKpp); $0.add(draft.payerAccount)
            $0.add(draft.payeeName); $0.add(draft.payeeInn); $0.add(draft.payeeAccount); $0.add(draft.purpose); $0.add(match?.clientId)
            $0.add(match?.dealId); $0.add(match?.managerId); $0.add(match?.matchedBy); $0.add(match?.unallocated ?? 0); $0.add(draft.source)
            $0.add(draft.importId); $0.add(draft.line); $0.add(draft.fields); $0.add(draft.documentOffset); $0.add(draft.documentLength)
            $0.add(Date().timeIntervalSince1970)
        }
        guard db.changesCount == 1 else { return .duplicate }
        guard direction == .incoming, let match else { return .stored(direction, matched: false) }
        let state = PaymentState(
            paymentId: paymentId, number: draft.number, documentDate: draft.documentDate, receivedOn: receivedOn,
            amount: Money(kopecks: draft.amount, currency: draft.currency), payerName: draft.payerName, payerInn: draft.payerInn,
            payerAccount: draft.payerAccount, purpose: draft.purpose, clientId: match.clientId, dealId: match.dealId,
            managerId: match.managerId, allocations: match.allocations(currency: draft.currency),
            unallocated: Money(kopecks: match.unallocated, currency: draft.currency), matchedBy: match.matchedBy, revision: 1,
            clientName: try match.clientId.flatMap { id in try book.map { try $0.clientName(id) } ?? String.fetchOne(db.cachedStatement(sql: "SELECT name FROM dir_client WHERE id = ?"), arguments: [id]) },
            dealTitle: try match.dealId.flatMap { id in try book.map { try $0.dealTitle(id) } ?? String.fetchOne(db.cachedStatement(sql: "SELECT title FROM dir_deal WHERE id = ?"), arguments: [id]) })
        try outbox.appendEncoded(payload: state.payloadJSON(), type: PaymentReceived.eventType, schemaVersion: PaymentReceived.schemaVersion,
                                 stream: StreamName.accounting, correlationId: correlationId, in: db)
        if !match.isMatched {
            try outbox.appendEncoded(payload: state.payloadJSON(reason: match.reason), type: PaymentUnmatched.eventType,
                                     schemaVersion: PaymentUnmatched.schemaVersion, stream: StreamName.accounting, correlationId: correlationId, in: db)
        }
        // After the payment's own event, so a consumer hears of the money before the invoice it closes.
        try apply(match, paymentId: paymentId, receivedOn: receivedOn, book: book, db)
        return .stored(.incoming, matched: match.isMatched)
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
