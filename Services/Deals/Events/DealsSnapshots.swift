import Contracts
import Foundation
import GRDB
import Messaging

/// `SNAPSHOT deals`: every manager, client, deal, invoice and payment schedule as it stands, one JSON item each
/// (`DealsSnapshotItem`), so a consumer behind the retained outbox can rebuild.
struct DealsSnapshots: SnapshotProvider {
    func snapshot(stream: String, in db: Database) throws -> [Data]? {
        guard stream == StreamName.deals else { return nil }
        let encoder = EventCodec.makeEncoder()
        var items: [Data] = []
        for manager in try ManagerRecord.order(Column("id")).fetchAll(db) {
            items.append(try encoder.encode(DealsSnapshotItem(kind: "manager", manager: manager.event)))
        }
        for client in try ClientRecord.order(Column("id")).fetchAll(db) {
            items.append(try encoder.encode(DealsSnapshotItem(kind: "client", client: client.event)))
        }
        let stages = Dictionary(uniqueKeysWithValues: try StageRecord.fetchAll(db).map { ("\($0.pipelineId)/\($0.id)", $0) })
        for deal in try DealRecord.order(Column("id")).fetchAll(db) {
            guard let stage = stages["\(deal.pipelineId)/\(deal.stageId)"] else { continue }
            items.append(try encoder.encode(DealsSnapshotItem(kind: "deal", deal: deal.state(stage: stage))))
        }
        let deals = Dictionary(uniqueKeysWithValues: try DealRecord.fetchAll(db).map { ($0.id, $0) })
        for invoice in try InvoiceRecord.order(Column("id")).fetchAll(db) {
            guard let deal = deals[invoice.dealId] else { continue }
            items.append(try encoder.encode(DealsSnapshotItem(kind: "invoice", invoice: InvoiceIssued(
                invoiceId: invoice.id, number: invoice.number, dealId: invoice.dealId, clientId: deal.clientId, managerId: deal.managerId,
                amount: Money(kopecks: invoice.amountKopecks, currency: invoice.currency), issuedOn: invoice.issuedOn, dueOn: invoice.dueOn))))
        }
        var schedules: [String: [InstalmentRecord]] = [:]
        for instalment in try InstalmentRecord.order(Column("dealId"), Column("position")).fetchAll(db) {
            schedules[instalment.dealId, default: []].append(instalment)
        }
        for (dealId, instalments) in schedules.sorted(by: { $0.key < $1.key }) {
            guard let deal = deals[dealId] else { continue }
            items.append(try encoder.encode(DealsSnapshotItem(kind: "schedule", schedule: PaymentScheduleSet(
                dealId: dealId, invoiceId: instalments[0].invoiceId, clientId: deal.clientId, managerId: deal.managerId,
                instalments: instalments.map { Instalment(dueOn: $0.dueOn, amount: Money(kopecks: $0.amountKopecks, currency: deal.currency)) }))))
        }
        return items
    }
}
