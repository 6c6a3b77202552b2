import Contracts
import Foundation
import GRDB

// The deals service's rows. Column names are the property names; arrays are stored as JSON text.

struct ManagerRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "manager"
    var id: String
    var name: String
    var teamId: String?
    var role: String            // head | manager
    var extensions: [String]
    var phones: [String]
    var email: String?
    var telegramChatId: String?
    /// Regions whose new leads go to this manager first.
    var regions: [String]
    var active: Bool

    var event: ManagerUpserted {
        ManagerUpserted(managerId: id, name: name, teamId: teamId, role: role, extensions: extensions, phones: phones,
                        email: email, telegramChatId: telegramChatId, active: active)
    }
}

struct ClientRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "client"
    var id: String
    var kind: String            // company | person
    var name: String
    var inn: String?
    var kpp: String?
    var phones: [String]
    var emails: [String]
    var managerId: String?
    var segment: String?
    var region: String?
    var source: String?
    var createdAt: Date
    var version: Int

    var event: ClientUpserted {
        ClientUpserted(clientId: id, kind: kind, name: name, inn: inn, kpp: kpp, phones: phones, emails: emails,
                       managerId: managerId, segment: segment, region: region, source: source)
    }
}

struct ContactRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "contact"
    var id: String
    var clientId: String
    var name: String
    var position: String?
    var phones: [String]
    var email: String?
    var createdAt: Date
}

enum StageKind: String, Codable, Sendable { case open, won, lost }

struct StageRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "stage"
    var pipelineId: String
    var id: String
    var name: String
    var position: Int
    var probability: Int
    var department: String
    var kind: StageKind
}

struct PipelineRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "pipeline"
    var id: String
    var name: String
}

struct DealRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "deal"
    var id: String
    var title: String
    var clientId: String
    var managerId: String
    var amountKopecks: Int64
    var currency: String
    var category: String?
    var region: String?
    var segment: String?
    var source: String?
    var pipelineId: String
    var stageId: String
    var status: DealStatus
    var isRepeatSale: Bool
    var problem: Bool
    var problemComment: String?
    var lossReason: String?
    var expectedCloseDate: String?
    var createdAt: Date
    var closedAt: Date?
    var version: Int
    var externalId: String?

    var amount: Money { Money(kopecks: amountKopecks, currency: currency) }

    func state(stage: StageRecord) -> DealState {
        DealState(dealId: id, title: title, clientId: clientId, managerId: managerId, amount: amount, category: category,
                  region: region, segment: segment, source: source, pipelineId: pipelineId, stageId: stageId,
                  department: stage.department, probability: stage.probability, status: status, isRepeatSale: isRepeatSale,
                  problem: problem, lossReason: lossReason, expectedCloseDate: expectedCloseDate, createdAt: createdAt,
                  closedAt: closedAt, version: version)
    }
}

/// One line of a deal's history: every move, flag, reassignment and amount change, with its author.
struct HistoryRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    static let databaseTableName = "deal_history"
    var id: Int64?
    var dealId: String
    var at: Date
    var authorId: String?
    var kind: String
    var fromStageId: String?
    var toStageId: String?
    var fromStatus: String?
    var toStatus: String?
    var fromManagerId: String?
    var toManagerId: String?
    var fromAmount: Int64?
    var toAmount: Int64?
    var comment: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct TaskRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "task"
    var id: String
    var kind: String            // call | meeting | proposal | other
    var title: String
    var assigneeId: String
    var dealId: String?
    var clientId: String?
    var dueAt: Date
    var status: String          // open | done
    var completedAt: Date?
    var overdueNotified: Bool
    var createdAt: Date
}

struct InvoiceRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "invoice"
    var id: String
    var dealId: String
    var number: String
    var issuedOn: String
    var dueOn: String
    var amountKopecks: Int64
    var currency: String
    var createdAt: Date
}

struct InstalmentRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "instalment"
    var dealId: String
    var invoiceId: String?
    var position: Int
    var dueOn: String
    var amountKopecks: Int64
}

struct LeadRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "lead"
    var id: String
    var name: String
    var phone: String?
    var email: String?
    var source: String?
    var region: String?
    var segment: String?
    var managerId: String?
    var assignedRule: String?
    var createdAt: Date
}

struct ApprovalRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "approval"
    var id: String
    var dealId: String
    var requesterId: String
    var subject: String
    var amountKopecks: Int64
    var attachmentName: String?
    var attachment: Data?
    var status: String          // pending | approved | rejected
    var comment: String?
    var deciderId: String?
    var createdAt: Date
    var decidedAt: Date?
}
