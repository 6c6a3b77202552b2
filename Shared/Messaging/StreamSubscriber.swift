import Contracts
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Storage
import Synchronization
import ZeroMQ

/// Consumes streams from one or more publishers with exactly-once effect.
///
/// Per message: `seq == applied + 1` → apply, record in the inbox and advance the cursor (one
/// transaction per batch of messages); `seq ≤ applied` → a duplicate, dropped; `seq > applied + 1`
/// or a heartbeat whose head is ahead → a gap, fetched from the publisher's replay endpoint in
/// pages. A changed epoch or a head that went backwards stops that stream with an alarm.
///
/// Configuration (`StreamSubscriber.Configuration`):
/// - `sources`: the publishers (PUB + replay endpoints).
/// - `streams`: the stream names to consume, e.g. `["deals"]`.
/// - `replayPageSize`: rows asked per REPLAY (default 2,000).
/// - `replayTimeout`: a request unanswered this long is sent again (default 2 s).
/// - `receiveHighWaterMark`: SUB's queue (default 1,000,000).
/// - `inboxRetention`: applied event ids are remembered this long after their events were made
///   (default 30 days; see `InboxStore.prune`).
/// - `keys`: this subscriber's CURVE key pair; sources with a `serverPublicKey` are then
///   connected encrypted (a source without one, in plain text).
public final class StreamSubscriber: Service, Sendable {
    public struct Configuration: Sendable {
        public var sources: [BusSource]
        public var streams: [String]
        public var replayPageSize = 2_000
        public var replayTimeout: Duration = .seconds(2)
        public var receiveHighWaterMark: Int32 = 1_000_000
        public var inboxRetention: Duration = .seconds(30 * 86_400)
        public var keys: CurveKeyPair?
        /// The service's own outbox, when its handler publishes: a failed event's savepoint then
        /// also forgets what the handler appended.
        public var outbox: OutboxStore?
        public init(sources: [BusSource], streams: [String]) {
            self.sources = sources
            self.streams = streams
        }
    }

    private let loop: BusLoop
    private let database: DatabasePool
    private let handler: any EventHandler

    private let configuration: Configuration
    private let metrics: BusMetrics
    private let logger: Logger
    private let statusBox = Mutex(SubscriberStatus())

    public init(loop: BusLoop, database: DatabasePool, handler: any EventHandler, configuration: Configuration,
                metrics: BusMetrics = BusMetrics(), logger: Logger) {
        self.loop = loop
        self.database = database
        self.handler = handler
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public var status: SubscriberStatus { statusBox.withLock { $0 } }

    enum Inbound: Sendable {
        case frames(source: Int, frames: [[UInt8]], viaReplay: Bool)
        case tick
    }

    /// Messages handed from the loop thread to the consuming task. Batches grow by themselves
    /// under load: whatever arrives while a transaction is being written is taken, up to
    /// `maxBatch`, into the next one.
    final class InboundBuffer: Sendable {
        private let items = Mutex<[Inbound]>([])
        private let wake: AsyncStream<Void>.Continuation
        let wakeups: AsyncStream<Void>
        let limit: Int

        init(limit: Int) {
            self.limit = limit
            (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }

        /// Beyond `limit` queued messages, new ones are dropped: replay brings them back once the
        /// consumer has caught up, instead of memory growing without bound.
        func push(_ batch: [Inbound]) {
            items.withLock { items in
                guard items.count < limit else { return }
                items.append(contentsOf: batch)
            }
            wake.yield()
        }

        func take(max: Int) -> [Inbound] {
            items.withLock { items in
                if items.count <= max {
                    defer { items.removeAll(keepingCapacity: true) }
                    return items
                }
                let head = Array(items.prefix(max))
                items.removeFirst(max)
                return head
            }
        }

        func finish() { wake.finish() }
    }

    public func run() async throws {
        let buffer = InboundBuffer(limit: 200_000)
        let configuration = self.configuration
        let sockets = try await loop.perform { state -> [(sub: SocketID, dealer: SocketID)] in
            var sockets: [(sub: SocketID, dealer: SocketID)] = []
            for (index, source) in configuration.sources.enumerated() {
                let sub = try state.open(.sub, context: self.loop.context) { socket in
                    socket.receiveHighWaterMark = configuration.receiveHighWaterMark
                    try configuration.curve(for: source)?.apply(to: socket)
                    for stream in configuration.streams { try socket.subscribe("\(stream)/") }
                    try socket.connect(source.publishEndpoint)
                }
                let dealer = try state.open(.dealer, context: self.loop.context) { socket in
                    try configuration.curve(for: source)?.apply(to: socket)
                    try socket.connect(source.replayEndpoint)
                }
                for (id, viaReplay) in [(sub, false), (dealer, true)] {
                    state.onReadable(id) { socket in
                        var batch: [Inbound] = []
                        while batch.count < 5_000, let frames = try? socket.receive() {
                            batch.append(.frames(source: index, frames: frames, viaReplay: viaReplay))
                        }
                        if !batch.isEmpty { buffer.push(batch) }
                    }
                }
                sockets.append((sub, dealer))
            }
            return sockets
        }
        let dealers = sockets.map(\.dealer)
        let allSockets = sockets.flatMap { [$0.sub, $0.dealer] }

        let initial = try await database.read { db in (try InboxStore.cursors(db), try InboxStore.alarms(db)) }
        let processor = Processor(configuration: configuration, handler: handler, metrics: metrics, logger: logger,
                                  cursors: initial.0, alarms: initial.1)
        statusBox.withLock { $0 = processor.status(ready: true) }
        logger.info("subscriber started", metadata: ["sources": "\(configuration.sources)", "streams": "\(configuration.streams)"])

        let ticker = Task {
            while !Task.isCancelled {
                buffer.push([.tick])
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { ticker.cancel() }

        func send(_ requests: [Processor.Request]) {
            guard !requests.isEmpty else { return }
            loop.submit { state in
                for request in requests {
                    _ = try? state.socket(dealers[request.source])?.send(request.frames.map { Data($0.utf8) })
                }
            }
        }

        func apply(_ batch: [Inbound]) async {
            let saved = processor.state
            do {
                do {
                    // Fast path: no savepoint per event. A handler that throws rolls the whole batch
                    // back, and the batch is applied again with a savepoint around each event, so
                    // only the failing event is dead-lettered.
                    try await database.write { db in try processor.process(batch, db, savepoints: false) }
                } catch is Processor.NeedsSavepoints {
                    processor.restore(saved)
                    try await database.write { db in try processor.process(batch, db, savepoints: true) }
                }
                processor.committed()
            } catch {
                // Nothing of the batch was stored; replay brings it back once the database recovers.
                processor.restore(saved)
                logger.error("subscriber batch failed; will replay", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
            send(processor.takeRequests())
            let status = processor.status(ready: true)
            statusBox.withLock { $0 = status }
        }

        await withGracefulShutdownHandler {
            for await _ in buffer.wakeups {
                while true {
                    let batch = buffer.take(max: 20_000)
                    if batch.isEmpty { break }
                    await apply(batch)
                }
            }
        } onGracefulShutdown: {
            buffer.finish()
        }
        _ = try? await loop.perform { state in for id in allSockets { state.close(id) } }
        logger.info("subscriber stopped")
    }
}

extension StreamSubscriber.Configuration {
    func curve(for source: BusSource) -> CurveClient? {
        guard let keys, let server = source.serverPublicKey else { return nil }
        return CurveClient(serverPublicKey: server, keys: keys)
    }
}
