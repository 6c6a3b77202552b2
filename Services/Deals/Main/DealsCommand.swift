import ArgumentParser
import Deals
import Foundation
import GRDB
import ServiceKit
import Storage

@main
struct DealsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-deals",
        abstract: "Pacer's pipeline service: deals, clients, managers, tasks, invoices, leads, approvals.",
        subcommands: [Serve.self, Users.self, Tokens.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default).")
    @OptionGroup var options: ServiceOptions
    @Flag(help: "On an empty database, create a demo department (managers, clients, three months of deals).")
    var demo = false

    func run() async throws {
        let demo = self.demo
        try await PacerRuntime.run(DealsService.definition(), options: options) { application in
            let settings = application.context.settings
            let file = URL(fileURLWithPath: settings.databasePath).deletingLastPathComponent().appendingPathComponent("\(settings.instance)-admin.token").path
            if try DealsService.bootstrapAdmin(database: application.context.database, tokenFile: file) {
                application.context.logger.notice("created user admin; its token is in \(file)")
            }
            if demo, try DealsService.seedDemo(application.context) {
                application.context.logger.notice("seeded the demo department")
            }
        }
    }
}

/// Opens the service's database for an admin command (the service may be running: SQLite queues the write).
func openDatabase(_ options: ServiceOptions) throws -> DatabasePool {
    let settings = try ServiceSettings.resolve(options, defaults: .deals)
    return try PacerDatabase.open(path: settings.databasePath) { migrator in
        TokenStore.migrations(&migrator)
        DealsService.definition().migrations(&migrator)
    }
}

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add or update a user.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or update a user (admin, head, manager or an integration).")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "User id.") var id: String
        @Option(help: "Display name.") var name: String
        @Option(help: "admin, head, manager, integration:telephony or integration:accounting.") var role: String
        @Option(help: "The manager record this user acts as (heads and managers).") var managerId: String?

        func run() throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("unknown role \(role)") }
            if role == .manager && managerId == nil { throw ValidationError("a manager needs --manager-id") }
            let database = try openDatabase(options)
            try database.write { try TokenStore.addUser(id: id, name: name, role: role, managerId: managerId, $0) }
            print("user \(id): \(role.rawValue)")
        }
    }
}

struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Issue or revoke bearer tokens.", subcommands: [Issue.self, Revoke.self])

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token for a user and print it (stored hashed; shown only now).")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "User id.") var user: String
        @Option(help: "A label to tell tokens apart.") var label: String?

        func run() throws {
            let database = try openDatabase(options)
            print(try database.write { try TokenStore.issue(userId: user, label: label, $0) })
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token of a user.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "User id.") var user: String

        func run() throws {
            let database = try openDatabase(options)
            let count = try database.write { try TokenStore.revoke(userId: user, $0) }
            print("revoked \(count) token(s) of \(user)")
        }
    }
}
