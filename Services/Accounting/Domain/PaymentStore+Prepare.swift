import Contracts
import Foundation
import GRDB

extension PaymentStore {
    /// Decides what storing `draft` means: its direction and, for an incoming one, its match,
    /// the money put on invoices through `ledger`, and its events. Writes nothing itself but what
    /// `ledger` writes (`LiveInvoices` pays in the database; an import's book in memory).
    /// The caller has made sure the document is not stored yet.
    func prepare(_ draft: PaymentDraft, ownAccounts: Set<String>, ledger: some InvoiceLedger) throws -> PreparedPayment {
        let direction = draft.direction(ownAccounts: ownAccounts)
        let receivedOn = draft.receivedOn ?? draft.documentDate
        guard direction == .incoming else {
            return PreparedPayment(draft: draft, direction: direction, receivedOn: receivedOn, match: nil, events: [])
        }
        let match = try Matcher(directory: ledger).match(amount: draft.amount, payerInn: draft.payerInn, purpose: draft.purpose,
                                                         numbers: draft.invoiceNumbers, on: receivedOn)
        let state = PaymentState(
            paymentId: draft.paymentId, number: draft.number, documentDate: draft.documentDate, receivedOn: receivedOn,
            amount: Money(kopecks: draft.amount, currency: draft.currency), payerName: draft.payerName, payerInn: draft.payerInn,
            payerAccount: draft.payerAccount, purpose: draft.purpose, clientId: match.clientId, dealId: match.dealId,
            managerId: match.managerId, allocations: match.allocations(currency: draft.currency),
            unallocated: Money(kopecks: match.unallocated, currency: draft.currency), matchedBy: match.matchedBy, revision: 1,
            clientName: try match.clientId.flatMap(ledger.clientName), dealTitle: try match.dealId.flatMap(ledger.dealTitle))
        var events = [PreparedPayment.Event(type: PaymentReceived.eventType, schemaVersion: PaymentReceived.schemaVersion,
                                            payload: state.payloadJSON())]
        if !match.isMatched {
            events.append(.init(type: PaymentUnmatched.eventType, schemaVersion: PaymentUnmatched.schemaVersion,
                                payload: state.payloadJSON(reason: match.reason)))
        }
        // After the payment's own event, so a consumer hears of the money before the invoice it closes.
        events += try paidEvents(match, on: receivedOn, ledger)
        return PreparedPayment(draft: draft, direction: direction, receivedOn: receivedOn, match: match, events: events)
    }

    /// Puts a match's parts on their invoices; an `invoice.paid` for each invoice that this pays
    /// in full for the first time, in the order of the parts.
    func paidEvents(_ match: Match, on day: String, _ ledger: some InvoiceLedger) throws -> [PreparedPayment.Event] {
        var events: [PreparedPayment.Event] = []
        for part in match.parts {
            guard let invoiceId = part.invoiceId, let paid = try ledger.pay(invoiceId, part.amount, on: day) else { continue }
            events.append(.init(type: InvoicePaid.eventType, schemaVersion: InvoicePaid.schemaVersion, payload: paid.payloadJSON()))
        }
        return events
    }

    /// Writes a prepared document: its row, its allocations and its events.
    ///
    /// Only a document not stored is prepared (its invoices are paid already), so the row is a
    /// plain insert: one stored meanwhile breaks the primary key (the id is the identity's hash) and fails the
    /// transaction rather than count money twice. (`ON CONFLICT DO NOTHING` cost ~2 µs a row.)
    /// `insert` is `paymentInsert(db)`, held by a writer of many documents: fetched from GRDB's
    /// cache per document, the cache hashed and compared the INSERT's 700 characters each time.
    func write(_ payment: PreparedPayment, _ db: Database, using insert: Statement? = nil) throws {
        // Read through `payment`, never copied out of it: a draft is two dozen strings, and an
        // import writes 100,000 of them.
        let insert = try insert ?? paymentInsert(db)
        try insert.execute {
            $0.add(payment.draft.paymentId); $0.add(payment.draft.identity); $0.add(payment.draft.kind); $0.add(payment.draft.number)
            $0.add(payment.draft.documentDate); $0.add(payment.draft.amount); $0.add(payment.draft.currency); $0.add(payment.direction.rawValue)
            $0.add(payment.direction == .incoming ? payment.receivedOn : payment.draft.receivedOn)
            $0.add(payment.draft.debitedOn); $0.add(payment.draft.payerName); $0.add(payment.draft.payerInn); $0.add(payment.draft.payerKpp)
            $0.add(payment.draft.payerAccount); $0.add(payment.draft.payeeName); $0.add(payment.draft.payeeInn); $0.add(payment.draft.payeeAccount)
            $0.add(payment.draft.purpose); $0.add(payment.match?.clientId); $0.add(payment.match?.dealId); $0.add(payment.match?.managerId)
            $0.add(payment.match?.matchedBy); $0.add(payment.match?.unallocated ?? 0); $0.add(payment.draft.source); $0.add(payment.draft.importId)
            $0.add(payment.draft.line); $0.add(payment.draft.fields); $0.add(payment.draft.documentOffset); $0.add(payment.draft.documentLength)
            $0.add(Date().timeIntervalSince1970)
        }
        if let match = payment.match { try insertAllocations(match, paymentId: payment.draft.paymentId, db) }
        try append(payment.events, db)
    }

    /// The statement `write` stores a payment's row with.
    func paymentInsert(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: """
            INSERT INTO payment (id, identity, kind, number, documentDate, amount, currency, direction, receivedOn, debitedOn,
                payerName, payerInn, payerKpp, payerAccount, payeeName, payeeInn, payeeAccount, purpose, clientId, dealId, managerId,
                matchedBy, unallocated, source, importId, line, fields, documentOffset, documentLength, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func insertAllocations(_ match: Match, paymentId: String, _ db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO allocation(paymentId, position, invoiceId, dealId, amount) VALUES (?, ?, ?, ?, ?)")
        for (position, part) in match.parts.enumerated() {
            try insert.execute { $0.add(paymentId); $0.add(position); $0.add(part.invoiceId); $0.add(part.dealId); $0.add(part.amount) }
        }
    }

    func append(_ events: [PreparedPayment.Event], _ db: Database) throws {
        // By index: `for event in events` copied each event, its payload and its envelope.
        for index in events.indices {
            if let envelope = events[index].envelope {
                try outbox.append(envelope, in: db)
                continue
            }
            try outbox.appendEncoded(payload: events[index].payload, type: events[index].type, schemaVersion: events[index].schemaVersion,
                                     stream: StreamName.accounting, correlationId: correlationId, in: db)
        }
    }
}
