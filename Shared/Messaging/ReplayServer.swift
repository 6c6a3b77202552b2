import Contracts
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Storage
import ZeroMQ

/// Answers subscribers' requests for what they missed, from the outbox (a ROUTER socket).
///
/// Requests: `REPLAY <stream> <fromSeq> <limit>`, `STATUS`, `SNAPSHOT <stream>`; replies are
/// described in `ReplayProtocol` and docs/events.md. Pages are capped at `ReplayProtocol.maxPage`
/// rows so ROUTER's queue is never overrun.
///
/// Configuration: `endpoint` (default `tcp://127.0.0.1:*`), `curve` (server key when encrypted),
/// `snapshots` (optional `SnapshotProvider`).
public final class ReplayServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var endpoint: String = "tcp://127.0.0.1:*"
        public var curve: CurveServer?
        public init() {}
    }

    public let boundEndpoint = AsyncValue<String>()
    private let loop: BusLoop
    private let database: DatabasePool
    private let publisher: String
    private let configuration: Configuration
    private let snapshots: (any SnapshotProvider)?
    private let metrics: BusMetrics
    private let logger: Logger

    public init(loop: BusLoop, database: DatabasePool, publisher: String, configuration: Configuration,
                snapshots: (any SnapshotProvider)? = nil, metrics: BusMetrics = BusMetrics(), logger: Logger) {
        self.loop = loop
        self.database = database
        self.publisher = publisher
        self.configuration = configuration
        self.snapshots = snapshots
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let requests = AsyncStream.makeStream(of: [[UInt8]].self, bufferingPolicy: .bufferingOldest(10_000))
        let configuration = self.configuration
        let continuation = requests.continuation
        let (socket, endpoint) = try await loop.perform { state in
            let id = try state.open(.router, context: self.loop.context) { socket in
                socket.sendHighWaterMark = 100_000
                if let curve = configuration.curve { try curve.apply(to: socket) }
                try socket.bind(configuration.endpoint)
            }
            state.onReadable(id) { socket in
                for _ in 0..<1_000 {
                    guard let frames = try? socket.receive() else { break }
                    continuation.yield(frames)
                }
            }
            return (id, state.socket(id)!.lastEndpoint)
        }
        boundEndpoint.set(endpoint)
        logger.info("replay server listening", metadata: ["endpoint": "\(endpoint)"])

        await withGracefulShutdownHandler {
            for await frames in requests.stream {
                guard frames.count >= 2 else { continue }
                let identity = Data(frames[0])
                let reply: [[Data]]
                do {
                    reply = try await answer(Array(frames.dropFirst()).map { String(decoding: $0, as: UTF8.self) })
                } catch {
                    logger.error("replay request failed", metadata: ["error": "\(error)"])
                    reply = [[Data(ReplayProtocol.error.utf8), Data("\(error)".utf8)]]
                }
                let messages = reply.map { [identity] + $0 }
                loop.submit { state in
                    guard let router = state.socket(socket) else { return }
                    for message in messages { _ = try? router.send(message) }
                }
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        _ = try? await loop.perform { state in state.close(socket) }
    }

    /// Builds the reply messages for one request.
    func answer(_ request: [String]) async throws -> [[Data]] {
        let publisher = self.publisher
        switch request.first {
        case ReplayProtocol.replay:
            guard request.count == 4, StreamName.isValidToken(request[1]),
                  let from = Int64(request[2]), from >= 1, let limit = Int(request[3]), limit >= 1 else {
                return [[Data(ReplayProtocol.error.utf8), Data("usage: REPLAY <stream> <fromSeq ≥ 1> <limit ≥ 1>".utf8)]]
            }
            let stream = request[1]
            let page = min(limit, ReplayProtocol.maxPage)
            let (epoch, head, oldest, rows) = try await database.read { db in
                (try OutboxStore.epoch(db), try OutboxStore.head(db, stream: stream),
                 try OutboxStore.oldestRetained(db, stream: stream),
                 try OutboxStore.fetch(db, stream: stream, afterSeq: from - 1, limit: page))
            }
            // What was asked for is gone when the first retained row is past it (or nothing is
            // retained although the head is past it).
            if from <= head, (oldest.map { $0 > from } ?? true) {
                return [[Data(ReplayProtocol.truncated.utf8), Data(publisher.utf8), Data(epoch.utf8), Data(stream.utf8),
                         Data("\(oldest ?? head + 1)".utf8), Data("\(head)".utf8)]]
            }
            metrics.replayed(stream, rows.count)
            var messages = rows.map { row in
                [Data(ReplayProtocol.event.utf8),
                 WireHeader(publisher: publisher, epoch: epoch, stream: stream, seq: row.seq, eventId: row.eventId, type: row.type).encoded(),
                 row.body]
            }
            messages.append([Data(ReplayProtocol.end.utf8), Data(publisher.utf8), Data(epoch.utf8), Data(stream.utf8), Data("\(head)".utf8)])
            return messages
        case ReplayProtocol.status:
            let status = try await database.read { db in
                PublisherStatus(publisher: publisher, epoch: try OutboxStore.epoch(db), streams: try OutboxStore.heads(db))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return [[Data(ReplayProtocol.status.utf8), try encoder.encode(status)]]
        case ReplayProtocol.snapshot:
            guard request.count == 2, StreamName.isValidToken(request[1]) else {
                return [[Data(ReplayProtocol.error.utf8), Data("usage: SNAPSHOT <stream>".utf8)]]
            }
            let stream = request[1]
            guard let snapshots else {
                return [[Data(ReplayProtocol.error.utf8), Data("no snapshot for stream \(stream)".utf8)]]
            }
            let result = try await database.read { db -> (String, Int64, [Data]?) in
                (try OutboxStore.epoch(db), try OutboxStore.head(db, stream: stream), try snapshots.snapshot(stream: stream, in: db))
            }
            guard let items = result.2 else {
                return [[Data(ReplayProtocol.error.utf8), Data("no snapshot for stream \(stream)".utf8)]]
            }
            return [[Data(ReplayProtocol.snapshot.utf8), Data(publisher.utf8), Data(result.0.utf8), Data(stream.utf8),
                     Data("\(result.1)".utf8)] + items]
        default:
            return [[Data(ReplayProtocol.error.utf8), Data("unknown command; expected REPLAY, STATUS or SNAPSHOT".utf8)]]
        }
    }
}
