import ArgumentParser
import Foundation
import GRDB
import Storage

/// What every executable's admin subcommands need to know about their service.
public protocol ServiceDescriptor {
    static var definition: ServiceDefinition { get }
}

extension ServiceDescriptor {
    /// Opens the service's database for an admin or import command. The service may be running:
    /// SQLite queues the write behind its own.
    public static func openDatabase(_ options: ServiceOptions) throws -> DatabasePool {
        let settings = try ServiceSettings.resolve(options, defaults: definition.defaults)
        return try PacerDatabase.open(path: settings.databasePath) { migrator in
            TokenStore.migrations(&migrator)
            definition.migrations(&migrator)
        }
    }
}

/// `<service> users add <id> --name … --role … [--manager-id …]`
public struct UsersCommand<Service: ServiceDescriptor>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "users", abstract: "Manage the users of this service.", subcommands: [Add.self])
    }
    public init() {}

    public struct Add: ParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "Add or update a user: admin, head, manager, integration:telephony or integration:accounting.")
        }
        @OptionGroup var options: ServiceOptions
        @Argument(help: "User id.") var id: String
        @Option(help: "Display name.") var name: String
        @Option(help: "admin, head, manager, integration:telephony or integration:accounting.") var role: String
        @Option(help: "The manager record this user acts as (heads and managers).") var managerId: String?
        public init() {}

        public func run() throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("unknown role \(role)") }
            if role == .manager && managerId == nil { throw ValidationError("a manager needs --manager-id") }
            let database = try Service.openDatabase(options)
            try database.write { try TokenStore.addUser(id: id, name: name, role: role, managerId: managerId, $0) }
            print("user \(id): \(role.rawValue)")
        }
    }
}

/// `<service> tokens issue <user>` / `tokens revoke <user>`
public struct TokensCommand<Service: ServiceDescriptor>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "tokens", abstract: "Issue or revoke bearer tokens.", subcommands: [Issue.self, Revoke.self])
    }
    public init() {}

    public struct Issue: ParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "Issue a token for a user and print it (stored hashed; shown only now).")
        }
        @OptionGroup var options: ServiceOptions
        @Argument(help: "User id.") var user: String
        @Option(help: "A label to tell tokens apart.") var label: String?
        public init() {}

        public func run() throws {
            let database = try Service.openDatabase(options)
            print(try database.write { try TokenStore.issue(userId: user, label: label, $0) })
        }
    }

    public struct Revoke: ParsableCommand {
        public static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Revoke every token of a user.") }
        @OptionGroup var options: ServiceOptions
        @Argument(help: "User id.") var user: String
        public init() {}

        public func run() throws {
            let database = try Service.openDatabase(options)
            let count = try database.write { try TokenStore.revoke(userId: user, $0) }
            print("revoked \(count) token(s) of \(user)")
        }
    }
}

extension TokenStore {
    /// On a database without users: an admin whose token is written to `tokenFile` (mode 0600), so a
    /// fresh install is usable without a secret ever reaching the logs. Returns whether it did.
    public static func bootstrapAdmin(database: DatabasePool, tokenFile: String) throws -> Bool {
        try database.write { db in
            guard try userCount(db) == 0 else { return false }
            try addUser(id: "admin", name: "Administrator", role: .admin, managerId: nil, db)
            let token = try issue(userId: "admin", label: "bootstrap", db)
            guard FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            return true
        }
    }
}
