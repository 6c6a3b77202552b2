import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit
import Storage

/// `pacer-deals`: the pipeline — managers, clients, deals and their history, tasks, invoices,
/// leads and approvals. Publishes the `deals` stream; consumes nothing.
public enum DealsService {
    public static func definition(overdueInterval: Duration = .seconds(30)) -> ServiceDefinition {
        ServiceDefinition(
            defaults: .deals,
            publishes: [StreamName.deals],
            migrations: DealsSchema.migrations,
            routes: { router, context in
                DealsRoutes(context: context).register(on: router)
                DirectoryRoutes(context: context).register(on: router)
                WorkRoutes(context: context).register(on: router)
                ImportRoutes(context: context).register(on: router)
            },
            snapshots: { _ in DealsSnapshots() },
            services: { context in [TaskOverdueScheduler(context: context, interval: overdueInterval)] }
        )
    }

    /// Seeds the demo department (`--demo`) into an empty database.
    public static func seedDemo(_ context: ServiceContext) throws -> Bool {
        try DemoDepartment.seedIfEmpty(context.database, outbox: context.outbox)
    }

    /// On an empty database: an admin user whose token is written to `<data-dir>/<instance>-admin.token`
    /// (mode 0600), so `make run` is usable at once without putting a secret in the logs.
    public static func bootstrapAdmin(database: DatabasePool, tokenFile: String) throws -> Bool {
        try database.write { db in
            guard try TokenStore.userCount(db) == 0 else { return false }
            try TokenStore.addUser(id: "admin", name: "Administrator", role: .admin, managerId: nil, db)
            let token = try TokenStore.issue(userId: "admin", label: "bootstrap", db)
            guard FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            return true
        }
    }
}
