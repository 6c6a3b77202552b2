import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `Pacer-Occurred-At: 2026-10-05T09:30:00Z` records a change as of that instant instead of now:
/// for an admin bringing a department's history over from a previous CRM (and for the demo
/// simulator, which plays a month of work through this API). Only admins may backdate, and never
/// into the future — a manager could otherwise rewrite when a deal was won.
struct HistoryMiddleware: RouterMiddleware {
    typealias Context = PacerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let text = request.headers[.init("Pacer-Occurred-At")!] else { return try await next(request, context) }
        let user = try context.requireUser()
        guard user.role == .admin else { throw Problem(.forbidden, "only an admin may record history with Pacer-Occurred-At") }
        guard let at = Timestamp.parse(text) else {
            throw Problem.invalid("Pacer-Occurred-At", "must be an RFC 3339 instant, e.g. 2026-10-05T09:30:00Z")
        }
        guard at <= Date().addingTimeInterval(60) else { throw Problem.invalid("Pacer-Occurred-At", "must not be in the future") }
        var context = context
        context.occurredAt = at
        return try await next(request, context)
    }
}
