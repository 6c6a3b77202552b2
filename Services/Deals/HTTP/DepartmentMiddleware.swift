import GRDB
import Hummingbird
import ServiceKit

/// Every deals endpoint is the department's (admins, heads, managers): the caller is checked here,
/// before a route reads its body, so an integration's token or none is told 403 or 401 — never a
/// validation error that would reveal what the endpoint expects. A manager reaching for another
/// manager's deal or client (`/deals/{id}…`, `/clients/{id}…`) is refused here too, for the same
/// reason; the routes check again inside their transactions. Probes, metrics, users and the bus's
/// dead letters keep their own rules.
struct DepartmentMiddleware: RouterMiddleware {
    typealias Context = PacerRequestContext
    let database: DatabasePool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/health" || path == "/metrics" || path.hasPrefix("/admin/") || path.hasPrefix("/bus/") {
            return try await next(request, context)
        }
        let user = try context.departmentUser()
        if user.role == .manager {
            let parts = path.split(separator: "/")
            if parts.count >= 2, parts[0] == "deals" || parts[0] == "clients" {
                let table = parts[0] == "deals" ? "deal" : "client"
                let id = String(parts[1])
                let owner = try await database.read { db in
                    try String?.fetchOne(db, sql: "SELECT managerId FROM \(table) WHERE id = ?", arguments: [id])
                }
                if let owner, owner != user.managerId {
                    throw Problem(.forbidden, "\(table) \(id) belongs to another manager")
                }
            }
        }
        return try await next(request, context)
    }
}
