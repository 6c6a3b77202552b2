import GRDB
import Hummingbird
import Logging

/// A database that cannot take the write — disk full, read-only, an I/O error, the file gone —
/// is the service being unavailable, not the request being wrong: 503 with `Retry-After`, a problem
/// body saying why, and the operator told in the log. Nothing was acknowledged, since the
/// transaction that failed rolled back; once space returns, the next request simply works.
struct StorageErrorMiddleware: RouterMiddleware {
    typealias Context = PacerRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DatabaseError {
            guard let reason = Self.unavailable(error) else { throw error }
            logger.error("storage refused a request", metadata: ["path": "\(request.uri.path)", "sqlite": "\(error.resultCode)", "reason": "\(reason)"])
            var response = try Problem(.serviceUnavailable, "storage unavailable: \(reason); nothing was stored, retry later")
                .response(from: request, context: context)
            response.headers[.retryAfter] = "5"
            return response
        }
    }

    static func unavailable(_ error: DatabaseError) -> String? {
        switch error.resultCode {
        case .SQLITE_FULL: "the disk is full"
        case .SQLITE_READONLY: "the database is read-only"
        case .SQLITE_IOERR: "an I/O error"
        case .SQLITE_CANTOPEN: "the database file cannot be opened"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "the database is busy"
        default: nil
        }
    }
}
