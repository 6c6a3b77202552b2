import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Who is looking at the dashboard. The browser holds the user's own API token in an HttpOnly,
/// SameSite=Strict cookie: the same users and roles as the API, revocation takes effect on the
/// next page, and a form on another site cannot post with it.
struct WebSession: Sendable {
    static let cookie = "pacer_session"
    static let languageCookie = "pacer_lang"

    var user: AuthUser
    var token: String
    var language: WebLanguage

    static func language(_ request: Request) -> WebLanguage {
        request.cookies[languageCookie].flatMap { WebLanguage(rawValue: $0.value) } ?? .ru
    }

    /// The session of this request, or nil when there is none or its token no longer works.
    static func resolve(_ request: Request, database: DatabasePool) async throws -> WebSession? {
        guard let token = request.cookies[cookie]?.value, !token.isEmpty else { return nil }
        guard let user = try await database.read({ try TokenStore.user(forToken: token, $0) }) else { return nil }
        return WebSession(user: user, token: token, language: language(request))
    }

    static func loginCookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: cookie, value: token, maxAge: 12 * 3600, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static var logoutCookie: Cookie { Cookie(name: cookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict) }

    var isHead: Bool { user.isHeadOrAdmin }

    /// A manager's own manager id; nil for heads and admins.
    var scope: String? { user.role == .manager ? user.managerId : nil }
}
