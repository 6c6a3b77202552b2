import Contracts
import Crypto
import Foundation
import GRDB
import Hummingbird

/// Roles, as issue 9 lists them. Integrations may only push their own kind of data.
public enum Role: String, Codable, Sendable, CaseIterable {
    case admin, head, manager
    case telephony = "integration:telephony"
    case accounting = "integration:accounting"
}

/// Who is calling: a user of the department (with the manager record they act as, if any) or an
/// integration.
public struct AuthUser: Sendable, Equatable, Codable {
    public var userId: String
    public var name: String
    public var role: Role
    /// The manager this user is, for `manager` and `head` users; scopes what a manager sees.
    public var managerId: String?

    public init(userId: String, name: String, role: Role, managerId: String?) {
        self.userId = userId; self.name = name; self.role = role; self.managerId = managerId
    }

    public var isHeadOrAdmin: Bool { role == .head || role == .admin }
}

/// Users and bearer tokens in the service's database. Tokens are stored as SHA-256 hashes only;
/// the clear token is shown once, when issued.
public enum TokenStore {
    public static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("auth.v1") { db in
            try db.execute(sql: """
                CREATE TABLE auth_user (
                    user_id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    manager_id TEXT,
                    created_at REAL NOT NULL
                );
                CREATE TABLE auth_token (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES auth_user(user_id),
                    label TEXT,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                );
                """)
        }
    }

    public static func hash(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)))
    }

    public static func addUser(id: String, name: String, role: Role, managerId: String?, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO auth_user(user_id, name, role, manager_id, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, role = excluded.role, manager_id = excluded.manager_id
            """, arguments: [id, name, role.rawValue, managerId, Date().timeIntervalSince1970])
    }

    /// Issues a new token for a user and returns it in clear (the only time it exists in clear).
    public static func issue(userId: String, label: String? = nil, _ db: Database) throws -> String {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM auth_user WHERE user_id = ?", arguments: [userId]) == true else {
            throw Problem(.notFound, "no user \(userId)")
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let token = Hex.lowercase(bytes, prefix: "pct_")
        try db.execute(sql: "INSERT INTO auth_token(token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [hash(token), userId, label, Date().timeIntervalSince1970])
        return token
    }

    /// Registers a token the caller already holds (the same person's token in another service).
    /// Registering it again for the same user changes nothing; for another user it is refused.
    public static func register(_ token: String, userId: String, label: String? = nil, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM auth_user WHERE user_id = ?", arguments: [userId]) == true else {
            throw Problem(.notFound, "no user \(userId)")
        }
        if let owner = try String.fetchOne(db, sql: "SELECT user_id FROM auth_token WHERE token_hash = ?", arguments: [hash(token)]) {
            guard owner == userId else { throw Problem.conflict("this token belongs to another user", field: "token") }
            return
        }
        try db.execute(sql: "INSERT INTO auth_token(token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [hash(token), userId, label, Date().timeIntervalSince1970])
    }

    /// Revokes every token of a user. Returns how many were live.
    @discardableResult
    public static func revoke(userId: String, _ db: Database) throws -> Int {
        try db.execute(sql: "UPDATE auth_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                       arguments: [Date().timeIntervalSince1970, userId])
        return db.changesCount
    }

    public static func user(forToken token: String, _ db: Database) throws -> AuthUser? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT u.user_id, u.name, u.role, u.manager_id FROM auth_token t JOIN auth_user u USING (user_id)
            WHERE t.token_hash = ? AND t.revoked_at IS NULL
            """), arguments: [hash(token)]), let role = Role(rawValue: row[2]) else { return nil }
        return AuthUser(userId: row[0], name: row[1], role: role, managerId: row[3])
    }

    public static func userCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auth_user") ?? 0
    }
}

/// Resolves `Authorization: Bearer <token>` to the caller. A request without a token passes on
/// unauthenticated (routes decide); a token that is unknown or revoked is refused with 401 here.
/// Known tokens are remembered for a second (`TokenCache`), which the user routes clear.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = PacerRequestContext
    let database: DatabasePool
    let cache: TokenCache

    public init(database: DatabasePool, cache: TokenCache = TokenCache()) {
        self.database = database
        self.cache = cache
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { throw Problem(.unauthorized, "Authorization must be `Bearer <token>`") }
        // Spaces and tabs around the token are dropped by hand: Foundation's trimming bridged to
        // NSString and was a few per cent of a busy service's CPU.
        var bytes = header.utf8.dropFirst(7)
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        let token = String(Substring(bytes))
        var context = context
        if let user = cache.user(forToken: token) {
            context.user = user
            return try await next(request, context)
        }
        let generation = cache.generation
        guard let user = try await database.read({ try TokenStore.user(forToken: token, $0) }) else {
            throw Problem(.unauthorized, "unknown or revoked token")
        }
        cache.remember(user, forToken: token, readAt: generation)
        context.user = user
        return try await next(request, context)
    }
}
