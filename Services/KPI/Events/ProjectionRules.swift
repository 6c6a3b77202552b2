import Contracts
import Foundation
import GRDB
import Storage

/// What each kind of fact contributes. Days are cut in the company zone.
struct ProjectionRules: Sendable {
    let zone: TimeZone
    /// Where contributions' changes to the aggregate wait for the batch's end.
    let aggregate: AggregateBuffer

    /// Cuts instants into the zone's days.
    let days: DayCutter
    /// Cuts days on the decoding thread (`plan`): a cutter remembers the last day it cut, and the
    /// two threads cut different days.
    let planDays: DayCutter

    init(zone: TimeZone, aggregate: AggregateBuffer) {
        self.zone = zone
        self.aggregate = aggregate
        days = DayCutter(zone: zone)
        planDays = DayCutter(zone: zone)
    }

    func day(_ date: Date) -> String { days.day(date) }

    func manager(_ manager: ManagerUpserted, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO dir_manager(id, name, teamId, role, active) VALUES (?, ?, ?, ?, ?)").execute(
                       arguments: [manager.managerId, manager.name, manager.teamId, manager.role, manager.active])
    }

    func client(_ client: ClientUpserted, at: Date, _ db: Database) throws {
        let known = try String.fetchOne(db.cachedStatement(sql: "SELECT firstDay FROM fact_client WHERE id = ?"), arguments: [client.clientId])
        if known == nil { aggregate.created(client.clientId) }
        let firstDay = known ?? day(at)
        try db.cachedStatement(sql: """
            INSERT INTO fact_client(id, name, managerId, segment, region, source, firstDay, lastTouchAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, managerId = excluded.managerId, segment = excluded.segment,
                region = excluded.region, source = excluded.source
            """).execute(arguments: [client.clientId, client.name, client.managerId, client.segment, client.region, client.source, firstDay,
                             at.timeIntervalSince1970])
        var contributions = Contributions()
        contributions.add(.newClients, 1, manager: client.managerId, day: firstDay, region: client.region, segment: client.segment, source: client.source)
        try contributions.replace(entity: "client:\(client.clientId)", into: aggregate, db)
    }

    func contact(_ contact: ContactAdded, at: Date, _ db: Database) throws {
        let firstDay = try String.fetchOne(db.cachedStatement(sql: "SELECT day FROM fact_contact WHERE id = ?"), arguments: [contact.contactId]) ?? day(at)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO fact_contact(id, clientId, day) VALUES (?, ?, ?)").execute(arguments: [contact.contactId, contact.clientId, firstDay])
        let manager = try String.fetchOne(db.cachedStatement(sql: "SELECT managerId FROM fact_client WHERE id = ?"), arguments: [contact.clientId])
        var contributions = Contributions()
        contributions.add(.newContacts, 1, manager: manager, day: firstDay)
        try contributions.replace(entity: "contact:\(contact.contactId)", into: aggregate, db)
    }

    func lead(_ lead: LeadCreated, at: Date, _ db: Database) throws {
        let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT day, managerId FROM fact_lead WHERE id = ?"), arguments: [lead.leadId])
        let firstDay: String = existing?["day"] ?? day(at)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO fact_lead(id, day, source, region, segment, managerId) VALUES (?, ?, ?, ?, ?, ?)").execute(
                       arguments: [lead.leadId, firstDay, lead.source, lead.region, lead.segment, existing?["managerId"] as String?])
        try leadContribution(lead.leadId, db)
    }

    func assign(_ assigned: LeadAssigned, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE fact_lead SET managerId = ? WHERE id = ?").execute(arguments: [assigned.managerId, assigned.leadId])
        try leadContribution(assigned.leadId, db)
    }

    private func leadContribution(_ leadId: String, _ db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT day, source, region, segment, managerId FROM fact_lead WHERE id = ?"), arguments: [leadId]) else { return }
        var contributions = Contributions()
        contributions.add(.newLeads, 1, manager: row["managerId"], day: row["day"], region: row["region"], segment: row["segment"], source: row["source"])
        try contributions.replace(entity: "lead:\(leadId)", into: aggregate, db)
    }

    /// A deal event as the decoding thread leaves it: the deal, when, and what it contributes.
    struct DealPlan: Sendable {
        var deal: DealState
        var at: Date
        var contributions: Contributions
        var encoded: String
    }

    /// What a deal contributes follows from the deal alone, so it is worked out where the event is
    /// decoded: created on its creation day; won amount, won deal and first or repeat sale on the
    /// day it was won; a lost deal on the day it was lost; all under the deal's category, region,
    /// segment and source.
    func plan(_ deal: DealState, at: Date) -> DealPlan {
        var contributions = Contributions()
        let dims = (category: deal.category, region: deal.region, segment: deal.segment, source: deal.source)
        contributions.add(.dealsCreated, 1, manager: deal.managerId, day: planDays.day(deal.createdAt), category: dims.category,
                          region: dims.region, segment: dims.segment, source: dims.source)
        if let closedAt = deal.closedAt {
            let closedDay = planDays.day(closedAt)
            switch deal.status {
            case .won:
                contributions.add(.wonAmount, deal.amount.kopecks, manager: deal.managerId, day: closedDay, category: dims.category,
                                  region: dims.region, segment: dims.segment, source: dims.source)
                contributions.add(.wonDeals, 1, manager: deal.managerId, day: closedDay, category: dims.category, region: dims.region,
                                  segment: dims.segment, source: dims.source)
                contributions.add(deal.isRepeatSale ? .repeatSales : .firstSales, 1, manager: deal.managerId, day: closedDay,
                                  category: dims.category, region: dims.region, segment: dims.segment, source: dims.source)
            case .lost:
                contributions.add(.lostDeals, 1, manager: deal.managerId, day: closedDay, category: dims.category, region: dims.region,
                                  segment: dims.segment, source: dims.source)
            case .open:
                break
            }
        }
        return DealPlan(deal: deal, at: at, contributions: contributions, encoded: contributions.encoded)
    }

    /// A deal as it stands: its row, its stage visits, and its contribution (`plan`).
    func deal(_ plan: DealPlan, _ db: Database) throws {
        let deal = plan.deal, at = plan.at
        // One lookup for both questions (is this state older; where did the deal stand), read by
        // column index: a million deal events a year went through two lookups by column name.
        let previous = try db.cachedStatement(sql: """
            SELECT version, stageId, status, stageSince, managerId, amount, createdAt, closedAt FROM fact_deal WHERE id = ?
            """).fetchFirst(binding: { $0.add(deal.dealId) }) { row in
                (version: row.int64(0) ?? 0, stageId: row.string(1) ?? "", status: row.string(2) ?? "", stageSince: row.double(3) ?? 0,
                 managerId: row.string(4) ?? "", amount: row.int64(5) ?? 0, createdAt: row.double(6) ?? 0, closedAt: row.double(7))
            }
        if let previous, previous.version > Int64(deal.version) {
            return      // an older state arriving late changes nothing
        }
        let moved = previous.map { $0.stageId != deal.stageId || $0.status != deal.status.rawValue } ?? true
        let since: Double = moved ? (previous == nil ? deal.createdAt.timeIntervalSince1970 : at.timeIntervalSince1970) : previous!.stageSince
        // A deal seen before is updated, and its indexed columns (manager, status, amount, creation,
        // close) only when one of them changed: SQLite rewrites an index entry whenever its column
        // is assigned, even to the same value, and a stage move changes none of them — measured
        // with Python's sqlite3 on this table's shape, 4.4 µs an update against 7.8 assigning all
        // and 8.5 for the `INSERT OR REPLACE` this was.
        let keysChanged = previous.map {
            $0.managerId != deal.managerId || $0.status != deal.status.rawValue || $0.amount != deal.amount.kopecks
                || $0.createdAt != deal.createdAt.timeIntervalSince1970 || $0.closedAt != deal.closedAt?.timeIntervalSince1970
        } ?? true
        let sql = previous == nil ? """
            INSERT INTO fact_deal(title, clientId, category, region, segment, source, pipelineId, stageId, department, probability, isRepeatSale,
                lossReason, expectedCloseDate, stageSince, version, managerId, status, amount, createdAt, closedAt, id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """ : keysChanged ? """
            UPDATE fact_deal SET title = ?, clientId = ?, category = ?, region = ?, segment = ?, source = ?, pipelineId = ?, stageId = ?,
                department = ?, probability = ?, isRepeatSale = ?, lossReason = ?, expectedCloseDate = ?, stageSince = ?, version = ?,
                managerId = ?, status = ?, amount = ?, createdAt = ?, closedAt = ? WHERE id = ?
            """ : """
            UPDATE fact_deal SET title = ?, clientId = ?, category = ?, region = ?, segment = ?, source = ?, pipelineId = ?, stageId = ?,
                department = ?, probability = ?, isRepeatSale = ?, lossReason = ?, expectedCloseDate = ?, stageSince = ?, version = ?
                WHERE id = ?
            """
        try db.cachedStatement(sql: sql).execute {
            $0.add(deal.title); $0.add(deal.clientId); $0.add(deal.category); $0.add(deal.region); $0.add(deal.segment); $0.add(deal.source)
            $0.add(deal.pipelineId); $0.add(deal.stageId); $0.add(deal.department); $0.add(deal.probability); $0.add(deal.isRepeatSale)
            $0.add(deal.lossReason); $0.add(deal.expectedCloseDate); $0.add(since); $0.add(deal.version)
            if keysChanged {
                $0.add(deal.managerId); $0.add(deal.status.rawValue); $0.add(deal.amount.kopecks); $0.add(deal.createdAt.timeIntervalSince1970)
                $0.add(deal.closedAt?.timeIntervalSince1970)
            }
            $0.add(deal.dealId)
        }
        if moved {
            // The visit to the previous stage ends; a new one begins unless the deal just closed in place.
            let end = deal.status == .open ? since : (deal.closedAt ?? at).timeIntervalSince1970
            try db.cachedStatement(sql: "UPDATE fact_visit SET leftAt = ? WHERE dealId = ? AND leftAt IS NULL").execute { $0.add(end); $0.add(deal.dealId) }
            let stayed = previous.map { $0.stageId == deal.stageId } ?? false
            if deal.status == .open || !stayed {
                let last = try db.cachedStatement(sql: "SELECT MAX(position) FROM fact_visit WHERE dealId = ?")
                    .fetchFirst(binding: { $0.add(deal.dealId) }) { $0.int64(0) } ?? nil
                try db.cachedStatement(sql: """
                    INSERT INTO fact_visit(dealId, position, pipelineId, stageId, department, probability, enteredAt, leftAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute {
                    $0.add(deal.dealId); $0.add((last ?? 0) + 1); $0.add(deal.pipelineId); $0.add(deal.stageId); $0.add(deal.department)
                    $0.add(deal.probability); $0.add(since); $0.add(deal.status == .open ? nil : end)
                }
            }
        }
        touch(client: deal.clientId, at: at)
        try plan.contributions.replace(entity: "deal:\(deal.dealId)", encoded: plan.encoded, into: aggregate, db)
    }

    func task(_ task: TaskCreated, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO fact_task(id, assigneeId, status, dueAt) VALUES (?, ?, 'open', ?)").execute(
                       arguments: [task.taskId, task.assigneeId, task.dueAt.timeIntervalSince1970])
    }

    /// A call as it stands, and what it counts for (see `CallFigures`): the row it replaces is
    /// read back and its cells taken away.
    ///
    /// Most calls arrive once: the row is inserted unless one is there, and only a call seen
    /// before is looked up and replaced — a lookup ahead of every insert was a twentieth of
    /// projecting a call.
    func call(_ call: CallState, _ db: Database) throws {
        let current = CallFigures(call)
        func bind(_ row: inout DirectBindings) {
            row.add(call.callId); row.add(call.managerId); row.add(call.clientId); row.add(call.dealId); row.add(call.direction.rawValue)
            row.add(call.direction == .incoming ? call.from : call.to); row.add(call.startedAt.timeIntervalSince1970); row.add(call.billableSeconds)
            row.add(call.answered); row.add(call.recordingURL)
        }
        if let client = call.clientId { touch(client: client, at: call.startedAt) }
        try db.cachedStatement(sql: """
            INSERT INTO fact_call(id, managerId, clientId, dealId, direction, counterpart, startedAt, billableSeconds, answered, recordingURL)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
            """).execute(binding: bind)
        if db.changesCount == 1 {
            current.add(to: aggregate, sign: 1, days: days)
            return
        }
        let previous = try db.cachedStatement(sql: "SELECT managerId, direction, startedAt, billableSeconds, answered FROM fact_call WHERE id = ?")
            .fetchFirst(binding: { $0.add(call.callId) }) { row in
                CallFigures(managerId: row.string(0), direction: row.string(1) ?? "", startedAt: row.double(2) ?? 0,
                            billableSeconds: row.int64(3) ?? 0, answered: row.int64(4) == 1)
            }
        if previous != current {
            previous?.add(to: aggregate, sign: -1, days: days)
            current.add(to: aggregate, sign: 1, days: days)
        }
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO fact_call(id, managerId, clientId, dealId, direction, counterpart, startedAt, billableSeconds, answered, recordingURL)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(binding: bind)
    }

    func activity(_ activity: ActivityRecorded, _ db: Database) throws {
        var contributions = Contributions()
        let metric: Metric? = switch activity.kind {
        case "meeting": .meetings
        case "proposal": .proposals
        case "email": .emails
        default: nil
        }
        if let metric { contributions.add(metric, 1, manager: activity.managerId, day: day(activity.at)) }
        if let client = activity.clientId { touch(client: client, at: activity.at) }
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO fact_activity(id, kind, managerId, clientId, dealId, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(
                       arguments: [activity.activityId, activity.kind, activity.managerId, activity.clientId, activity.dealId,
                                   activity.at.timeIntervalSince1970, activity.note])
        try contributions.replace(entity: "activity:\(activity.activityId)", into: aggregate, db)
    }

    /// Cash received: a payment matched to a manager counts in full for that manager on the day the
    /// money came; a later match (or unmatch) moves it.
    func payment(_ payment: PaymentState, _ db: Database) throws {
        let entity = "payment:\(payment.paymentId)"
        if let seen = try Int.fetchOne(db.cachedStatement(sql: "SELECT revision FROM fact_payment_revision WHERE paymentId = ?"), arguments: [payment.paymentId]),
           seen > payment.revision { return }
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO fact_payment_revision(paymentId, revision) VALUES (?, ?)").execute(arguments: [payment.paymentId, payment.revision])
        var contributions = Contributions()
        if payment.matchedBy != nil {
            contributions.add(.cashReceived, payment.amount.kopecks, manager: payment.managerId, day: payment.receivedOn)
        }
        if let client = payment.clientId, let at = CalendarDay.start(payment.receivedOn, in: zone) { touch(client: client, at: at) }
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO fact_payment(id, managerId, clientId, dealId, receivedOn, amount, payerName, matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [payment.paymentId, payment.managerId, payment.clientId, payment.dealId, payment.receivedOn, payment.amount.kopecks,
                             payment.payerName, payment.matchedBy != nil])
        try contributions.replace(entity: entity, into: aggregate, db)
    }

    func receivable(_ item: ReceivableItem, overdue: Bool, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO fact_receivable(id, invoiceId, managerId, clientId, dueOn, outstanding, overdue) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [item.receivableId, item.invoiceId, item.managerId, item.clientId, item.dueOn, item.outstanding.kopecks, overdue])
    }

    func approval(_ requested: ApprovalRequested, at: Date, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO fact_approval(id, dealId, requesterId, subject, amount, attachmentName, requestedAt, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
            """).execute(arguments: [requested.approvalId, requested.dealId, requested.requesterId, requested.subject, requested.amount.kopecks,
                             requested.attachmentName, at.timeIntervalSince1970])
    }

    func decision(_ decided: ApprovalDecided, at: Date, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE fact_approval SET status = ?, deciderId = ?, comment = ?, decidedAt = ? WHERE id = ?").execute(
                       arguments: [decided.approved ? "approved" : "rejected", decided.deciderId, decided.comment, at.timeIntervalSince1970,
                                   decided.approvalId])
    }

    /// The client's last touch moves to `at` if later — when the batch ends (`AggregateBuffer`).
    private func touch(client: String, at: Date) {
        aggregate.touch(client, at: at.timeIntervalSince1970)
    }
}
