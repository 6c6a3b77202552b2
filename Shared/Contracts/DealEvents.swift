import Foundation

// Events published by pacer-deals on the `deals` stream. Every deal event carries the deal's full
// state after the change (`deal`), so a consumer never merges partial updates, plus what changed.

public enum DealStatus: String, Codable, Sendable { case open, won, lost }

/// A deal as it stands after a change.
public struct DealState: Codable, Hashable, Sendable {
    public var dealId: String
    public var title: String
    public var clientId: String
    public var managerId: String
    public var amount: Money
    public var category: String?
    public var region: String?
    public var segment: String?
    public var source: String?
    public var pipelineId: String
    public var stageId: String
    /// The department that owns the stage (sales, legal, production, finance…): where time is spent.
    public var department: String
    /// The stage's win probability in percent, for weighted forecasts.
    public var probability: Int
    public var status: DealStatus
    public var isRepeatSale: Bool
    public var problem: Bool
    public var lossReason: String?
    public var expectedCloseDate: String?   // YYYY-MM-DD, company calendar
    public var createdAt: Date
    public var closedAt: Date?
    public var version: Int
    public init(dealId: String, title: String, clientId: String, managerId: String, amount: Money, category: String?,
                region: String?, segment: String?, source: String?, pipelineId: String, stageId: String, department: String,
                probability: Int, status: DealStatus, isRepeatSale: Bool, problem: Bool, lossReason: String?,
                expectedCloseDate: String?, createdAt: Date, closedAt: Date?, version: Int) {
        self.dealId = dealId; self.title = title; self.clientId = clientId; self.managerId = managerId
        self.amount = amount; self.category = category; self.region = region; self.segment = segment
        self.source = source; self.pipelineId = pipelineId; self.stageId = stageId; self.department = department
        self.probability = probability; self.status = status; self.isRepeatSale = isRepeatSale; self.problem = problem
        self.lossReason = lossReason; self.expectedCloseDate = expectedCloseDate; self.createdAt = createdAt
        self.closedAt = closedAt; self.version = version
    }
}

public struct DealCreated: EventPayload, Hashable {
    public static let eventType: EventType = "deal.created"
    public var deal: DealState
    public var authorId: String?
    public init(deal: DealState, authorId: String?) { self.deal = deal; self.authorId = authorId }
}

public struct DealStageChanged: EventPayload, Hashable {
    public static let eventType: EventType = "deal.stage_changed"
    public var deal: DealState
    public var fromStageId: String
    public var toStageId: String
    public var authorId: String?
    public init(deal: DealState, fromStageId: String, toStageId: String, authorId: String?) {
        self.deal = deal; self.fromStageId = fromStageId; self.toStageId = toStageId; self.authorId = authorId
    }
}

public struct DealWon: EventPayload, Hashable {
    public static let eventType: EventType = "deal.won"
    public var deal: DealState
    public var fromStageId: String
    public var authorId: String?
    public init(deal: DealState, fromStageId: String, authorId: String?) {
        self.deal = deal; self.fromStageId = fromStageId; self.authorId = authorId
    }
}

public struct DealLost: EventPayload, Hashable {
    public static let eventType: EventType = "deal.lost"
    public var deal: DealState
    /// The stage the deal was lost at.
    public var fromStageId: String
    public var reason: String
    public var authorId: String?
    public init(deal: DealState, fromStageId: String, reason: String, authorId: String?) {
        self.deal = deal; self.fromStageId = fromStageId; self.reason = reason; self.authorId = authorId
    }
}

public struct DealReopened: EventPayload, Hashable {
    public static let eventType: EventType = "deal.reopened"
    public var deal: DealState
    public var previousStatus: DealStatus
    public var authorId: String?
    public init(deal: DealState, previousStatus: DealStatus, authorId: String?) {
        self.deal = deal; self.previousStatus = previousStatus; self.authorId = authorId
    }
}

public struct DealFlaggedProblem: EventPayload, Hashable {
    public static let eventType: EventType = "deal.flagged_problem"
    public var deal: DealState
    /// True when flagged, false when the flag was cleared.
    public var problem: Bool
    public var comment: String?
    public var authorId: String?
    public init(deal: DealState, problem: Bool, comment: String?, authorId: String?) {
        self.deal = deal; self.problem = problem; self.comment = comment; self.authorId = authorId
    }
}

public struct DealReassigned: EventPayload, Hashable {
    public static let eventType: EventType = "deal.reassigned"
    public var deal: DealState
    public var fromManagerId: String
    public var toManagerId: String
    public var authorId: String?
    public init(deal: DealState, fromManagerId: String, toManagerId: String, authorId: String?) {
        self.deal = deal; self.fromManagerId = fromManagerId; self.toManagerId = toManagerId; self.authorId = authorId
    }
}

public struct DealAmountChanged: EventPayload, Hashable {
    public static let eventType: EventType = "deal.amount_changed"
    public var deal: DealState
    public var from: Money
    public var to: Money
    public var authorId: String?
    public init(deal: DealState, from: Money, to: Money, authorId: String?) {
        self.deal = deal; self.from = from; self.to = to; self.authorId = authorId
    }
}

/// Fields other than stage, status, manager and amount changed (title, category, region, segment,
/// source, expected close date).
public struct DealUpdated: EventPayload, Hashable {
    public static let eventType: EventType = "deal.updated"
    public var deal: DealState
    public var changedFields: [String]
    public var authorId: String?
    public init(deal: DealState, changedFields: [String], authorId: String?) {
        self.deal = deal; self.changedFields = changedFields; self.authorId = authorId
    }
}

/// A manager (or head) as the directory knows them; other services resolve extensions, phones and
/// chat ids from it.
public struct ManagerUpserted: EventPayload, Hashable {
    public static let eventType: EventType = "manager.upserted"
    public var managerId: String
    public var name: String
    public var teamId: String?
    public var role: String            // "head" | "manager"
    public var extensions: [String]
    public var phones: [String]        // E.164
    public var email: String?
    public var telegramChatId: String?
    public var active: Bool
    public init(managerId: String, name: String, teamId: String?, role: String, extensions: [String],
                phones: [String], email: String?, telegramChatId: String?, active: Bool) {
        self.managerId = managerId; self.name = name; self.teamId = teamId; self.role = role
        self.extensions = extensions; self.phones = phones; self.email = email
        self.telegramChatId = telegramChatId; self.active = active
    }
}

public struct ClientUpserted: EventPayload, Hashable {
    public static let eventType: EventType = "client.upserted"
    public var clientId: String
    public var kind: String            // company | person
    public var name: String
    public var inn: String?
    public var kpp: String?
    public var phones: [String]        // E.164
    public var emails: [String]
    public var managerId: String?
    public var segment: String?
    public var region: String?
    public var source: String?
    public init(clientId: String, kind: String, name: String, inn: String?, kpp: String?, phones: [String], emails: [String],
                managerId: String?, segment: String?, region: String?, source: String?) {
        self.clientId = clientId; self.kind = kind; self.name = name; self.inn = inn; self.kpp = kpp; self.phones = phones
        self.emails = emails; self.managerId = managerId; self.segment = segment; self.region = region; self.source = source
    }
}

public struct ContactAdded: EventPayload, Hashable {
    public static let eventType: EventType = "contact.added"
    public var contactId: String
    public var clientId: String
    public var name: String
    public var position: String?
    public var phones: [String]
    public var email: String?
    public init(contactId: String, clientId: String, name: String, position: String?, phones: [String], email: String?) {
        self.contactId = contactId; self.clientId = clientId; self.name = name; self.position = position
        self.phones = phones; self.email = email
    }
}

public struct LeadCreated: EventPayload, Hashable {
    public static let eventType: EventType = "lead.created"
    public var leadId: String
    public var name: String
    public var phone: String?
    public var email: String?
    public var source: String?
    public var region: String?
    public var segment: String?
    public init(leadId: String, name: String, phone: String?, email: String?, source: String?, region: String?, segment: String?) {
        self.leadId = leadId; self.name = name; self.phone = phone; self.email = email; self.source = source
        self.region = region; self.segment = segment
    }
}

public struct LeadAssigned: EventPayload, Hashable {
    public static let eventType: EventType = "lead.assigned"
    public var leadId: String
    public var managerId: String
    /// How the manager was chosen: round_robin, region, segment or manual.
    public var rule: String
    public init(leadId: String, managerId: String, rule: String) {
        self.leadId = leadId; self.managerId = managerId; self.rule = rule
    }
}

public struct InvoiceIssued: EventPayload, Hashable {
    public static let eventType: EventType = "invoice.issued"
    public var invoiceId: String
    public var number: String
    public var dealId: String
    public var clientId: String
    public var managerId: String
    public var amount: Money
    public var issuedOn: String        // YYYY-MM-DD
    public var dueOn: String           // YYYY-MM-DD
    public init(invoiceId: String, number: String, dealId: String, clientId: String, managerId: String,
                amount: Money, issuedOn: String, dueOn: String) {
        self.invoiceId = invoiceId; self.number = number; self.dealId = dealId; self.clientId = clientId
        self.managerId = managerId; self.amount = amount; self.issuedOn = issuedOn; self.dueOn = dueOn
    }
}

public struct Instalment: Codable, Hashable, Sendable {
    public var dueOn: String           // YYYY-MM-DD
    public var amount: Money
    public init(dueOn: String, amount: Money) { self.dueOn = dueOn; self.amount = amount }
}

public struct PaymentScheduleSet: EventPayload, Hashable {
    public static let eventType: EventType = "payment_schedule.set"
    public var dealId: String
    public var invoiceId: String?
    public var clientId: String
    public var managerId: String
    public var instalments: [Instalment]
    public init(dealId: String, invoiceId: String?, clientId: String, managerId: String, instalments: [Instalment]) {
        self.dealId = dealId; self.invoiceId = invoiceId; self.clientId = clientId; self.managerId = managerId
        self.instalments = instalments
    }
}

public struct TaskCreated: EventPayload, Hashable {
    public static let eventType: EventType = "task.created"
    public var taskId: String
    public var kind: String            // call | meeting | proposal | other
    public var title: String
    public var assigneeId: String
    public var dealId: String?
    public var clientId: String?
    public var dueAt: Date
    public init(taskId: String, kind: String, title: String, assigneeId: String, dealId: String?, clientId: String?, dueAt: Date) {
        self.taskId = taskId; self.kind = kind; self.title = title; self.assigneeId = assigneeId
        self.dealId = dealId; self.clientId = clientId; self.dueAt = dueAt
    }
}

public struct TaskOverdue: EventPayload, Hashable {
    public static let eventType: EventType = "task.overdue"
    public var taskId: String
    public var kind: String
    public var title: String
    public var assigneeId: String
    public var dealId: String?
    public var dueAt: Date
    public init(taskId: String, kind: String, title: String, assigneeId: String, dealId: String?, dueAt: Date) {
        self.taskId = taskId; self.kind = kind; self.title = title; self.assigneeId = assigneeId
        self.dealId = dealId; self.dueAt = dueAt
    }
}

public struct TaskCompleted: EventPayload, Hashable {
    public static let eventType: EventType = "task.completed"
    public var taskId: String
    public var kind: String
    public var assigneeId: String
    public var dealId: String?
    public var clientId: String?
    public var completedAt: Date
    public init(taskId: String, kind: String, assigneeId: String, dealId: String?, clientId: String?, completedAt: Date) {
        self.taskId = taskId; self.kind = kind; self.assigneeId = assigneeId; self.dealId = dealId
        self.clientId = clientId; self.completedAt = completedAt
    }
}

public struct ApprovalRequested: EventPayload, Hashable {
    public static let eventType: EventType = "approval.requested"
    public var approvalId: String
    public var dealId: String
    public var requesterId: String
    public var subject: String
    public var amount: Money
    public var attachmentName: String?
    public init(approvalId: String, dealId: String, requesterId: String, subject: String, amount: Money, attachmentName: String?) {
        self.approvalId = approvalId; self.dealId = dealId; self.requesterId = requesterId
        self.subject = subject; self.amount = amount; self.attachmentName = attachmentName
    }
}

public struct ApprovalDecided: EventPayload, Hashable {
    public static let eventType: EventType = "approval.decided"
    public var approvalId: String
    public var dealId: String
    public var requesterId: String
    public var approved: Bool
    public var comment: String?
    public var deciderId: String
    public init(approvalId: String, dealId: String, requesterId: String, approved: Bool, comment: String?, deciderId: String) {
        self.approvalId = approvalId; self.dealId = dealId; self.requesterId = requesterId; self.approved = approved
        self.comment = comment; self.deciderId = deciderId
    }
}

/// One item of the `deals` stream's snapshot (`SNAPSHOT deals`): the current state of one entity.
public struct DealsSnapshotItem: Codable, Hashable, Sendable {
    public var kind: String            // manager | client | deal | invoice | schedule
    public var manager: ManagerUpserted?
    public var client: ClientUpserted?
    public var deal: DealState?
    public var invoice: InvoiceIssued?
    public var schedule: PaymentScheduleSet?
    public init(kind: String, manager: ManagerUpserted? = nil, client: ClientUpserted? = nil, deal: DealState? = nil,
                invoice: InvoiceIssued? = nil, schedule: PaymentScheduleSet? = nil) {
        self.kind = kind; self.manager = manager; self.client = client; self.deal = deal; self.invoice = invoice; self.schedule = schedule
    }
}

/// Deal events whose payload is `{deal, …}`: the deal's state after the change. A consumer that
/// keeps a replica of deals handles them all alike.
public protocol DealCarrying: EventPayload { var deal: DealState { get } }
extension DealCreated: DealCarrying {}
extension DealStageChanged: DealCarrying {}
extension DealUpdated: DealCarrying {}
extension DealAmountChanged: DealCarrying {}
extension DealFlaggedProblem: DealCarrying {}
extension DealWon: DealCarrying {}
extension DealLost: DealCarrying {}
extension DealReopened: DealCarrying {}
extension DealReassigned: DealCarrying {}

/// Every deal event that carries the deal's state.
public let dealCarryingEvents: [any DealCarrying.Type] = [
    DealCreated.self, DealStageChanged.self, DealUpdated.self, DealAmountChanged.self, DealFlaggedProblem.self,
    DealWon.self, DealLost.self, DealReopened.self, DealReassigned.self,
]
