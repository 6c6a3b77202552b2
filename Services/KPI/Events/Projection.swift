import Contracts
import Foundation
import GRDB
import Messaging

/// Turns consumed events into facts and their contributions to the daily aggregate. Every event
/// applied is also kept in the event log (`EventLog`), so the whole read side can be rebuilt from
/// it (`recompute`).
struct Projection: EventHandler {
    /// The company zone: days and periods are cut in it.
    let zone: TimeZone
    let router: EventRouter
    let aggregate = AggregateBuffer()
    private let log = EventLog()
    private let ahead: DecodeAhead

    init(zone: TimeZone) {
        self.zone = zone
        var router = EventRouter()
        let project = ProjectionRules(zone: zone, aggregate: aggregate)
        router.on(ManagerUpserted.self) { envelope, db in try project.manager(envelope.payload, db) }
        router.on(ClientUpserted.self) { envelope, db in try project.client(envelope.payload, at: envelope.occurredAt, db) }
        router.on(ContactAdded.self) { envelope, db in try project.contact(envelope.payload, at: envelope.occurredAt, db) }
        router.on(LeadCreated.self) { envelope, db in try project.lead(envelope.payload, at: envelope.occurredAt, db) }
        router.on(LeadAssigned.self) { envelope, db in try project.assign(envelope.payload, db) }
        // A deal's contribution is worked out where the event is decoded (`ProjectionRules.plan`).
        func routeDeal<P: DealCarrying>(_: P.Type) {
            router.on(P.self, prepare: { project.plan($0.payload.deal, at: $0.occurredAt) }) { plan, db in try project.deal(plan, db) }
        }
        for type in [DealCreated.self, DealStageChanged.self, DealUpdated.self, DealAmountChanged.self, DealFlaggedProblem.self, DealWon.self,
                     DealLost.self, DealReopened.self, DealReassigned.self] as [any DealCarrying.Type] {
            routeDeal(type)
        }
        router.on(TaskCreated.self) { envelope, db in try project.task(envelope.payload, db) }
        router.on(TaskOverdue.self) { envelope, db in
            try db.cachedStatement(sql: "UPDATE fact_task SET overdue = 1 WHERE id = ?").execute(arguments: [envelope.payload.taskId])
        }
        router.on(TaskCompleted.self) { envelope, db in
            try db.cachedStatement(sql: "UPDATE fact_task SET status = 'done' WHERE id = ?").execute(arguments: [envelope.payload.taskId])
        }
        router.on(CallRecorded.self) { envelope, db in try project.call(envelope.payload.call, db) }
        router.on(CallUpdated.self) { envelope, db in try project.call(envelope.payload.call, db) }
        router.on(ActivityRecorded.self) { envelope, db in try project.activity(envelope.payload, db) }
        router.on(PaymentReceived.self) { envelope, db in try project.payment(envelope.payload.payment, db) }
        router.on(PaymentMatched.self) { envelope, db in try project.payment(envelope.payload.payment, db) }
        router.on(PaymentUnmatched.self) { envelope, db in try project.payment(envelope.payload.payment, db) }
        router.on(InvoicePaid.self) { envelope, db in
            try db.cachedStatement(sql: "UPDATE fact_receivable SET outstanding = 0, overdue = 0 WHERE invoiceId = ?").execute(arguments: [envelope.payload.invoiceId])
        }
        router.on(ApprovalRequested.self) { envelope, db in try project.approval(envelope.payload, at: envelope.occurredAt, db) }
        router.on(ApprovalDecided.self) { envelope, db in try project.decision(envelope.payload, at: envelope.occurredAt, db) }
        router.on(ReceivableDue.self) { envelope, db in try project.receivable(envelope.payload.receivable, overdue: false, db) }
        router.on(ReceivableChanged.self) { envelope, db in
            let item = envelope.payload.receivable
            try db.cachedStatement(sql: "UPDATE fact_receivable SET outstanding = ?, overdue = overdue AND ? > 0 WHERE id = ?").execute(
                           arguments: [item.outstanding.kopecks, item.outstanding.kopecks, item.receivableId])
        }
        router.on(ReceivableOverdue.self) { envelope, db in try project.receivable(envelope.payload.receivable, overdue: true, db) }
        self.router = router
        ahead = DecodeAhead(router: router)
    }

    var previewsBatches: Bool { true }

    func willApply(_ events: [ReceivedEvent]) { ahead.submit(events) }

    func apply(_ event: ReceivedEvent, in db: Database) throws {
        do {
            try (ahead.take(event) ?? Result { try router.prepare(event) }).get()?(db)
        } catch {
            // Its savepoint takes back what it wrote; its sums must go too, and it is not logged.
            aggregate.dropEvent()
            throw error
        }
        aggregate.endEvent()
        try log.append(event, db)
    }

    /// Writes the batch's sums into `agg` and its events into the log, before the transaction commits.
    func finishBatch(in db: Database) throws {
        ahead.reset()
        try aggregate.flush(db)
        try log.write(db)
    }

    func discardBatch() {
        ahead.reset()
        aggregate.discard()
        log.discard()
    }
}
