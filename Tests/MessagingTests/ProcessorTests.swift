import Contracts
import Foundation
import GRDB
@testable import Messaging
import Storage
import Testing
import TestSupport

@Suite("Subscriber decisions, message by message")
struct ProcessorTests {
    func frames(seq: Int64, eventId: String, kopecks: Int64, epoch: String = "e1") throws -> [[UInt8]] {
        let payload = try EventCodec.makeEncoder().encode(CounterIncremented(counter: "x", amount: Money(kopecks: kopecks), note: ""))
        let body = EnvelopeWriter.write(eventId: eventId, type: CounterIncremented.eventType.rawValue, schemaVersion: 1,
                                        source: EventSource(service: "test", instance: "p"), stream: "bench", seq: seq,
                                        occurredAt: Date(timeIntervalSince1970: 0), correlationId: nil, payload: payload)
        let header = WireHeader(publisher: "p", epoch: epoch, stream: "bench", seq: seq, eventId: eventId, type: CounterIncremented.eventType.rawValue)
        return [Array("bench/counter.incremented".utf8), Array(header.encoded()), Array(body)]
    }

    func makeProcessor(handler: some EventHandler = CounterModel.Handler()) -> StreamSubscriber.Processor {
        StreamSubscriber.Processor(configuration: .init(sources: [BusSource(publishEndpoint: "tcp://x:1", replayEndpoint: "tcp://x:2")], streams: ["bench"]),
                                   handler: handler, metrics: BusMetrics(), logger: testLogger("t"), cursors: [], alarms: [])
    }

    @Test("a duplicate delivery, by sequence or by event id, changes nothing")
    func duplicates() async throws {
        let dir = try TemporaryDirectory("processor")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"), migrations: CounterModel.migrations)
        let processor = makeProcessor()
        let one = try frames(seq: 1, eventId: "ev-1", kopecks: 500)
        let two = try frames(seq: 2, eventId: "ev-2", kopecks: 700)
        let batch: [StreamSubscriber.Inbound] = [one, one, two, one, two].map { .frames(source: 0, frames: $0, viaReplay: false) }
        try await db.write { try processor.process(batch, $0) }
        processor.committed()
        // The same event id again under a new sequence number (a republished event): the inbox drops it.
        var again = try frames(seq: 3, eventId: "ev-1", kopecks: 500)
        again[0] = Array("EVENT".utf8)      // as a replay reply frames it
        let replayed: [StreamSubscriber.Inbound] = [.frames(source: 0, frames: again, viaReplay: true)]
        try await db.write { try processor.process(replayed, $0) }
        let totals = try await db.read { try CounterModel.totals($0) }
        #expect(totals == ["x": .init(events: 2, kopecks: 1_200)])
        #expect(try await db.read { try InboxStore.appliedCount($0) } == 2)
        let cursors = try await db.read { try InboxStore.cursors($0) }
        #expect(cursors == [StreamCursor(publisher: "p", stream: "bench", epoch: "e1", lastSeq: 3)])
    }

    @Test("a gap is not applied and asks for a replay from the first missing sequence")
    func gap() async throws {
        let dir = try TemporaryDirectory("processor-gap")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"), migrations: CounterModel.migrations)
        let processor = makeProcessor()
        let batch: [StreamSubscriber.Inbound] = [
            .frames(source: 0, frames: try frames(seq: 1, eventId: "a", kopecks: 1), viaReplay: false),
            .frames(source: 0, frames: try frames(seq: 4, eventId: "d", kopecks: 1), viaReplay: false),
        ]
        try await db.write { try processor.process(batch, $0) }
        #expect(processor.takeRequests().map(\.frames) == [["REPLAY", "bench", "2", "2000"]])
        #expect(try await db.read { try InboxStore.appliedCount($0) } == 1)
    }

    @Test("a batch's events are announced to the handler before the first is applied: live and replayed, not heartbeats, replies or garbage")
    func announced() async throws {
        final class Recording: EventHandler, @unchecked Sendable {
            let lock = NSLock()
            var announced: [[Int64]] = []
            var applied: [Int64] = []
            var previewsBatches: Bool { true }
            func willApply(_ events: [ReceivedEvent]) {
                lock.withLock {
                    #expect(applied.isEmpty)
                    announced.append(events.map(\.header.seq))
                }
            }
            func apply(_ event: ReceivedEvent, in db: Database) throws { lock.withLock { applied.append(event.header.seq) } }
        }
        let dir = try TemporaryDirectory("processor-announce")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"), migrations: CounterModel.migrations)
        let handler = Recording()
        let processor = makeProcessor(handler: handler)
        var replayed = try frames(seq: 2, eventId: "b", kopecks: 1)
        replayed[0] = Array("EVENT".utf8)
        let heartbeat = [Array("bench/".utf8), Array(WireHeader(publisher: "p", epoch: "e1", stream: "bench", seq: 2, eventId: "-",
                                                                type: WireHeader.heartbeatType).encoded()), []]
        let batch: [StreamSubscriber.Inbound] = [
            .frames(source: 0, frames: try frames(seq: 1, eventId: "a", kopecks: 1), viaReplay: false),
            .frames(source: 0, frames: replayed, viaReplay: true),
            .frames(source: 0, frames: [Array("END".utf8), Array("p".utf8), Array("e1".utf8), Array("bench".utf8), Array("2".utf8)], viaReplay: true),
            .frames(source: 0, frames: heartbeat, viaReplay: false),
            .frames(source: 0, frames: [Array("bench/x".utf8), Array("garbage".utf8), []], viaReplay: false),
            .frames(source: 0, frames: try frames(seq: 1, eventId: "a", kopecks: 1), viaReplay: false),
            .tick,
        ]
        try await db.write { try processor.process(batch, $0) }
        #expect(handler.announced == [[1, 2, 1]])
        #expect(handler.applied == [1, 2])
    }

    @Test("a handler that does not preview batches is not told of them")
    func notAnnounced() async throws {
        final class Quiet: EventHandler, @unchecked Sendable {
            let lock = NSLock()
            var told = 0
            func willApply(_ events: [ReceivedEvent]) { lock.withLock { told += 1 } }
            func apply(_ event: ReceivedEvent, in db: Database) throws {}
        }
        let dir = try TemporaryDirectory("processor-quiet")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"), migrations: CounterModel.migrations)
        let handler = Quiet()
        let processor = makeProcessor(handler: handler)
        let batch: [StreamSubscriber.Inbound] = [.frames(source: 0, frames: try frames(seq: 1, eventId: "a", kopecks: 1), viaReplay: false)]
        try await db.write { try processor.process(batch, $0) }
        #expect(handler.told == 0)
        #expect(try await db.read { try InboxStore.appliedCount($0) } == 1)
    }

    @Test("an unparsable header is dead-lettered")
    func badHeader() async throws {
        let dir = try TemporaryDirectory("processor-bad")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"), migrations: CounterModel.migrations)
        let processor = makeProcessor()
        let batch: [StreamSubscriber.Inbound] = [.frames(source: 0, frames: [Array("bench/x".utf8), Array("garbage".utf8), []], viaReplay: false)]
        try await db.write { try processor.process(batch, $0) }
        let letters = try await db.read { try InboxStore.deadLetters($0) }
        #expect(letters.map(\.reason) == ["unparsable header"])
    }
}

@Suite("A handler that publishes")
struct PublishingHandlerTests {
    struct Echo: EventHandler {
        let outbox: OutboxStore
        func apply(_ event: ReceivedEvent, in db: Database) throws {
            let envelope = try event.decode(CounterIncremented.self)
            try outbox.append(envelope.payload, stream: "echo", in: db)
            if envelope.payload.amount.kopecks == 500 { throw CocoaError(.coderInvalidValue) }
        }
    }

    @Test("a failed event's own appends are forgotten with its savepoint, in SQLite and in the relay's hand-over")
    func savepointForgetsAppends() async throws {
        let dir = try TemporaryDirectory("processor-echo")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite"), migrations: CounterModel.migrations)
        let outbox = OutboxStore(source: EventSource(service: "echo", instance: "echo"))
        var configuration = StreamSubscriber.Configuration(sources: [BusSource(publishEndpoint: "tcp://x:1", replayEndpoint: "tcp://x:2")], streams: ["bench"])
        configuration.outbox = outbox
        let processor = StreamSubscriber.Processor(configuration: configuration, handler: Echo(outbox: outbox), metrics: BusMetrics(),
                                                   logger: testLogger("t"), cursors: [], alarms: [])
        let probe = ProcessorTests()
        let batch: [StreamSubscriber.Inbound] = [
            .frames(source: 0, frames: try probe.frames(seq: 1, eventId: "a", kopecks: 500), viaReplay: false),
            .frames(source: 0, frames: try probe.frames(seq: 2, eventId: "b", kopecks: 700), viaReplay: false),
        ]
        try await db.write { try processor.process(batch, $0, savepoints: true) }
        let handedOver = outbox.signal.takeCommitted().records
        #expect(handedOver.map(\.seq) == [1])
        let stored = try await db.read { try OutboxStore.fetch($0, stream: "echo", afterSeq: 0, limit: 10) }
        #expect(stored.map(\.seq) == [1])
        #expect(stored.first?.body == handedOver.first?.body)
        let body = String(decoding: stored.first?.body ?? Data(), as: UTF8.self)
        #expect(body.contains("\"kopecks\":700"))
        #expect(try await db.read { try InboxStore.deadLetters($0) }.map(\.eventId) == ["a"])
    }
}

@Suite("A handler that sums a batch in memory")
struct BatchingHandlerTests {
    /// Sums amounts per counter in memory and writes them when the batch ends; an amount of 500
    /// fails after it was added, as a handler may fail half-way through an event.
    final class Summing: EventHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var batch: [String: Int64] = [:]
        private var event: [String: Int64] = [:]
        private(set) var finished = 0
        private(set) var discarded = 0

        func apply(_ event: ReceivedEvent, in db: Database) throws {
            let payload = try event.decode(CounterIncremented.self).payload
            lock.withLock { self.event[payload.counter, default: 0] += payload.amount.kopecks }
            if payload.amount.kopecks == 500 {
                lock.withLock { self.event.removeAll() }
                throw CocoaError(.coderInvalidValue)
            }
            lock.withLock {
                for (counter, value) in self.event { batch[counter, default: 0] += value }
                self.event.removeAll()
            }
        }

        func finishBatch(in db: Database) throws {
            let sums = lock.withLock { defer { batch.removeAll() }; return batch }
            for (counter, value) in sums {
                try db.execute(sql: "INSERT INTO sums(counter, kopecks) VALUES (?, ?) ON CONFLICT(counter) DO UPDATE SET kopecks = kopecks + excluded.kopecks",
                               arguments: [counter, value])
            }
            lock.withLock { finished += 1 }
        }

        func discardBatch() { lock.withLock { batch.removeAll(); discarded += 1 } }
    }

    @Test("sums of a batch rolled back for savepoints are forgotten; the redone batch writes each applied event once, the failed one not at all")
    func redoneBatch() async throws {
        let dir = try TemporaryDirectory("processor-sums")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite")) { migrator in
            CounterModel.migrations(&migrator)
            migrator.registerMigration("sums") { try $0.execute(sql: "CREATE TABLE sums(counter TEXT PRIMARY KEY, kopecks INTEGER NOT NULL)") }
        }
        let handler = Summing()
        let processor = StreamSubscriber.Processor(configuration: .init(sources: [BusSource(publishEndpoint: "tcp://x:1", replayEndpoint: "tcp://x:2")],
                                                                        streams: ["bench"]),
                                                   handler: handler, metrics: BusMetrics(), logger: testLogger("t"), cursors: [], alarms: [])
        let probe = ProcessorTests()
        let batch: [StreamSubscriber.Inbound] = try [(1, "a", 700), (2, "b", 500), (3, "c", 40)].map {
            .frames(source: 0, frames: try probe.frames(seq: $0.0, eventId: $0.1, kopecks: $0.2), viaReplay: false)
        }
        // As the subscriber applies a batch: fast, and on a failing event again with savepoints.
        let saved = processor.state
        do {
            try await db.write { try processor.process(batch, $0, savepoints: false) }
            Issue.record("the failing event should have sent the batch to the savepoint path")
        } catch is StreamSubscriber.Processor.NeedsSavepoints {
            processor.restore(saved)
            try await db.write { try processor.process(batch, $0, savepoints: true) }
        }
        #expect(handler.discarded == 1)
        #expect(handler.finished == 1)
        #expect(try await db.read { try Row.fetchAll($0, sql: "SELECT counter, kopecks FROM sums") }.map { "\($0["counter"] as String)=\($0["kopecks"] as Int64)" }
                == ["x=740"])
        #expect(try await db.read { try InboxStore.deadLetters($0) }.map(\.eventId) == ["b"])
    }
}
