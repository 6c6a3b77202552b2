import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Tasks, leads and approvals.
struct WorkRoutes {
    let context: ServiceContext

    struct TaskBody: Decodable {
        var kind: String
        var title: String
        var assigneeId: String?
        var dealId: String?
        var clientId: String?
        var dueAt: String
    }
    struct LeadBody: Decodable { var name: String; var phone: String?; var email: String?; var source: String?; var region: String?; var segment: String? }
    struct AssignBody: Decodable { var managerId: String }
    struct DecideBody: Decodable { var approved: Bool; var comment: String? }

    func commands(_ ctx: PacerRequestContext) -> DealsCommands {
        DealsCommands(outbox: context.outbox, author: ctx.user, correlationId: ctx.id, now: ctx.occurredAt ?? Date())
    }

    func register(on router: Router<PacerRequestContext>) {
        router.get("tasks") { request, ctx in
            let scope = try ctx.ownScope()
            var sql: SQL = "SELECT * FROM task WHERE 1"
            if let scope { sql += " AND assigneeId = \(scope)" } else if let assignee = request.query("assigneeId") { sql += " AND assigneeId = \(assignee)" }
            if let status = request.query("status") { sql += " AND status = \(status)" }
            if request.query("overdue") == "true" { sql += " AND status = 'open' AND dueAt < \(Date())" }
            if let deal = request.query("dealId") { sql += " AND dealId = \(deal)" }
            sql += " ORDER BY dueAt LIMIT \(try request.queryInt("limit", default: 100, range: 1...1000))"
            let query = SQLRequest<TaskRecord>(literal: sql)
            return try jsonResponse(try await context.database.read { try query.fetchAll($0) })
        }
        router.post("tasks") { request, ctx in
            let user = try ctx.departmentUser()
            let body = try await request.decodeJSON(TaskBody.self, context: ctx)
            guard let dueAt = Timestamp.parse(body.dueAt) else { throw Problem.invalid("dueAt", "must be an ISO-8601 instant with a zone, e.g. 2026-11-23T10:00:00+03:00") }
            let assignee = user.role == .manager ? user.managerId! : (body.assigneeId ?? user.managerId)
            guard let assignee else { throw Problem.invalid("assigneeId", "is required") }
            if user.role == .manager, let asked = body.assigneeId, asked != assignee {
                throw Problem(.forbidden, "a manager sets tasks for themselves only", field: "assigneeId")
            }
            let commands = commands(ctx)
            let task = try await context.database.write { db in
                if let dealId = body.dealId, let deal = try DealRecord.fetchOne(db, key: dealId) {
                    try ctx.checkOwns(managerId: deal.managerId, what: "deal \(dealId)")
                }
                return try commands.createTask(kind: body.kind, title: body.title, assigneeId: assignee, dealId: body.dealId,
                                               clientId: body.clientId, dueAt: dueAt, db)
            }
            return try jsonResponse(task, status: .created)
        }
        router.post("tasks/:id/complete") { request, ctx in
            let id = try ctx.parameters.require("id")
            let commands = commands(ctx)
            let task = try await context.database.write { db in
                guard let task = try TaskRecord.fetchOne(db, key: id) else { throw Problem.notFound("no task \(id)") }
                try ctx.checkOwns(managerId: task.assigneeId, what: "task \(id)")
                return try commands.completeTask(id, db)
            }
            return try jsonResponse(task)
        }

        router.get("leads") { request, ctx in
            let scope = try ctx.ownScope()
            var sql: SQL = "SELECT * FROM lead WHERE 1"
            if let scope { sql += " AND managerId = \(scope)" }
            if request.query("unassigned") == "true" { sql += " AND managerId IS NULL" }
            sql += " ORDER BY id DESC LIMIT \(try request.queryInt("limit", default: 100, range: 1...1000))"
            let query = SQLRequest<LeadRecord>(literal: sql)
            return try jsonResponse(try await context.database.read { try query.fetchAll($0) })
        }
        router.post("leads") { request, ctx in
            _ = try ctx.departmentUser()
            let body = try await request.decodeJSON(LeadBody.self, context: ctx)
            let commands = commands(ctx)
            let lead = try await context.database.write { db in
                try commands.createLead(name: body.name, phone: body.phone, email: body.email, source: body.source,
                                        region: body.region, segment: body.segment, db)
            }
            return try jsonResponse(lead, status: .created)
        }
        router.post("leads/:id/assign") { request, ctx in
            try ctx.require(.head, .admin)
            let id = try ctx.parameters.require("id")
            let body = try await request.decodeJSON(AssignBody.self, context: ctx)
            let commands = commands(ctx)
            return try jsonResponse(try await context.database.write { try commands.assignLead(id, to: body.managerId, $0) })
        }

        router.get("approvals") { request, ctx in
            let scope = try ctx.ownScope()
            var sql: SQL = "SELECT * FROM approval WHERE 1"
            if let scope { sql += " AND requesterId = \(scope)" }
            if let status = request.query("status") { sql += " AND status = \(status)" }
            sql += " ORDER BY id DESC LIMIT 200"
            let query = SQLRequest<ApprovalRecord>(literal: sql)
            return try jsonResponse(try await context.database.read { try query.fetchAll($0) }.map(ApprovalView.init))
        }
        router.get("approvals/:id/attachment") { _, ctx in
            let id = try ctx.parameters.require("id")
            let approval = try await context.database.read { try ApprovalRecord.fetchOne($0, key: id) }
            guard let approval else { throw Problem.notFound("no approval \(id)") }
            try ctx.checkOwns(managerId: approval.requesterId, what: "approval \(id)")
            guard let data = approval.attachment else { throw Problem.notFound("approval \(id) has no attachment") }
            let name = approval.attachmentName ?? "attachment"
            let type = name.lowercased().hasSuffix(".pdf") ? "application/pdf" : "application/octet-stream"
            // The name goes into a header: keep it to safe characters, and give the UTF-8 form separately.
            let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0.value >= 0x20 ? Character($0) : "_" })
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
            return Response(status: .ok, headers: [.contentType: type,
                                                   .contentDisposition: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("approvals/:id/decide") { request, ctx in
            try ctx.require(.head, .admin)
            let id = try ctx.parameters.require("id")
            let body = try await request.decodeJSON(DecideBody.self, context: ctx)
            let commands = commands(ctx)
            let approval = try await context.database.write { try commands.decideApproval(id, approved: body.approved, comment: body.comment, $0) }
            return try jsonResponse(ApprovalView(approval))
        }
    }
}

/// `POST /import/clients` and `POST /import/deals` (text/csv with a header row).
struct ImportRoutes {
    let context: ServiceContext

    func register(on router: Router<PacerRequestContext>) {
        for kind in [CSVImport.Kind.clients, .deals] {
            router.post("import/\(kind.rawValue)") { request, ctx in
                let user = try ctx.departmentUser()
                let buffer = try await request.body.collect(upTo: 32 << 20)
                let bytes = Array(buffer.readableBytesView)
                let importer = CSVImport(commands: DealsCommands(outbox: context.outbox, author: ctx.user, correlationId: ctx.id, now: ctx.occurredAt ?? Date()),
                                         kind: kind, ownManagerId: user.role == .manager ? user.managerId : nil)
                let report = try await context.database.write { try importer.run(bytes, $0) }
                return try jsonResponse(report)
            }
        }
        RejectedInput.route("import/rejected", on: router, database: context.database)
    }
}
