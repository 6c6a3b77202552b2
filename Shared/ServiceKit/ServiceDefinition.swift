import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceLifecycle
import Storage

/// What the service kit needs to know about the dependencies a service gets: its settings, its
/// database and outbox, its logger and metrics. Passed to the service's routes, handler and services.
public struct ServiceContext: Sendable {
    public let settings: ServiceSettings
    public let database: DatabasePool
    public let outbox: OutboxStore
    public let logger: Logger
    public let metrics: BusMetrics
    /// Writes of concurrent requests sharing transactions (see `GroupCommit`).
    public let writes: GroupCommit
}

/// A service described for `buildApplication`: its defaults, schema, HTTP routes, event handler
/// and long-running parts.
public struct ServiceDefinition: Sendable {
    public typealias AppRouter = Router<PacerRequestContext>

    public var defaults: ServiceDefaults
    /// Streams it publishes (heartbeated from the start).
    public var publishes: [String]
    public var migrations: @Sendable (inout DatabaseMigrator) -> Void
    public var routes: @Sendable (AppRouter, ServiceContext) -> Void
    /// The effect of consumed events; nil for a service that consumes nothing.
    public var handler: (@Sendable (ServiceContext) -> any EventHandler)?
    public var snapshots: (@Sendable (ServiceContext) -> any SnapshotProvider)?
    /// Schedulers and other parts that run beside the HTTP server.
    public var services: @Sendable (ServiceContext) -> [any Service]

    public init(
        defaults: ServiceDefaults,
        publishes: [String],
        migrations: @escaping @Sendable (inout DatabaseMigrator) -> Void = { _ in },
        routes: @escaping @Sendable (AppRouter, ServiceContext) -> Void = { _, _ in },
        handler: (@Sendable (ServiceContext) -> any EventHandler)? = nil,
        snapshots: (@Sendable (ServiceContext) -> any SnapshotProvider)? = nil,
        services: @escaping @Sendable (ServiceContext) -> [any Service] = { _ in [] }
    ) {
        self.defaults = defaults
        self.publishes = publishes
        self.migrations = migrations
        self.routes = routes
        self.handler = handler
        self.snapshots = snapshots
        self.services = services
    }
}
