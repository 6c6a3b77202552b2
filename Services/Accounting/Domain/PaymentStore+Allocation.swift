import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

extension PaymentStore {
    /// Writes a match's allocations and adds them to the invoices; an invoice that becomes paid in
    /// full is announced once (`invoice.paid`).
    func apply(_ match: Match, paymentId: String, receivedOn: String, _ db: Database) throws {
        try insertAllocations(match, paymentId: paymentId, db)
        try append(paidEvents(match, on: receivedOn, LiveInvoices(db: db)), db)
    }

    /// Takes a payment's allocations back off its invoices; returns what they were, so an
    /// unchanged match can be put back exactly (paid-on days included).
    private func unapply(_ paymentId: String, _ db: Database) throws -> [(part: Match.Part, paidOn: String?)] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.invoiceId, a.dealId, a.amount, i.paidOn FROM allocation a LEFT JOIN invoice i ON i.id = a.invoiceId
            WHERE a.paymentId = ? ORDER BY a.position
            """, arguments: [paymentId])
        for row in rows {
            guard let invoiceId: String = row["invoiceId"] else { continue }
            try db.execute(sql: "UPDATE invoice SET paid = paid - ?, paidOn = CASE WHEN paid - ? < amount THEN NULL ELSE paidOn END WHERE id = ?",
                           arguments: [row["amount"] as Int64, row["amount"] as Int64, invoiceId])
        }
        try db.execute(sql: "DELETE FROM allocation WHERE paymentId = ?", arguments: [paymentId])
        return rows.map { (Match.Part(invoiceId: $0["invoiceId"], dealId: $0["dealId"], amount: $0["amount"]), $0["paidOn"]) }
    }

    private func restore(_ paymentId: String, _ previous: [(part: Match.Part, paidOn: String?)], _ db: Database) throws {
        for (position, item) in previous.enumerated() {
            try db.execute(sql: "INSERT INTO allocation(paymentId, position, invoiceId, dealId, amount) VALUES (?, ?, ?, ?, ?)",
                           arguments: [paymentId, position, item.part.invoiceId, item.part.dealId, item.part.amount])
            guard let invoiceId = item.part.invoiceId else { continue }
            try db.execute(sql: "UPDATE invoice SET paid = paid + ?, paidOn = ? WHERE id = ?", arguments: [item.part.amount, item.paidOn, invoiceId])
        }
    }

    /// Matches a stored incoming payment again (an invoice or client it may belong to appeared);
    /// announces `payment.matched` only when the match changed. Manual matches are left alone.
    @discardableResult
    func rematch(_ paymentId: String, _ db: Database) throws -> Bool {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT amount, payerInn, purpose, receivedOn, clientId, dealId, managerId, unallocated, matchedBy, manual
            FROM payment WHERE id = ? AND direction = 'incoming'
            """, arguments: [paymentId]), row["manual"] as Bool == false else { return false }
        let previous = try unapply(paymentId, db)
        let old = Match(clientId: row["clientId"], dealId: row["dealId"], managerId: row["managerId"], parts: previous.map(\.part),
                        unallocated: row["unallocated"], matchedBy: row["matchedBy"])
        var new = try Matcher(db: db).match(amount: row["amount"], payerInn: row["payerInn"], purpose: row["purpose"], on: row["receivedOn"])
        new.reason = ""
        if new == old {
            try restore(paymentId, previous, db)
            return false
        }
        try update(paymentId, to: new, manual: false, receivedOn: row["receivedOn"], db)
        return true
    }

    /// Matches the payments waiting for a client (by its INN) or an invoice (by its number).
    ///
    /// A payment that names an invoice accounting has not heard of yet (the deals event is still on
    /// its way) is matched by the payer's INN meanwhile — possibly onto another open invoice of the
    /// client. When the named invoice arrives, such a payment is matched again so the money moves
    /// onto the invoice it names; the invoices it leaves are offered to the client's other waiting
    /// payments, so nothing paid stays unapplied.
    func rematchWaiting(inn: String?, invoiceNumber: String?, _ db: Database) throws {
        var ids: [String] = []
        if let invoiceNumber {
            let key = PurposeScanner.key(invoiceNumber)
            let candidates = try Row.fetchAll(db, sql: """
                SELECT id, purpose FROM payment WHERE direction = 'incoming' AND manual = 0
                AND (clientId IS NULL OR unallocated > 0 OR matchedBy = 'inn') AND instr(purpose, ?) > 0
                """, arguments: [PurposeScanner.digitsKey(invoiceNumber)])
            for candidate in candidates where PurposeScanner.invoiceNumbers(in: candidate["purpose"]).contains(where: {
                PurposeScanner.key($0) == key || PurposeScanner.digitsKey($0) == PurposeScanner.digitsKey(invoiceNumber)
            }) {
                ids.append(candidate["id"])
            }
        }
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted { try rematch(id, db) }
        guard let inn else { return }
        // Waiting by INN after the number's own payments: those take their invoice first, and what
        // they released (or what is still open) goes to the rest.
        let waiting = try String.fetchAll(db, sql: """
            SELECT id FROM payment WHERE payerInn = ? AND direction = 'incoming' AND manual = 0 AND (clientId IS NULL OR unallocated > 0)
            ORDER BY receivedOn, id
            """, arguments: [inn])
        for id in waiting where !seen.contains(id) { try rematch(id, db) }
    }

    /// Accounting's hand: put a payment against named invoices (amounts optional — then each
    /// takes what it still owes), or against a client or deal only, or take the match away.
    /// A manual match is never redone by automatic matching, and a re-import does not touch it.
    func matchManually(_ paymentId: String, invoices: [(id: String, amount: Int64?)], clientId: String?, dealId: String?,
                       _ db: Database) throws -> PaymentState {
        guard let row = try Row.fetchOne(db, sql: "SELECT amount, receivedOn FROM payment WHERE id = ? AND direction = 'incoming'",
                                         arguments: [paymentId]) else {
            throw Problem.notFound("no incoming payment \(paymentId)")
        }
        let amount: Int64 = row["amount"]
        _ = try unapply(paymentId, db)
        var match = Match(clientId: clientId, dealId: dealId, managerId: nil, unallocated: amount, matchedBy: "manual")
        var remaining = amount
        for (index, item) in invoices.enumerated() {
            guard let invoice = try Row.fetchOne(db, sql: "SELECT dealId, clientId, managerId, amount - paid AS outstanding FROM invoice WHERE id = ?",
                                                 arguments: [item.id]) else {
                throw Problem.invalid("invoices[\(index)].invoiceId", "names no invoice \(item.id)")
            }
            let take = item.amount ?? min(remaining, invoice["outstanding"] as Int64)
            guard take > 0 else { throw Problem.invalid("invoices[\(index)].amount", "must be positive (the invoice owes nothing or the payment is spent)") }
            guard take <= remaining else { throw Problem.invalid("invoices[\(index)].amount", "exceeds what is left of the payment (\(Money.decimalString(remaining)))") }
            match.parts.append(.init(invoiceId: item.id, dealId: invoice["dealId"], amount: take))
            remaining -= take
            match.clientId = match.clientId ?? invoice["clientId"]
            match.dealId = match.dealId ?? invoice["dealId"]
            match.managerId = match.managerId ?? invoice["managerId"]
        }
        match.unallocated = remaining
        if let dealId = match.dealId, match.parts.isEmpty || invoices.isEmpty {
            guard let deal = try Row.fetchOne(db, sql: "SELECT clientId, managerId FROM dir_deal WHERE id = ?", arguments: [dealId]) else {
                throw Problem.invalid("dealId", "names no deal \(dealId)")
            }
            match.clientId = match.clientId ?? deal["clientId"]
            match.managerId = match.managerId ?? deal["managerId"]
        }
        if let clientId = match.clientId, match.managerId == nil {
            guard let client = try Row.fetchOne(db, sql: "SELECT managerId FROM dir_client WHERE id = ?", arguments: [clientId]) else {
                throw Problem.invalid("clientId", "names no client \(clientId)")
            }
            match.managerId = client["managerId"]
        }
        if invoices.isEmpty && clientId == nil && dealId == nil {
            match = .unmatched(amount, reason: "unmatched by hand")
        }
        try update(paymentId, to: match, manual: true, receivedOn: row["receivedOn"], db)
        return try Self.state(paymentId, db)!
    }

    private func update(_ paymentId: String, to match: Match, manual: Bool, receivedOn: String, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE payment SET clientId = ?, dealId = ?, managerId = ?, matchedBy = ?, unallocated = ?, manual = ?, revision = revision + 1
            WHERE id = ?
            """, arguments: [match.clientId, match.dealId, match.managerId, match.matchedBy, match.unallocated, manual, paymentId])
        var state = try Self.state(paymentId, db)!
        state.allocations = match.allocations(currency: state.amount.currency)
        if match.isMatched {
            try outbox.appendEncoded(payload: state.payloadJSON(), type: PaymentMatched.eventType, schemaVersion: PaymentMatched.schemaVersion,
                                     stream: StreamName.accounting, correlationId: correlationId, in: db)
        } else {
            try outbox.appendEncoded(payload: state.payloadJSON(reason: match.reason), type: PaymentUnmatched.eventType,
                                     schemaVersion: PaymentUnmatched.schemaVersion, stream: StreamName.accounting, correlationId: correlationId, in: db)
        }
        // The payment's event first, then the invoices it closes — as on arrival.
        try apply(match, paymentId: paymentId, receivedOn: receivedOn, db)
    }
}

extension PaymentStore {
    /// An invoice issued in 1C (not through `pacer-deals`), pushed by the accounting integration.
    /// Its id derives from its number and day, so a repeated push changes nothing; returns
    /// whether it was new. Payments waiting for it are matched.
    func saveInvoice(number: String, issuedOn: String, dueOn: String, amount: Int64, currency: String, clientId: String?,
                     clientInn: String?, dealId: String?, _ db: Database) throws -> Bool {
        let id = "1c-\(PurposeScanner.key(number))-\(issuedOn)"
        var client = clientId
        var manager: String?
        if let dealId, let deal = try Row.fetchOne(db, sql: "SELECT clientId, managerId FROM dir_deal WHERE id = ?", arguments: [dealId]) {
            client = client ?? deal["clientId"]
            manager = deal["managerId"]
        }
        if client == nil, let clientInn {
            client = try String.fetchOne(db, sql: "SELECT id FROM dir_client WHERE inn = ? ORDER BY id LIMIT 1", arguments: [clientInn])
        }
        if manager == nil, let client {
            manager = try String.fetchOne(db, sql: "SELECT managerId FROM dir_client WHERE id = ?", arguments: [client])
        }
        try db.execute(sql: """
            INSERT INTO invoice(id, number, numberKey, digitsKey, dealId, clientId, managerId, amount, currency, issuedOn, dueOn, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '1c') ON CONFLICT(id) DO NOTHING
            """, arguments: [id, number, PurposeScanner.key(number), PurposeScanner.digitsKey(number), dealId, client, manager, amount,
                             currency, issuedOn, dueOn])
        guard db.changesCount == 1 else { return false }
        try rematchWaiting(inn: clientInn, invoiceNumber: number, db)
        return true
    }
}
