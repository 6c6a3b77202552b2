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
        var lastCheck = ContinuousClock.now
        var lastPrune = ContinuousClock.now - .seconds(3600)
        let startedAt = ContinuousClock.now

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

        func send(_ stream: String, _ rows: [OutboxRecord]) async throws {
            let frames = rows.map { row in
                [Data("\(stream)/\(row.type)".utf8),
                 WireHeader(publisher: publisher, epoch: epoch, stream: stream, seq: row.seq, eventId: row.eventId, type: row.type).encoded(),
                 row.body]
            }
            // Fire and forget: PUB never blocks, and waiting for the loop thread to confirm would
            // cost a task switch per batch.
            loop.submit { state in
                guard let pub = state.socket(socket.0) else { return }
                for message in frames { _ = try? pub.send(message) }
            }
            positions[stream] = rows.last!.seq
            metrics.published(stream, rows.count)
            lastSend = .now
        }

        /// Reads from the outbox what was committed but not handed over in memory: rows written by
        /// another process (an import command), or more than the hand-over holds.
        func catchUp() async throws {
            let heads = try await database.read { try OutboxStore.heads($0) }
            for (stream, head) in heads where head > (positions[stream] ?? 0) {
                while (positions[stream] ?? 0) < head {
                    let from = positions[stream] ?? 0
                    let rows = try await database.read { try OutboxStore.fetch($0, stream: stream, afterSeq: from, limit: configuration.batchSize) }
                    guard !rows.isEmpty else { break }
                    try await send(stream, rows)
                }
            }
        }

        func round() async throws {
            let (fresh, overflowed) = signal.takeCommitted()
            var needCheck = overflowed
            var byStream: [String: [OutboxRecord]] = [:]
            for record in fresh { byStream[record.stream, default: []].append(record) }
            for (stream, records) in byStream {
                let position = positions[stream] ?? 0
                let unsent = records.drop { $0.seq <= position }
                guard let first = unsent.first else { continue }
                let contiguous = zip(unsent, unsent.dropFirst()).allSatisfy { $0.seq + 1 == $1.seq }
                if first.seq == position + 1 && contiguous {
                    try await send(stream, Array(unsent))
                } else {
                    needCheck = true
                }
            }
            let now = ContinuousClock.now
            if needCheck || now - lastCheck >= pollInterval {
                lastCheck = now
                try await catchUp()
            }
            if now - lastSend >= configuration.heartbeatInterval && now - lastHeartbeat >= configuration.heartbeatInterval
                || now - startedAt < configuration.heartbeatInterval && lastHeartbeat < startedAt {
                let beats = positions.map { stream, head in
                    let header = WireHeader.heartbeat(publisher: publisher, epoch: epoch, stream: stream, head: head)
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
