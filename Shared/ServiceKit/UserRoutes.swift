import Foundation
import GRDB
import Hummingbird

/// The users and tokens of a service over HTTP, for admins — what `users add` and `tokens issue`
/// do on the command line, for a deployment whose operator has no shell on the service's host:
/// - `PUT /admin/users/{id}` `{name, role, managerId?}` adds or updates a user;
/// - `POST /admin/users/{id}/tokens` `{label?, token?}` issues a token and shows it once, or
///   registers a token the admin already has (at least 32 characters) so that one person carries
///   one token to every service — the dashboard forwards it to pacer-deals when a head decides
///   an approval there;
/// - `DELETE /admin/users/{id}/tokens` revokes every token of the user.
/// An admin cannot change or revoke themselves here (409): that is the command line's job.
struct UserRoutes: Sendable {
    let database: DatabasePool
    /// Cleared on every change of a user or their tokens, so a revocation or a new role holds from
    /// the next request.
    let tokens: TokenCache

    struct UserBody: Decodable, Sendable {
        var name: String
        var role: String
        var managerId: String?
    }

    struct TokenBody: Decodable, Sendable {
        var label: String?
        var token: String?
    }

    func register(on router: Router<PacerRequestContext>) {
        let admin = router.group("admin/users")
        admin.put(":id") { request, ctx in
            let caller = try ctx.require(.admin)
            let id = try ctx.parameters.require("id")
            // An admin who demoted themselves over HTTP would be locked out with no way back.
            guard id != caller.userId else { throw Problem.conflict("an admin cannot change their own user over HTTP", field: "id") }
            let body = try await request.decodeJSON(UserBody.self, context: ctx)
            guard !body.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("name", "must not be empty") }
            guard let role = Role(rawValue: body.role) else {
                throw Problem.invalid("role", "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if role == .manager && body.managerId == nil { throw Problem.invalid("managerId", "is required for a manager") }
            try await database.write { try TokenStore.addUser(id: id, name: body.name, role: role, managerId: body.managerId, $0) }
            tokens.removeAll()
            return try jsonResponse(AuthUser(userId: id, name: body.name, role: role, managerId: body.managerId))
        }
        admin.post(":id/tokens") { request, ctx in
            try ctx.require(.admin)
            let id = try ctx.parameters.require("id")
            let body = try await request.decodeJSON(TokenBody.self, context: ctx)
            if let token = body.token {
                guard token.count >= 32, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                    throw Problem.invalid("token", "must be at least 32 printable ASCII characters")
                }
                try await database.write { try TokenStore.register(token, userId: id, label: body.label, $0) }
                return try jsonResponse(["userId": id, "registered": "true"], status: .created)
            }
            let token = try await database.write { try TokenStore.issue(userId: id, label: body.label, $0) }
            return try jsonResponse(["userId": id, "token": token], status: .created)
        }
        admin.delete(":id/tokens") { _, ctx in
            let caller = try ctx.require(.admin)
            let id = try ctx.parameters.require("id")
            guard id != caller.userId else { throw Problem.conflict("an admin cannot revoke their own tokens over HTTP; use `tokens revoke`", field: "id") }
            let count = try await database.write { try TokenStore.revoke(userId: id, $0) }
            tokens.removeAll()
            return try jsonResponse(["userId": id, "revoked": String(count)])
        }
    }
}
