import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Statement files from 1C or the bank client: `POST /statements` takes the file as the body
/// (any encoding; `?fileName=` labels it), keeps the raw bytes, imports it in one transaction and
/// answers with the summary; `GET /statements` lists past imports.
struct StatementRoutes {
    let context: ServiceContext
    let configuration: AccountingConfiguration

    func register(on router: Router<PacerRequestContext>) {
        router.post("statements") { request, ctx in
            try ctx.require(.accounting, .admin)
            let name = Self.label(request.query("fileName"))
            let spool = try StatementSpool(databasePath: context.settings.databasePath, limit: configuration.maxStatementBytes)
            do {
                for try await chunk in request.body { try spool.write(chunk.readableBytesView) }
            } catch {
                spool.discard()
                throw error
            }
            let kept = try spool.finish()
            let importer = StatementImporter(store: PaymentStore(outbox: context.outbox, correlationId: ctx.id),
                                             companyAccounts: configuration.companyAccounts)
            let summary = try await context.database.write { db in
                try importer.importFile(at: kept.path, fileName: name, source: "api", sha256: kept.sha256, size: kept.size, db)
            }
            return try jsonResponse(summary)
        }

        router.get("statements") { request, ctx in
            try ctx.require(.accounting, .admin, .head)
            let limit = try request.queryInt("limit", default: 50, range: 1...500)
            let items = try await context.database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, fileName, sha256, bytes, encoding, source, importedAt, summary FROM statement_import ORDER BY id DESC LIMIT ?",
                                 arguments: [limit]).map(Self.item)
            }
            return try jsonResponse(items)
        }

        router.get("statements/:id") { _, ctx in
            try ctx.require(.accounting, .admin, .head)
            let id = try ctx.parameters.require("id", as: Int64.self)
            guard let item = try await context.database.read({ db in
                try Row.fetchOne(db, sql: "SELECT id, fileName, sha256, bytes, encoding, source, importedAt, summary FROM statement_import WHERE id = ?",
                                 arguments: [id]).map(Self.item)
            }) else { throw Problem.notFound("no statement import \(id)") }
            return try jsonResponse(item)
        }

        router.get("accounts") { _, ctx in
            try ctx.require(.accounting, .admin, .head)
            let stored = try await context.database.read { db in try String.fetchAll(db, sql: "SELECT account FROM own_account") }
            return try jsonResponse(Set(stored).union(configuration.companyAccounts).sorted())
        }

        router.post("accounts") { request, ctx in
            try ctx.require(.accounting, .admin)
            struct Body: Decodable { var account: String }
            let body = try await request.decodeJSON(Body.self, context: ctx)
            let account = body.account.trimmingCharacters(in: .whitespaces)
            guard account.count == 20, account.allSatisfy(\.isASCIIDigit) else { throw Problem.invalid("account", "must be a 20-digit account number") }
            try await context.database.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO own_account(account, source, addedAt) VALUES (?, 'api', ?)",
                               arguments: [account, Date().timeIntervalSince1970])
            }
            return Response(status: .noContent)
        }

        RejectedInput.route("rejected", on: router, database: context.database)
    }

    /// A label for the file, never a path: only its last component, and only printable text.
    static func label(_ name: String?) -> String {
        let last = (name ?? "").split(separator: "/").last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\\" }.prefix(200))
        return clean.isEmpty ? "statement.txt" : clean
    }

    struct Item: Encodable, Sendable {
        var id: Int64
        var fileName: String
        var sha256: String
        var bytes: Int
        var encoding: String?
        var source: String
        var importedAt: String
        var summary: StatementImporter.Summary?
    }

    static func item(_ row: Row) -> Item {
        Item(id: row["id"], fileName: row["fileName"], sha256: row["sha256"], bytes: row["bytes"], encoding: row["encoding"],
             source: row["source"], importedAt: Timestamp.format(Date(timeIntervalSince1970: row["importedAt"])), summary: try? JSONDecoder().decode(StatementImporter.Summary.self, from: Data((row["summary"] as String).utf8)))
    }
}

