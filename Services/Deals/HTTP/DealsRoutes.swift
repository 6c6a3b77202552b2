import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `/deals` and everything hanging off a deal.
struct DealsRoutes {
    let context: ServiceContext

    struct CreateBody: Decodable {
        var title: String
        var clientId: String
        var managerId: String?
        var amount: Money
        var category: String?
        var region: String?
        var segment: String?
        var source: String?
        var pipelineId: String?
        var stageId: String?
        var expectedCloseDate: String?
        /// The caller's own id for the deal: sending the same create again (a retry after a lost
        /// answer) returns the deal made the first time instead of a second one.
        var externalId: String?
    }

    struct PatchBody: Decodable {
        var version: Int
        var title: String?
        var amount: Money?
        var category: String?
        var region: String?
        var segment: String?
        var source: String?
        var expectedCloseDate: String?
    }

    struct MoveBody: Decodable { var stageId: String; var version: Int }
    struct VersionBody: Decodable { var version: Int }
    struct LoseBody: Decodable { var reason: String; var comment: String?; var version: Int }
    struct ReopenBody: Decodable { var version: Int; var stageId: String? }
    struct FlagBody: Decodable { var problem: Bool; var comment: String?; var version: Int }
    struct ReassignBody: Decodable { var managerId: String; var version: Int }
    struct InvoiceBody: Decodable { var number: String; var issuedOn: String; var dueOn: String; var amount: Money }
    struct ScheduleBody: Decodable { var invoiceId: String?; var instalments: [Instalment] }
    struct ApprovalBody: Decodable { var subject: String; var attachmentName: String?; var attachmentBase64: String? }

    func commands(_ request: Request, _ ctx: PacerRequestContext) -> DealsCommands {
        DealsCommands(outbox: context.outbox, author: ctx.user, correlationId: request.headers[.init("X-Request-Id")!] ?? ctx.id, now: ctx.occurredAt ?? Date())
    }

    func register(on router: Router<PacerRequestContext>) {
        let deals = router.group("deals")
        deals.get { request, ctx in try await list(request, ctx) }
        deals.post { request, ctx in
            let user = try ctx.departmentUser()
            let body = try await request.decodeJSON(CreateBody.self, context: ctx)
            guard !body.title.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("title", "must not be empty") }
            guard body.amount.kopecks >= 0 else { throw Problem.invalid("amount.kopecks", "must not be negative") }
            if let date = body.expectedCloseDate, !CalendarDate.isValid(date) { throw Problem.invalid("expectedCloseDate", "must be a date YYYY-MM-DD") }
            let managerId = user.role == .manager ? user.managerId! : (body.managerId ?? user.managerId)
            guard let managerId else { throw Problem.invalid("managerId", "is required when a head or admin creates a deal") }
            if user.role == .manager, let asked = body.managerId, asked != managerId {
                throw Problem(.forbidden, "a manager creates deals for themselves only", field: "managerId")
            }
            if let external = body.externalId, external.isEmpty || external.count > 200 {
                throw Problem.invalid("externalId", "must be 1…200 characters")
            }
            let commands = commands(request, ctx)
            let created = try await context.database.write { db -> (DealState, Bool) in
                if let external = body.externalId, let existing = try DealRecord.filter(Column("externalId") == external).fetchOne(db) {
                    try ctx.checkOwns(managerId: existing.managerId, what: "deal \(existing.id)")
                    return (try commands.state(existing, db), false)
                }
                let deal = try commands.createDeal(.init(
                    title: body.title, clientId: body.clientId, managerId: managerId, amount: body.amount, category: body.category,
                    region: body.region, segment: body.segment, source: body.source, pipelineId: body.pipelineId ?? "sales",
                    stageId: body.stageId, expectedCloseDate: body.expectedCloseDate, externalId: body.externalId), db)
                if user.role == .manager, let client = try ClientRecord.fetchOne(db, key: body.clientId), client.managerId != managerId {
                    throw Problem(.forbidden, "client \(body.clientId) belongs to another manager", field: "clientId")
                }
                return (try commands.state(deal, db), true)
            }
            return try jsonResponse(created.0, status: created.1 ? .created : .ok)
        }
        deals.get(":id") { request, ctx in
            let id = try ctx.parameters.require("id")
            let state = try await context.database.read { db in
                let commands = commands(request, ctx)
                let deal = try commands.deal(id, db)
                try ctx.checkOwns(managerId: deal.managerId, what: "deal \(id)")
                return try commands.state(deal, db)
            }
            return try jsonResponse(state)
        }
        deals.patch(":id") { request, ctx in
            let body = try await request.decodeJSON(PatchBody.self, context: ctx)
            if let amount = body.amount, amount.kopecks < 0 { throw Problem.invalid("amount.kopecks", "must not be negative") }
            if let date = body.expectedCloseDate, !CalendarDate.isValid(date) { throw Problem.invalid("expectedCloseDate", "must be a date YYYY-MM-DD") }
            return try await change(request, ctx) { commands, id, db in
                try commands.updateDeal(id, version: body.version, .init(
                    title: body.title, amount: body.amount, category: body.category, region: body.region, segment: body.segment,
                    source: body.source, expectedCloseDate: body.expectedCloseDate), db)
            }
        }
        deals.post(":id/move") { request, ctx in
            let body = try await request.decodeJSON(MoveBody.self, context: ctx)
            return try await change(request, ctx) { commands, id, db in try commands.move(id, to: body.stageId, version: body.version, db) }
        }
        deals.post(":id/win") { request, ctx in
            let body = try await request.decodeJSON(VersionBody.self, context: ctx)
            return try await change(request, ctx) { commands, id, db in try commands.win(id, version: body.version, db) }
        }
        deals.post(":id/lose") { request, ctx in
            let body = try await request.decodeJSON(LoseBody.self, context: ctx)
            return try await change(request, ctx) { commands, id, db in
                try commands.lose(id, reason: body.reason, comment: body.comment, version: body.version, db)
            }
        }
        deals.post(":id/reopen") { request, ctx in
            let body = try await request.decodeJSON(ReopenBody.self, context: ctx)
            return try await change(request, ctx) { commands, id, db in try commands.reopen(id, stageId: body.stageId, version: body.version, db) }
        }
        deals.post(":id/flag") { request, ctx in
            let body = try await request.decodeJSON(FlagBody.self, context: ctx)
            return try await change(request, ctx) { commands, id, db in
                try commands.flag(id, problem: body.problem, comment: body.comment, version: body.version, db)
            }
        }
        deals.post(":id/reassign") { request, ctx in
            try ctx.require(.head, .admin)
            let body = try await request.decodeJSON(ReassignBody.self, context: ctx)
            return try await change(request, ctx) { commands, id, db in try commands.reassign(id, to: body.managerId, version: body.version, db) }
        }
        deals.get(":id/history") { request, ctx in
            let id = try ctx.parameters.require("id")
            let lines = try await context.database.read { db in
                let deal = try commands(request, ctx).deal(id, db)
                try ctx.checkOwns(managerId: deal.managerId, what: "deal \(id)")
                return try HistoryRecord.filter(Column("dealId") == id).order(Column("id")).fetchAll(db)
            }
            return try jsonResponse(lines)
        }
        deals.post(":id/invoices") { request, ctx in
            let body = try await request.decodeJSON(InvoiceBody.self, context: ctx)
            let id = try ctx.parameters.require("id")
            let commands = commands(request, ctx)
            let invoice = try await context.database.write { db in
                try ctx.checkOwns(managerId: try commands.deal(id, db).managerId, what: "deal \(id)")
                return try commands.issueInvoice(dealId: id, number: body.number, issuedOn: body.issuedOn, dueOn: body.dueOn, amount: body.amount, db)
            }
            return try jsonResponse(invoice, status: .created)
        }
        deals.get(":id/invoices") { request, ctx in
            let id = try ctx.parameters.require("id")
            let invoices = try await context.database.read { db in
                try ctx.checkOwns(managerId: try commands(request, ctx).deal(id, db).managerId, what: "deal \(id)")
                return try InvoiceRecord.filter(Column("dealId") == id).order(Column("id")).fetchAll(db)
            }
            return try jsonResponse(invoices)
        }
        deals.put(":id/schedule") { request, ctx in
            let body = try await request.decodeJSON(ScheduleBody.self, context: ctx)
            let id = try ctx.parameters.require("id")
            let commands = commands(request, ctx)
            let schedule = try await context.database.write { db in
                try ctx.checkOwns(managerId: try commands.deal(id, db).managerId, what: "deal \(id)")
                return try commands.setSchedule(dealId: id, invoiceId: body.invoiceId, instalments: body.instalments, db)
            }
            return try jsonResponse(schedule)
        }
        deals.post(":id/approvals") { request, ctx in
            let body = try await request.decodeJSON(ApprovalBody.self, context: ctx, limit: 16 << 20)
            let id = try ctx.parameters.require("id")
            let attachment = try body.attachmentBase64.map { base64 in
                guard let data = Data(base64Encoded: base64) else { throw Problem.invalid("attachmentBase64", "is not base64") }
                return data
            }
            let commands = commands(request, ctx)
            let approval = try await context.database.write { db in
                try ctx.checkOwns(managerId: try commands.deal(id, db).managerId, what: "deal \(id)")
                return try commands.requestApproval(dealId: id, subject: body.subject, attachmentName: body.attachmentName, attachment: attachment, db)
            }
            return try jsonResponse(ApprovalView(approval), status: .created)
        }
    }

    /// Applies one change to a deal the caller may touch and answers with the deal's new state.
    func change(_ request: Request, _ ctx: PacerRequestContext,
                _ apply: @escaping @Sendable (DealsCommands, String, Database) throws -> DealRecord) async throws -> Response {
        let id = try ctx.parameters.require("id")
        let commands = commands(request, ctx)
        let state = try await context.writes.write { db in
            let current = try commands.deal(id, db)
            try ctx.checkOwns(managerId: current.managerId, what: "deal \(id)")
            var commands = commands
            commands.current = current
            return try commands.state(try apply(commands, id, db), db)
        }
        return try jsonResponse(state)
    }

    func list(_ request: Request, _ ctx: PacerRequestContext) async throws -> Response {
        let scope = try ctx.ownScope()
        let limit = try request.queryInt("limit", default: 50, range: 1...500)
        var sql: SQL = "SELECT * FROM deal WHERE 1"
        if let scope { sql += " AND managerId = \(scope)" } else if let manager = request.query("managerId") { sql += " AND managerId = \(manager)" }
        if let status = request.query("status") {
            guard DealStatus(rawValue: status) != nil else { throw Problem.invalid("status", "must be open, won or lost") }
            sql += " AND status = \(status)"
        }
        if let stage = request.query("stageId") { sql += " AND stageId = \(stage)" }
        if let client = request.query("clientId") { sql += " AND clientId = \(client)" }
        if let problem = request.query("problem") {
            guard problem == "true" || problem == "false" else { throw Problem.invalid("problem", "must be true or false") }
            sql += " AND problem = \(problem == "true")"
        }
        if let after = request.query("after") { sql += " AND id > \(after)" }
        sql += " ORDER BY id LIMIT \(limit + 1)"
        let query = SQLRequest<DealRecord>(literal: sql)
        let commands = commands(request, ctx)
        let (items, more) = try await context.database.read { db in
            let rows = try query.fetchAll(db)
            return (try rows.prefix(limit).map { try commands.state($0, db) }, rows.count > limit)
        }
        return try jsonResponse(Page(items: items, next: more ? items.last?.dealId : nil))
    }
}

struct ApprovalView: Encodable {
    var id: String
    var dealId: String
    var requesterId: String
    var subject: String
    var amount: Money
    var attachmentName: String?
    var attachmentBytes: Int?
    var status: String
    var comment: String?
    var deciderId: String?
    var createdAt: Date
    var decidedAt: Date?

    init(_ record: ApprovalRecord) {
        id = record.id; dealId = record.dealId; requesterId = record.requesterId; subject = record.subject
        amount = Money(kopecks: record.amountKopecks); attachmentName = record.attachmentName
        attachmentBytes = record.attachment?.count; status = record.status; comment = record.comment
        deciderId = record.deciderId; createdAt = record.createdAt; decidedAt = record.decidedAt
    }
}
