import Contracts
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Storage
import Synchronization
import ZeroMQ

/// Publishes committed outbox rows on a PUB socket, heartbeats each stream's head, and prunes the
/// outbox past its retention.
///
/// Configuration (`OutboxRelay.Configuration`):
/// - `endpoint`: where PUB binds (default `tcp://127.0.0.1:*`; the bound one is `boundEndpoint`).
/// - `streams`: streams heartbeated even before their first event (default none).
/// - `batchSize`: rows read and sent per round (default 2,000).
/// - `pollInterval`: how often the outbox is checked without a wake-up, e.g. for rows another process
///   wrote (default 100 ms).
/// - `heartbeatInterval`: a heartbeat per stream after this long without traffic (default 1 s).
/// - `sendHighWaterMark`: PUB's queue per subscriber (default 1,000,000; libzmq's 1,000 drops bursts).
/// - `retention`: outbox rows older than this are deleted (default 7 days); nil keeps everything.
/// - `curve`: server secret key when the bus is encrypted.
public final class OutboxRelay: Service, Sendable {
    public struct Configuration: Sendable {
        public var endpoint: String = "tcp://127.0.0.1:*"
        public var streams: [String] = []
        public var batchSize: Int = 2_000
        public var pollInterval: Duration = .milliseconds(100)
        public var heartbeatInterval: Duration = .seconds(1)
        public var sendHighWaterMark: Int32 = 1_000_000
        public var retention: Duration? = .seconds(7 * 86_400)
        public var curve: CurveServer?
        public init() {}
    }

    public let boundEndpoint = AsyncValue<String>()
    private let loop: BusLoop
    private let database: DatabasePool
    private let outbox: OutboxStore
    private let configuration: Configuration
    private let metrics: BusMetrics
    private let logger: Logger

    public init(loop: BusLoop, database: DatabasePool, outbox: OutboxStore, configuration: Configuration,
                metrics: BusMetrics = BusMetrics(), logger: Logger) {
        self.loop = loop
        self.database = database
        self.outbox = outbox
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let publisher = outbox.source.instance
        let (epoch, startHeads) = try await database.read { db in (try OutboxStore.epoch(db), try OutboxStore.heads(db)) }
        let configuration = self.configuration
        let socket = try await loop.perform { state in
            let id = try state.open(.pub, context: self.loop.context) { socket in
                socket.sendHighWaterMark = configuration.sendHighWaterMark
                if let curve = configuration.curve { try curve.apply(to: socket) }
                try socket.bind(configuration.endpoint)
            }
            return (id, state.socket(id)!.lastEndpoint)
        }
        boundEndpoint.set(socket.1)
        logger.info("outbox relay publishing", metadata: ["endpoint": "\(socket.1)", "epoch": "\(epoch)"])

        // Start at the heads: anything older is fetched by subscribers through replay, which is
        // told about it by the first heartbeat.
        var positions = startHeads
        for stream in configuration.streams where positions[stream] == nil { positions[stream] = 0 }
        var lastSend = ContinuousClock.now
        var lastHeartbeat = ContinuousClock.now - configuration.heartbeatInterval
        var lastPrune = ContinuousClock.now - .seconds(3600)

        let wakeups = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let signal = outbox.signal
        let pollInterval = configuration.pollInterval
        let forwarders = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in signal.notifications { wakeups.continuation.yield() } }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: pollInterval)
                        wakeups.continuation.yield()
                    }
                }
            }
        }
        defer { forwarders.cancel() }

        func round() async throws {
            var sentAny = false
            // One read transaction per round: the heads and rows are a consistent picture.
            let current = positions
            let snapshot = try await database.read { db -> [String: (Int64, [OutboxRecord])] in
                var result: [String: (Int64, [OutboxRecord])] = [:]
                let heads = try OutboxStore.heads(db)
                for stream in Set(current.keys).union(heads.keys) {
                    let head = heads[stream] ?? 0
                    let from = current[stream] ?? 0
                    let rows = head > from ? try OutboxStore.fetch(db, stream: stream, afterSeq: from, limit: configuration.batchSize) : []
                    result[stream] = (head, rows)
                }
                return result
            }
            for (stream, (_, rows)) in snapshot where !rows.isEmpty {
                let frames = rows.map { row in
                    [Data("\(stream)/\(row.type)".utf8),
                     WireHeader(publisher: publisher, epoch: epoch, stream: stream, seq: row.seq, eventId: row.eventId, type: row.type).encoded(),
                     row.body]
                }
                try await loop.perform { state in
                    guard let pub = state.socket(socket.0) else { return }
                    for message in frames { _ = try pub.send(message) }
                }
                positions[stream] = rows.last!.seq
                metrics.published(stream, rows.count)
                sentAny = true
            }
            for (stream, (head, _)) in snapshot where positions[stream] == nil { positions[stream] = head }
            let now = ContinuousClock.now
            if sentAny { lastSend = now }
            if now - lastSend >= configuration.heartbeatInterval && now - lastHeartbeat >= configuration.heartbeatInterval {
                let beats = snapshot.map { stream, value in
                    let header = WireHeader.heartbeat(publisher: publisher, epoch: epoch, stream: stream, head: min(value.0, positions[stream] ?? 0))
                    return [Data(header.topic.utf8), header.encoded(), Data()]
                }
                try await loop.perform { state in
                    guard let pub = state.socket(socket.0) else { return }
                    for message in beats { _ = try pub.send(message) }
                }
                lastHeartbeat = now
            }
            if let retention = configuration.retention, now - lastPrune >= .seconds(60) {
                lastPrune = now
                let cutoff = Date().addingTimeInterval(-Double(retention.components.seconds))
                let pruned = try await database.write { db in try OutboxStore.prune(db, createdBefore: cutoff) }
                if pruned > 0 { logger.info("outbox pruned", metadata: ["rows": "\(pruned)"]) }
            }
            // A full batch means more is waiting: go again without waiting for a wake-up.
            if snapshot.values.contains(where: { $0.1.count == configuration.batchSize }) { wakeups.continuation.yield() }
        }

        await withGracefulShutdownHandler {
            for await _ in wakeups.stream {
                do { try await round() } catch {
                    logger.error("outbox relay round failed", metadata: ["error": "\(error)"])
                }
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
            }
        } onGracefulShutdown: {
            wakeups.continuation.finish()
        }
        // Drain what committed before shutdown; whatever PUB cannot deliver now is replayed later.
        try? await round()
        _ = try? await loop.perform { state in state.close(socket.0) }
        logger.info("outbox relay stopped")
    }
}
