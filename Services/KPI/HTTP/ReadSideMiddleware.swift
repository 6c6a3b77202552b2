import Hummingbird
import ServiceKit

/// The KPI API is for the department (admins, heads, managers): the caller is checked before a
/// route parses anything, so an integration or a request without a token is refused first.
/// The dashboard (`/`, `/login`, `/ui/…`) has its own cookie login; probes, metrics, users and the
/// bus's dead letters keep their own rules.
struct ReadSideMiddleware: RouterMiddleware {
    typealias Context = PacerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/" || path == "/login" || path.hasPrefix("/ui/") || path == "/health" || path == "/metrics"
            || path.hasPrefix("/admin/") || path.hasPrefix("/bus/") {
            return try await next(request, context)
        }
        _ = try context.kpiScope()
        return try await next(request, context)
    }
}
