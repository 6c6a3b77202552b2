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
/// - `inboxRetention`: applied event ids are remembered this long (default 30 days).
/// - `curve`: client keys when the bus is encrypted.
public final class StreamSubscriber: Service, Sendable {
    public struct Configuration: Sendable {
        public var sources: [BusSource]
        public var streams: [String]
        public var replayPageSize = 2_000
        public var replayTimeout: Duration = .seconds(2)
        public var receiveHighWaterMark: Int32 = 1_000_000
        public var inboxRetention: Duration = .seconds(30 * 86_400)
        public var curve: CurveClient?
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

    public func run() async throws {
        // Bounded: when the consumer falls behind, the newest batches are dropped here and come
        // back through replay, instead of memory growing without limit.
        let inbound = AsyncStream.makeStream(of: [Inbound].self, bufferingPolicy: .bufferingOldest(512))
        let continuation = inbound.continuation
        let configuration = self.configuration
        let sockets = try await loop.perform { state -> [(sub: SocketID, dealer: SocketID)] in
            var sockets: [(sub: SocketID, dealer: SocketID)] = []
            for (index, source) in configuration.sources.enumerated() {
                let sub = try state.open(.sub, context: self.loop.context) { socket in
                    socket.receiveHighWaterMark = configuration.receiveHighWaterMark
                    if let curve = configuration.curve { try curve.apply(to: socket) }
                    for stream in configuration.streams { try socket.subscribe("\(stream)/") }
                    try socket.connect(source.publishEndpoint)
                }
                let dealer = try state.open(.dealer, context: self.loop.context) { socket in
                    if let curve = configuration.curve { try curve.apply(to: socket) }
                    try socket.connect(source.replayEndpoint)
                }
                for (id, viaReplay) in [(sub, false), (dealer, true)] {
                    state.onReadable(id) { socket in
                        var batch: [Inbound] = []
                        while batch.count < 2_000, let frames = try? socket.receive() {
                            batch.append(.frames(source: index, frames: frames, viaReplay: viaReplay))
                        }
                        if !batch.isEmpty { continuation.yield(batch) }
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
                continuation.yield([.tick])
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

        await withGracefulShutdownHandler {
            for await batch in inbound.stream {
                let saved = processor.state
                do {
                    try await database.write { db in try processor.process(batch, db) }
                    processor.committed()
                } catch {
                    // Nothing of the batch was stored; replay brings it back once the database recovers.
                    processor.state = saved
                    processor.pendingRequests.removeAll()
                    logger.error("subscriber batch failed; will replay", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(200))
                }
                send(processor.takeRequests())
                let status = processor.status(ready: true)
                statusBox.withLock { $0 = status }
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        _ = try? await loop.perform { state in for id in allSockets { state.close(id) } }
        logger.info("subscriber stopped")
    }
}
