import Contracts
import Foundation
import GRDB
import Messaging

/// Keeps the replica of `pacer-deals` that matching and receivables read — clients with their
/// INN, deals, invoices and payment schedules — and matches the payments that were waiting for
/// a client or an invoice that has just arrived.
struct DealsReplica {
    let store: PaymentStore

    func handler() -> EventRouter {
        var router = EventRouter()
        router.on(ManagerUpserted.self) { envelope, db in
            try db.execute(sql: "INSERT OR REPLACE INTO dir_manager(id, name) VALUES (?, ?)", arguments: [envelope.payload.managerId, envelope.payload.name])
        }
        router.on(ClientUpserted.self) { envelope, db in try upsert(envelope.payload, db) }
        for type in dealCarryingEvents { router.onDeal(type) { deal, db in try upsert(deal, db) } }
        router.on(InvoiceIssued.self) { envelope, db in try upsert(envelope.payload, db) }
        router.on(PaymentScheduleSet.self) { envelope, db in try upsert(envelope.payload, db) }
        router.onRebuild { _, stream, items, db in
            guard stream == StreamName.deals else { return false }
            // Invoices keep what was paid on them: that is accounting's own knowledge.
            try db.execute(sql: "DELETE FROM dir_client; DELETE FROM dir_deal; DELETE FROM dir_manager; DELETE FROM instalment;")
            let decoder = EventCodec.makeDecoder()
            for item in items {
                let snapshot = try decoder.decode(DealsSnapshotItem.self, from: item)
                if let manager = snapshot.manager {
                    try db.execute(sql: "INSERT OR REPLACE INTO dir_manager(id, name) VALUES (?, ?)", arguments: [manager.managerId, manager.name])
                }
                if let client = snapshot.client { try upsert(client, db) }
                if let deal = snapshot.deal { try upsert(deal, db) }
                if let invoice = snapshot.invoice { try upsert(invoice, db) }
                if let schedule = snapshot.schedule { try upsert(schedule, db) }
            }
            return true
        }
        return router
    }

    func upsert(_ client: ClientUpserted, _ db: Database) throws {
        let previous = try String.fetchOne(db, sql: "SELECT inn FROM dir_client WHERE id = ?", arguments: [client.clientId])
        try db.execute(sql: "INSERT OR REPLACE INTO dir_client(id, name, inn, managerId) VALUES (?, ?, ?, ?)",
                       arguments: [client.clientId, client.name, client.inn, client.managerId])
        try db.execute(sql: "UPDATE invoice SET managerId = ? WHERE clientId = ? AND dealId IS NULL", arguments: [client.managerId, client.clientId])
        if let inn = client.inn, inn != previous { try store.rematchWaiting(inn: inn, invoiceNumber: nil, db) }
    }

    func upsert(_ deal: DealState, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO dir_deal(id, clientId, managerId, status, title) VALUES (?, ?, ?, ?, ?)",
                       arguments: [deal.dealId, deal.clientId, deal.managerId, deal.status.rawValue, deal.title])
        // A reassigned deal's invoices follow it to the new manager.
        try db.execute(sql: "UPDATE invoice SET managerId = ?, clientId = ? WHERE dealId = ?", arguments: [deal.managerId, deal.clientId, deal.dealId])
    }

    func upsert(_ invoice: InvoiceIssued, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO invoice(id, number, numberKey, digitsKey, dealId, clientId, managerId, amount, currency, issuedOn, dueOn, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'deals')
            ON CONFLICT(id) DO UPDATE SET number = excluded.number, numberKey = excluded.numberKey, digitsKey = excluded.digitsKey,
                dealId = excluded.dealId, clientId = excluded.clientId, managerId = excluded.managerId, amount = excluded.amount,
                currency = excluded.currency, issuedOn = excluded.issuedOn, dueOn = excluded.dueOn
            """, arguments: [invoice.invoiceId, invoice.number, PurposeScanner.key(invoice.number), PurposeScanner.digitsKey(invoice.number),
                             invoice.dealId, invoice.clientId, invoice.managerId, invoice.amount.kopecks, invoice.amount.currency,
                             invoice.issuedOn, invoice.dueOn])
        let inn = try String.fetchOne(db, sql: "SELECT inn FROM dir_client WHERE id = ?", arguments: [invoice.clientId])
        try store.rematchWaiting(inn: inn, invoiceNumber: invoice.number, db)
    }

    func upsert(_ schedule: PaymentScheduleSet, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM instalment WHERE dealId = ?", arguments: [schedule.dealId])
        for (index, instalment) in schedule.instalments.enumerated() {
            try db.execute(sql: "INSERT INTO instalment(dealId, position, invoiceId, dueOn, amount) VALUES (?, ?, ?, ?, ?)",
                           arguments: [schedule.dealId, index + 1, schedule.invoiceId, instalment.dueOn, instalment.amount.kopecks])
        }
    }
}
