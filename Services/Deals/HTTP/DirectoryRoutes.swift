import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Managers, clients and contacts, pipelines and loss reasons.
struct DirectoryRoutes {
    let context: ServiceContext

    struct ManagerBody: Decodable {
        var id: String?
        var name: String
        var teamId: String?
        var role: String?
        var extensions: [String]?
        var phones: [String]?
        var email: String?
        var telegramChatId: String?
        var regions: [String]?
        var active: Bool?
    }

    struct ClientBody: Decodable {
        var kind: String?
        var name: String
        var inn: String?
        var kpp: String?
        var phones: [String]?
        var emails: [String]?
        var managerId: String?
        var segment: String?
        var region: String?
        var source: String?
        var version: Int?

        var input: DealsCommands.ClientInput {
            .init(kind: kind ?? "company", name: name, inn: inn, kpp: kpp, phones: phones ?? [], emails: emails ?? [],
                  managerId: managerId, segment: segment, region: region, source: source)
        }
    }

    struct ContactBody: Decodable { var name: String; var position: String?; var phones: [String]?; var email: String? }
    struct ReasonBody: Decodable { var id: String; var name: String }
    struct PipelineBody: Decodable {
        struct Stage: Decodable { var id: String; var name: String; var probability: Int; var department: String?; var kind: String? }
        var id: String
        var name: String
        var stages: [Stage]
    }

    func commands(_ request: Request, _ ctx: PacerRequestContext) -> DealsCommands {
        DealsCommands(outbox: context.outbox, author: ctx.user, correlationId: ctx.id, now: ctx.occurredAt ?? Date())
    }

    func register(on router: Router<PacerRequestContext>) {
        router.get("managers") { _, ctx in
            _ = try ctx.departmentUser()
            return try jsonResponse(try await context.database.read { try ManagerRecord.order(Column("name")).fetchAll($0) })
        }
        router.post("managers") { request, ctx in
            try ctx.require(.head, .admin)
            let body = try await request.decodeJSON(ManagerBody.self, context: ctx)
            return try jsonResponse(try await saveManager(body, id: body.id ?? EventID.make(), request, ctx), status: .created)
        }
        router.put("managers/:id") { request, ctx in
            try ctx.require(.head, .admin)
            let body = try await request.decodeJSON(ManagerBody.self, context: ctx)
            return try jsonResponse(try await saveManager(body, id: try ctx.parameters.require("id"), request, ctx))
        }

        router.get("clients") { request, ctx in
            let scope = try ctx.ownScope()
            let limit = try request.queryInt("limit", default: 50, range: 1...500)
            var sql: SQL = "SELECT * FROM client WHERE 1"
            if let scope { sql += " AND managerId = \(scope)" } else if let manager = request.query("managerId") { sql += " AND managerId = \(manager)" }
            if let search = request.query("q") { sql += " AND (name LIKE \("%" + search + "%") OR inn = \(search))" }
            if let after = request.query("after") { sql += " AND id > \(after)" }
            sql += " ORDER BY id LIMIT \(limit + 1)"
            let query = SQLRequest<ClientRecord>(literal: sql)
            let rows = try await context.database.read { try query.fetchAll($0) }
            return try jsonResponse(Page(items: Array(rows.prefix(limit)), next: rows.count > limit ? rows[limit - 1].id : nil))
        }
        router.post("clients") { request, ctx in
            let user = try ctx.departmentUser()
            var body = try await request.decodeJSON(ClientBody.self, context: ctx)
            if user.role == .manager {
                if let asked = body.managerId, asked != user.managerId { throw Problem(.forbidden, "a manager adds clients for themselves only", field: "managerId") }
                body.managerId = user.managerId
            }
            let commands = commands(request, ctx)
            let input = body.input
            return try jsonResponse(try await context.database.write { try commands.createClient(input, $0) }, status: .created)
        }
        router.get("clients/:id") { request, ctx in
            let id = try ctx.parameters.require("id")
            let client = try await context.database.read { try ClientRecord.fetchOne($0, key: id) }
            guard let client else { throw Problem.notFound("no client \(id)") }
            try ctx.checkOwns(managerId: client.managerId, what: "client \(id)")
            return try jsonResponse(client)
        }
        router.put("clients/:id") { request, ctx in
            let user = try ctx.departmentUser()
            let id = try ctx.parameters.require("id")
            let body = try await request.decodeJSON(ClientBody.self, context: ctx)
            guard let version = body.version else { throw Problem.invalid("version", "is required") }
            if user.role == .manager, body.managerId != user.managerId {
                throw Problem(.forbidden, "only a head hands a client to another manager", field: "managerId")
            }
            let commands = commands(request, ctx)
            let input = body.input
            let client = try await context.database.write { db in
                guard let current = try ClientRecord.fetchOne(db, key: id) else { throw Problem.notFound("no client \(id)") }
                try ctx.checkOwns(managerId: current.managerId, what: "client \(id)")
                return try commands.updateClient(id, version: version, input, db)
            }
            return try jsonResponse(client)
        }
        router.post("clients/:id/contacts") { request, ctx in
            let id = try ctx.parameters.require("id")
            let body = try await request.decodeJSON(ContactBody.self, context: ctx)
            let commands = commands(request, ctx)
            let contact = try await context.database.write { db in
                guard let client = try ClientRecord.fetchOne(db, key: id) else { throw Problem.notFound("no client \(id)") }
                try ctx.checkOwns(managerId: client.managerId, what: "client \(id)")
                return try commands.addContact(clientId: id, name: body.name, position: body.position, phones: body.phones ?? [], email: body.email, db)
            }
            return try jsonResponse(contact, status: .created)
        }
        router.get("clients/:id/contacts") { request, ctx in
            let id = try ctx.parameters.require("id")
            let contacts = try await context.database.read { db in
                guard let client = try ClientRecord.fetchOne(db, key: id) else { throw Problem.notFound("no client \(id)") }
                try ctx.checkOwns(managerId: client.managerId, what: "client \(id)")
                return try ContactRecord.filter(Column("clientId") == id).order(Column("id")).fetchAll(db)
            }
            return try jsonResponse(contacts)
        }

        router.get("pipelines") { _, ctx in
            _ = try ctx.departmentUser()
            let result = try await context.database.read { db in
                try PipelineRecord.order(Column("id")).fetchAll(db).map { pipeline in
                    PipelineView(id: pipeline.id, name: pipeline.name,
                                 stages: try StageRecord.filter(Column("pipelineId") == pipeline.id).order(Column("position")).fetchAll(db))
                }
            }
            return try jsonResponse(result)
        }
        router.post("pipelines") { request, ctx in
            try ctx.require(.admin)
            let body = try await request.decodeJSON(PipelineBody.self, context: ctx)
            let kinds = body.stages.map { StageKind(rawValue: $0.kind ?? "open") }
            for (index, kind) in kinds.enumerated() where kind == nil { throw Problem.invalid("stages[\(index)].kind", "must be open, won or lost") }
            guard kinds.filter({ $0 == .won }).count == 1, kinds.filter({ $0 == .lost }).count == 1, kinds.contains(.open) else {
                throw Problem.invalid("stages", "need open stages, exactly one won and one lost")
            }
            for (index, stage) in body.stages.enumerated() where !(0...100).contains(stage.probability) {
                throw Problem.invalid("stages[\(index)].probability", "must be 0–100")
            }
            let pipeline = try await context.database.write { db in
                guard try !PipelineRecord.exists(db, key: body.id) else { throw Problem(.conflict, "pipeline \(body.id) exists", field: "id") }
                try PipelineRecord(id: body.id, name: body.name).insert(db)
                var stages: [StageRecord] = []
                for (index, stage) in body.stages.enumerated() {
                    let record = StageRecord(pipelineId: body.id, id: stage.id, name: stage.name, position: index + 1,
                                             probability: stage.probability, department: stage.department ?? "sales", kind: kinds[index]!)
                    try record.insert(db)
                    stages.append(record)
                }
                return PipelineView(id: body.id, name: body.name, stages: stages)
            }
            return try jsonResponse(pipeline, status: .created)
        }
        router.get("loss-reasons") { _, ctx in
            _ = try ctx.departmentUser()
            // Rows are not Sendable: map them inside the read, so the async read is the one used
            // (the synchronous overload would block the request's thread).
            let reasons = try await context.database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, name FROM loss_reason ORDER BY id").map { ["id": $0["id"] as String, "name": $0["name"] as String] }
            }
            return try jsonResponse(reasons)
        }
        router.post("loss-reasons") { request, ctx in
            try ctx.require(.admin)
            let body = try await request.decodeJSON(ReasonBody.self, context: ctx)
            guard StreamNameCompatible.isToken(body.id) else { throw Problem.invalid("id", "must be letters, digits and _") }
            try await context.database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO loss_reason(id, name) VALUES (?, ?)", arguments: [body.id, body.name])
            }
            return try jsonResponse(["id": body.id, "name": body.name], status: .created)
        }
    }

    func saveManager(_ body: ManagerBody, id: String, _ request: Request, _ ctx: PacerRequestContext) async throws -> ManagerRecord {
        guard !body.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("name", "must not be empty") }
        let record = ManagerRecord(id: id, name: body.name, teamId: body.teamId, role: body.role ?? "manager", extensions: body.extensions ?? [],
                                   phones: body.phones ?? [], email: body.email, telegramChatId: body.telegramChatId,
                                   regions: body.regions ?? [], active: body.active ?? true)
        let commands = commands(request, ctx)
        return try await context.database.write { try commands.upsertManager(record, $0) }
    }
}

struct PipelineView: Encodable {
    var id: String
    var name: String
    var stages: [StageRecord]
}

enum StreamNameCompatible {
    static func isToken(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
}
