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
                router.add(middleware: DepartmentMiddleware(database: context.database))
                router.add(middleware: HistoryMiddleware())
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
}
