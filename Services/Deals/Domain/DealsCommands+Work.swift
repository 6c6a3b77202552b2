import Contracts
import Foundation
import GRDB
import ServiceKit

extension DealsCommands {
    static let taskKinds = ["call", "meeting", "proposal", "other"]

    func createTask(kind: String, title: String, assigneeId: String, dealId: String?, clientId: String?, dueAt: Date, _ db: Database) throws -> TaskRecord {
        guard Self.taskKinds.contains(kind) else { throw Problem.invalid("kind", "must be one of \(Self.taskKinds.joined(separator: ", "))") }
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("title", "must not be empty") }
        _ = try activeManager(assigneeId, field: "assigneeId", db)
        if let dealId, try !DealRecord.exists(db, key: dealId) { throw Problem.invalid("dealId", "names no deal (\(dealId))") }
        if let clientId, try !ClientRecord.exists(db, key: clientId) { throw Problem.invalid("clientId", "names no client (\(clientId))") }
        let task = TaskRecord(id: EventID.make(at: now), kind: kind, title: title, assigneeId: assigneeId, dealId: dealId,
                              clientId: clientId, dueAt: dueAt, status: "open", completedAt: nil, overdueNotified: false, createdAt: now)
        try task.insert(db)
        try emit(TaskCreated(taskId: task.id, kind: kind, title: title, assigneeId: assigneeId, dealId: dealId, clientId: clientId, dueAt: dueAt), db)
        return task
    }

    func completeTask(_ id: String, _ db: Database) throws -> TaskRecord {
        guard var task = try TaskRecord.fetchOne(db, key: id) else { throw Problem.notFound("no task \(id)") }
        guard task.status == "open" else { return task }
        task.status = "done"
        task.completedAt = now
        try task.update(db)
        let clientId = try task.clientId ?? task.dealId.flatMap { try DealRecord.fetchOne(db, key: $0)?.clientId }
        try emit(TaskCompleted(taskId: task.id, kind: task.kind, assigneeId: task.assigneeId, dealId: task.dealId,
                               clientId: clientId, completedAt: now), db)
        return task
    }

    /// Emits TaskOverdue once per task whose deadline passed while it was open. Returns how many.
    func markOverdueTasks(_ db: Database) throws -> Int {
        let due = try TaskRecord.filter(Column("status") == "open" && Column("overdueNotified") == false && Column("dueAt") < now).fetchAll(db)
        for var task in due {
            task.overdueNotified = true
            try task.update(db)
            try emit(TaskOverdue(taskId: task.id, kind: task.kind, title: task.title, assigneeId: task.assigneeId, dealId: task.dealId, dueAt: task.dueAt), db)
        }
        return due.count
    }

    func issueInvoice(dealId: String, number: String, issuedOn: String, dueOn: String, amount: Money, _ db: Database) throws -> InvoiceRecord {
        let deal = try deal(dealId, db)
        guard !number.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("number", "must not be empty") }
        guard CalendarDate.isValid(issuedOn) else { throw Problem.invalid("issuedOn", "must be a date YYYY-MM-DD") }
        guard CalendarDate.isValid(dueOn) else { throw Problem.invalid("dueOn", "must be a date YYYY-MM-DD") }
        guard dueOn >= issuedOn else { throw Problem.invalid("dueOn", "must not be before issuedOn") }
        guard amount.kopecks > 0 else { throw Problem.invalid("amount.kopecks", "must be positive") }
        if try InvoiceRecord.filter(Column("number") == number).fetchOne(db) != nil {
            throw Problem(.conflict, "invoice number \(number) is taken", field: "number")
        }
        let invoice = InvoiceRecord(id: EventID.make(at: now), dealId: dealId, number: number, issuedOn: issuedOn, dueOn: dueOn,
                                    amountKopecks: amount.kopecks, currency: amount.currency, createdAt: now)
        try invoice.insert(db)
        try emit(InvoiceIssued(invoiceId: invoice.id, number: number, dealId: dealId, clientId: deal.clientId, managerId: deal.managerId,
                               amount: amount, issuedOn: issuedOn, dueOn: dueOn), db)
        return invoice
    }

    /// Replaces a deal's payment schedule. The instalments must add up to the invoice (or, without
    /// one, the deal) to the kopeck.
    func setSchedule(dealId: String, invoiceId: String?, instalments: [Instalment], _ db: Database) throws -> [InstalmentRecord] {
        let deal = try deal(dealId, db)
        guard !instalments.isEmpty else { throw Problem.invalid("instalments", "must not be empty") }
        var total: Int64 = 0
        for (index, instalment) in instalments.enumerated() {
            guard CalendarDate.isValid(instalment.dueOn) else { throw Problem.invalid("instalments[\(index)].dueOn", "must be a date YYYY-MM-DD") }
            guard instalment.amount.kopecks > 0 else { throw Problem.invalid("instalments[\(index)].amount.kopecks", "must be positive") }
            total += instalment.amount.kopecks
        }
        var expected = deal.amountKopecks
        if let invoiceId {
            guard let invoice = try InvoiceRecord.fetchOne(db, key: invoiceId), invoice.dealId == dealId else {
                throw Problem.invalid("invoiceId", "names no invoice of deal \(dealId)")
            }
            expected = invoice.amountKopecks
        }
        guard total == expected else {
            throw Problem.invalid("instalments", "add up to \(Money.decimalString(total)), not \(Money.decimalString(expected))")
        }
        try InstalmentRecord.filter(Column("dealId") == dealId).deleteAll(db)
        let records = instalments.enumerated().map {
            InstalmentRecord(dealId: dealId, invoiceId: invoiceId, position: $0.offset + 1, dueOn: $0.element.dueOn, amountKopecks: $0.element.amount.kopecks)
        }
        for record in records { try record.insert(db) }
        try emit(PaymentScheduleSet(dealId: dealId, invoiceId: invoiceId, clientId: deal.clientId, managerId: deal.managerId,
                                    instalments: instalments), db)
        return records
    }

    // MARK: Leads

    /// A new lead goes to an active manager who covers its region, else round-robin over the
    /// active managers of the whole department (or of a team when given).
    func createLead(name: String, phone: String?, email: String?, source: String?, region: String?, segment: String?, _ db: Database) throws -> LeadRecord {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("name", "must not be empty") }
        var normalized: String?
        if let phone {
            guard let e164 = PhoneNumber.e164(phone) else { throw Problem.invalid("phone", "is not a phone number: \(phone)") }
            normalized = e164
        }
        var lead = LeadRecord(id: EventID.make(at: now), name: name, phone: normalized, email: email, source: source, region: region,
                              segment: segment, managerId: nil, assignedRule: nil, createdAt: now)
        try lead.insert(db)
        try emit(LeadCreated(leadId: lead.id, name: name, phone: normalized, email: email, source: source, region: region, segment: segment), db)
        let managers = try ManagerRecord.filter(Column("active") == true && Column("role") == "manager").order(Column("id")).fetchAll(db)
        var candidates = managers
        var rule = "round_robin"
        if let region {
            let regional = managers.filter { $0.regions.contains(region) }
            if !regional.isEmpty { candidates = regional; rule = "region" }
        }
        guard !candidates.isEmpty else { return lead }      // left to the head
        let key = rule == "region" ? "region:\(region ?? "")" : "all"
        let last = try String.fetchOne(db, sql: "SELECT lastManagerId FROM lead_rotation WHERE key = ?", arguments: [key])
        let next = candidates.first { $0.id > (last ?? "") } ?? candidates[0]
        try db.execute(sql: "INSERT OR REPLACE INTO lead_rotation(key, lastManagerId) VALUES (?, ?)", arguments: [key, next.id])
        lead.managerId = next.id
        lead.assignedRule = rule
        try lead.update(db)
        try emit(LeadAssigned(leadId: lead.id, managerId: next.id, rule: rule), db)
        return lead
    }

    func assignLead(_ id: String, to managerId: String, _ db: Database) throws -> LeadRecord {
        guard var lead = try LeadRecord.fetchOne(db, key: id) else { throw Problem.notFound("no lead \(id)") }
        _ = try activeManager(managerId, field: "managerId", db)
        guard lead.managerId != managerId else { return lead }
        lead.managerId = managerId
        lead.assignedRule = "manual"
        try lead.update(db)
        try emit(LeadAssigned(leadId: lead.id, managerId: managerId, rule: "manual"), db)
        return lead
    }

    // MARK: Approvals

    func requestApproval(dealId: String, subject: String, attachmentName: String?, attachment: Data?, _ db: Database) throws -> ApprovalRecord {
        let deal = try deal(dealId, db)
        guard !subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("subject", "must not be empty") }
        let requester = author?.managerId ?? deal.managerId
        let approval = ApprovalRecord(id: EventID.make(at: now), dealId: dealId, requesterId: requester, subject: subject,
                                      amountKopecks: deal.amountKopecks, attachmentName: attachmentName, attachment: attachment,
                                      status: "pending", comment: nil, deciderId: nil, createdAt: now, decidedAt: nil)
        try approval.insert(db)
        try emit(ApprovalRequested(approvalId: approval.id, dealId: dealId, requesterId: requester, subject: subject,
                                   amount: deal.amount, attachmentName: attachmentName), db)
        return approval
    }

    func decideApproval(_ id: String, approved: Bool, comment: String?, _ db: Database) throws -> ApprovalRecord {
        guard var approval = try ApprovalRecord.fetchOne(db, key: id) else { throw Problem.notFound("no approval \(id)") }
        guard approval.status == "pending" else { throw Problem(.conflict, "approval \(id) was already \(approval.status)") }
        approval.status = approved ? "approved" : "rejected"
        approval.comment = comment
        approval.deciderId = author?.userId
        approval.decidedAt = now
        try approval.update(db)
        try emit(ApprovalDecided(approvalId: id, dealId: approval.dealId, requesterId: approval.requesterId, approved: approved,
                                 comment: comment, deciderId: author?.userId ?? "system"), db)
        return approval
    }
}

/// `YYYY-MM-DD` calendar dates (company time zone), validated without a formatter.
enum CalendarDate {
    /// A calendar day (`CalendarDay`) within the years a deal can plausibly have.
    static func isValid(_ text: String) -> Bool {
        CalendarDay.parts(text).map { (1900...2200).contains($0.year) } ?? false
    }
}
