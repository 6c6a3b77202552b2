import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import ServiceLifecycle
import Storage
import ZeroMQ

/// Runs services in a `ServiceGroup` of their own, so a test can start, stop and "crash" them.
public final class RunningGroup: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    public init(_ services: [any Service], logger: Logger) {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        self.group = group
        task = Task { try await group.run() }
    }

    /// Graceful shutdown, in reverse order of start, as on SIGTERM.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

public func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["PACER_TEST_LOG"] == nil ? .critical : .debug
    return logger
}

/// A publisher as a service runs it: database, outbox, relay and replay server on their own loop.
public final class TestPublisher: Sendable {
    public let database: DatabasePool
    public let outbox: OutboxStore
    public let publishEndpoint: String
    public let replayEndpoint: String
    public let path: String
    private let loop: BusLoop
    private let running: RunningGroup

    public static func start(path: String, instance: String, publishEndpoint: String = "tcp://127.0.0.1:*",
                             replayEndpoint: String = "tcp://127.0.0.1:*", sendHighWaterMark: Int32 = 1_000_000,
                             snapshots: Bool = false, curveSecretKey: String? = nil,
                             allowedClientKeys: Set<String>? = nil) async throws -> TestPublisher {
        let database = try PacerDatabase.open(path: path, migrations: CounterModel.migrations)
        let outbox = OutboxStore(source: EventSource(service: "test", instance: instance))
        let loop = try BusLoop(name: "bus-\(instance)")
        if let allowedClientKeys { try await ZAPHandler(allowedKeys: allowedClientKeys).start(on: loop) }
        var relayConfiguration = OutboxRelay.Configuration()
        relayConfiguration.endpoint = publishEndpoint
        relayConfiguration.streams = [StreamName.bench]
        relayConfiguration.sendHighWaterMark = sendHighWaterMark
        relayConfiguration.heartbeatInterval = .milliseconds(200)
        relayConfiguration.pollInterval = .milliseconds(20)
        var replayConfiguration = ReplayServer.Configuration()
        replayConfiguration.endpoint = replayEndpoint
        relayConfiguration.curve = curveSecretKey.map(CurveServer.init(secretKey:))
        replayConfiguration.curve = curveSecretKey.map(CurveServer.init(secretKey:))
        let logger = testLogger("publisher-\(instance)")
        let relay = OutboxRelay(loop: loop, database: database, outbox: outbox, configuration: relayConfiguration, logger: logger)
        let replay = ReplayServer(loop: loop, database: database, publisher: instance, configuration: replayConfiguration,
                                  snapshots: snapshots ? CounterModel.Snapshots() : nil, logger: logger)
        let running = RunningGroup([replay, relay], logger: logger)
        return TestPublisher(database: database, outbox: outbox, publishEndpoint: await relay.boundEndpoint.value,
                             replayEndpoint: await replay.boundEndpoint.value, path: path, loop: loop, running: running)
    }

    private init(database: DatabasePool, outbox: OutboxStore, publishEndpoint: String, replayEndpoint: String,
                 path: String, loop: BusLoop, running: RunningGroup) {
        self.database = database; self.outbox = outbox; self.publishEndpoint = publishEndpoint
        self.replayEndpoint = replayEndpoint; self.path = path; self.loop = loop; self.running = running
    }

    public var source: BusSource { BusSource(publishEndpoint: publishEndpoint, replayEndpoint: replayEndpoint) }

    public func publish(_ count: Int, batch: Int = 500, note: String = "") async throws {
        try await CounterModel.publish(count: count, batch: batch, outbox: outbox, database: database, note: note)
    }

    public func totals() async throws -> [String: CounterModel.Totals] {
        try await database.read { try CounterModel.totals($0) }
    }

    public func stop() async {
        await running.stop()
        loop.shutdown()
    }
}

/// A subscriber with the counter handler, on its own loop and database.
public final class TestSubscriber: Sendable {
    public let database: DatabasePool
    public let subscriber: StreamSubscriber
    private let loop: BusLoop
    private let running: RunningGroup

    public static func start(path: String, sources: [BusSource], receiveHighWaterMark: Int32 = 1_000_000,
                             handler: any EventHandler = CounterModel.Handler(), keys: CurveKeyPair? = nil) async throws -> TestSubscriber {
        let database = try PacerDatabase.open(path: path, migrations: CounterModel.migrations)
        let loop = try BusLoop(name: "bus-sub")
        var configuration = StreamSubscriber.Configuration(sources: sources, streams: [StreamName.bench])
        configuration.receiveHighWaterMark = receiveHighWaterMark
        configuration.replayTimeout = .milliseconds(500)
        configuration.keys = keys
        let logger = testLogger("subscriber")
        let subscriber = StreamSubscriber(loop: loop, database: database, handler: handler, configuration: configuration, logger: logger)
        return TestSubscriber(database: database, subscriber: subscriber, loop: loop, running: RunningGroup([subscriber], logger: logger))
    }

    private init(database: DatabasePool, subscriber: StreamSubscriber, loop: BusLoop, running: RunningGroup) {
        self.database = database; self.subscriber = subscriber; self.loop = loop; self.running = running
    }

    public func totals() async throws -> [String: CounterModel.Totals] {
        try await database.read { try CounterModel.totals($0) }
    }

    public func applied() async throws -> Int {
        try await database.read { try InboxStore.appliedCount($0) }
    }

    /// Waits until the applied totals equal `expected` (or the guard timeout passes).
    @discardableResult
    public func waitFor(_ expected: [String: CounterModel.Totals], timeout: Duration = .seconds(60)) async throws -> Bool {
        try await eventually(timeout: timeout) { try await totals() == expected }
    }

    public func stop() async {
        await running.stop()
        loop.shutdown()
    }
}

extension CounterModel {
    /// What `publish(count:)` called `times` with the given sizes adds up to, computed independently.
    public static func expectedTotals(counts: [Int], counters: [String] = ["a", "b", "c"]) -> [String: Totals] {
        var result: [String: Totals] = [:]
        for count in counts {
            for i in 0..<count {
                let name = counters[i % counters.count]
                let amount = Int64(1 + i % 1000) * 100
                result[name, default: Totals(events: 0, kopecks: 0)].events += 1
                result[name, default: Totals(events: 0, kopecks: 0)].kopecks += amount
            }
        }
        return result
    }
}
