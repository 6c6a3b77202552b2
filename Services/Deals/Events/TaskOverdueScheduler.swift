import Foundation
import GRDB
import Logging
import ServiceKit
import ServiceLifecycle
import Storage

/// Finds open tasks past their deadline and emits TaskOverdue once per task.
///
/// Configuration: `interval` between checks (default 30 s).
struct TaskOverdueScheduler: Service {
    let context: ServiceContext
    var interval: Duration = .seconds(30)

    func run() async throws {
        let outbox = context.outbox
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let count = try await context.database.write { db in
                    try DealsCommands(outbox: outbox, author: nil, correlationId: nil).markOverdueTasks(db)
                }
                if count > 0 { context.logger.info("tasks overdue", metadata: ["count": "\(count)"]) }
            } catch {
                context.logger.error("overdue check failed", metadata: ["error": "\(error)"])
            }
            try? await gracefulShutdownOrSleep(interval)
        }
    }

    private func gracefulShutdownOrSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
