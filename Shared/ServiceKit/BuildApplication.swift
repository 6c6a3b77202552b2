import Contracts
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals
import Storage

/// A composed service, ready to run: bus parts first, the HTTP server last, so that on SIGTERM
/// the server stops taking input before the relay drains the outbox.
public struct PacerApplication: Sendable {
    public let context: ServiceContext
    public let relay: OutboxRelay
    public let replay: ReplayServer
    public let subscriber: StreamSubscriber?
    /// The HTTP port actually bound (useful with port 0).
    public let httpPort: AsyncValue<Int>
    let group: ServiceGroup
    let loop: BusLoop

    /// Runs until SIGTERM/SIGINT (or `triggerGracefulShutdown`), then closes the bus.
    public func run() async throws {
        defer { loop.shutdown() }
        try await group.run()
    }

    public func triggerGracefulShutdown() async { await group.triggerGracefulShutdown() }
}

/// Composes a service from its definition and settings.
public func buildApplication(
    _ definition: ServiceDefinition,
    settings: ServiceSettings,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger,
    gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]
) async throws -> PacerApplication {
    let database = try PacerDatabase.open(path: settings.databasePath, backgroundCheckpoints: true) { migrator in
        TokenStore.migrations(&migrator)
        definition.migrations(&migrator)
    }
    let metrics = BusMetrics(factory: PrometheusMetricsFactory(registry: registry))
    let outbox = OutboxStore(source: EventSource(service: settings.service, instance: settings.instance))
    let context = ServiceContext(settings: settings, database: database, outbox: outbox, logger: logger, metrics: metrics,
                                 writes: GroupCommit(database: database, outbox: outbox))
    let loop = try BusLoop(name: "\(settings.instance)-bus")
    // The allow-list answers before any CURVE socket binds, so no client slips in unchecked.
    if let allowed = settings.busAllowedKeys { try await ZAPHandler(allowedKeys: allowed).start(on: loop) }

    var relayConfiguration = OutboxRelay.Configuration()
    relayConfiguration.endpoint = settings.busPublish
    relayConfiguration.streams = definition.publishes
    relayConfiguration.retention = .seconds(settings.outboxRetentionDays * 86_400)
    relayConfiguration.sendHighWaterMark = settings.busHighWaterMark
    let curveServer = settings.busKeys.map { CurveServer(secretKey: $0.secretKey) }
    relayConfiguration.curve = curveServer
    let relay = OutboxRelay(loop: loop, database: database, outbox: outbox, configuration: relayConfiguration,
                            metrics: metrics, logger: logger)
    var replayConfiguration = ReplayServer.Configuration()
    replayConfiguration.endpoint = settings.busReplay
    replayConfiguration.curve = curveServer
    let replay = ReplayServer(loop: loop, database: database, publisher: settings.instance, configuration: replayConfiguration,
                              snapshots: definition.snapshots?(context), metrics: metrics, logger: logger)
    var subscriber: StreamSubscriber?
    if let makeHandler = definition.handler, !settings.sources.isEmpty, !settings.consumes.isEmpty {
        var configuration = StreamSubscriber.Configuration(sources: settings.sources, streams: settings.consumes)
        configuration.keys = settings.busKeys
        configuration.outbox = outbox
        configuration.receiveHighWaterMark = settings.busHighWaterMark
        subscriber = StreamSubscriber(loop: loop, database: database, handler: makeHandler(context),
                                      configuration: configuration, metrics: metrics, logger: logger)
    }

    let router = Router(context: PacerRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: StorageErrorMiddleware(logger: logger))
    let tokens = TokenCache()
    router.add(middleware: AuthMiddleware(database: database, cache: tokens))
    HealthRoutes(context: context, relay: relay, replay: replay, subscriber: subscriber, registry: registry).register(on: router)
    UserRoutes(database: database, tokens: tokens).register(on: router)
    definition.routes(router, context)

    let httpPort = AsyncValue<Int>()
    let http = Application(
        router: router,
        // A connection that says nothing for a minute is closed: idle or slow clients cannot hold
        // the server's connections forever.
        server: .http1(configuration: .init(idleTimeout: .seconds(60))),
        configuration: .init(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: "pacer-\(settings.service)"),
        onServerRunning: { channel in httpPort.set(channel.localAddress?.port ?? settings.httpPort) },
        logger: logger
    )

    var services: [any Service] = [WALCheckpointer(path: settings.databasePath, logger: logger), replay, relay]
    if let subscriber { services.append(subscriber) }
    services += definition.services(context)
    services.append(http)
    let group = ServiceGroup(configuration: .init(
        services: services.map { .init(service: $0) },
        gracefulShutdownSignals: gracefulShutdownSignals,
        logger: logger))
    return PacerApplication(context: context, relay: relay, replay: replay, subscriber: subscriber,
                            httpPort: httpPort, group: group, loop: loop)
}
