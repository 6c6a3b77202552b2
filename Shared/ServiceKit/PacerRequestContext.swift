import Foundation
import Hummingbird

/// The request context of every Pacer HTTP API: Hummingbird's core context plus the caller
/// (set by `AuthMiddleware` from the bearer token).
public struct PacerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: AuthUser?
    /// When the caller says the change happened, if a service lets them say so (history imports);
    /// nil means now.
    public var occurredAt: Date?

    public init(source: Source) {
        coreContext = .init(source: source)
        user = nil
        occurredAt = nil
    }

    /// The caller, or 401 when the request carries no valid token.
    public func requireUser() throws -> AuthUser {
        guard let user else { throw Problem(.unauthorized, "a bearer token is required") }
        return user
    }

    /// The caller if their role is one of `roles`; 401 without a token, 403 with the wrong role.
    @discardableResult
    public func require(_ roles: Role...) throws -> AuthUser {
        let user = try requireUser()
        guard roles.contains(user.role) else {
            throw Problem(.forbidden, "role \(user.role.rawValue) may not do this; needs \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        return user
    }
}
