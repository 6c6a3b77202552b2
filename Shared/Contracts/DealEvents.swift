import Foundation

// Events published by pacer-deals on the `deals` stream.

public enum DealStatus: String, Codable, Sendable { case open, won, lost }

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
    public var name: String
    public var inn: String?
    public var kpp: String?
    public var phones: [String]        // E.164
    public var managerId: String?
    public var segment: String?
    public var region: String?
    public var source: String?
    public init(clientId: String, name: String, inn: String?, kpp: String?, phones: [String],
                managerId: String?, segment: String?, region: String?, source: String?) {
        self.clientId = clientId; self.name = name; self.inn = inn; self.kpp = kpp; self.phones = phones
        self.managerId = managerId; self.segment = segment; self.region = region; self.source = source
    }
}

/// The deal's full current state, published on creation and on every change of its fields, so a
/// consumer never has to merge partial updates.
public struct DealChanged: EventPayload, Hashable {
    public static let eventType: EventType = "deal.changed"
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
    public var status: DealStatus
    public var isRepeatSale: Bool
    public var problem: Bool
    public var lossReason: String?
    public var expectedCloseDate: String?   // YYYY-MM-DD, company calendar
    public var createdAt: Date
    public var closedAt: Date?
    public init(dealId: String, title: String, clientId: String, managerId: String, amount: Money,
                category: String?, region: String?, segment: String?, source: String?, pipelineId: String,
                stageId: String, status: DealStatus, isRepeatSale: Bool, problem: Bool, lossReason: String?,
                expectedCloseDate: String?, createdAt: Date, closedAt: Date?) {
        self.dealId = dealId; self.title = title; self.clientId = clientId; self.managerId = managerId
        self.amount = amount; self.category = category; self.region = region; self.segment = segment
        self.source = source; self.pipelineId = pipelineId; self.stageId = stageId; self.status = status
        self.isRepeatSale = isRepeatSale; self.problem = problem; self.lossReason = lossReason
        self.expectedCloseDate = expectedCloseDate; self.createdAt = createdAt; self.closedAt = closedAt
    }
}

/// One move in the stage history: stage change, win, loss, reopening, flag or reassignment.
public struct DealStageChanged: EventPayload, Hashable {
    public static let eventType: EventType = "deal.stage_changed"
    public var dealId: String
    public var pipelineId: String
    public var fromStageId: String?
    public var toStageId: String
    public var fromStatus: DealStatus?
    public var toStatus: DealStatus
    public var managerId: String
    public var amount: Money
    public var lossReason: String?
    public var authorId: String?
    public init(dealId: String, pipelineId: String, fromStageId: String?, toStageId: String, fromStatus: DealStatus?,
                toStatus: DealStatus, managerId: String, amount: Money, lossReason: String?, authorId: String?) {
        self.dealId = dealId; self.pipelineId = pipelineId; self.fromStageId = fromStageId; self.toStageId = toStageId
        self.fromStatus = fromStatus; self.toStatus = toStatus; self.managerId = managerId; self.amount = amount
        self.lossReason = lossReason; self.authorId = authorId
    }
}

public struct DealFlagged: EventPayload, Hashable {
    public static let eventType: EventType = "deal.flagged"
    public var dealId: String
    public var managerId: String
    public var problem: Bool
    public var comment: String?
    public var authorId: String?
    public init(dealId: String, managerId: String, problem: Bool, comment: String?, authorId: String?) {
        self.dealId = dealId; self.managerId = managerId; self.problem = problem; self.comment = comment; self.authorId = authorId
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

public struct TaskOverdue: EventPayload, Hashable {
    public static let eventType: EventType = "task.overdue"
    public var taskId: String
    public var kind: String            // call | meeting | proposal | other
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
    public init(taskId: String, kind: String, assigneeId: String, dealId: String?, clientId: String?) {
        self.taskId = taskId; self.kind = kind; self.assigneeId = assigneeId; self.dealId = dealId; self.clientId = clientId
    }
}

public struct ApprovalRequested: EventPayload, Hashable {
    public static let eventType: EventType = "approval.requested"
    public var approvalId: String
    public var dealId: String
    public var requesterId: String
    public var subject: String
    public var amount: Money
    public init(approvalId: String, dealId: String, requesterId: String, subject: String, amount: Money) {
        self.approvalId = approvalId; self.dealId = dealId; self.requesterId = requesterId
        self.subject = subject; self.amount = amount
    }
}
