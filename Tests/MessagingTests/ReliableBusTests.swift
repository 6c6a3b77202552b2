import Contracts
import Foundation
import GRDB
import Messaging
import Storage
import Testing
import TestSupport
import ZeroMQ

@Suite("Reliable bus over real sockets and SQLite files")
struct ReliableBusTests {
    @Test("a subscriber stopped and restarted mid-stream applies every event exactly once")
    func subscriberRestart() async throws {
        let dir = try TemporaryDirectory("bus-restart")
        defer { dir.remove() }
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1")
        var subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source])
        try await publisher.publish(3_000)
        #expect(try await eventually { try await subscriber.applied() >= 1 })
        await subscriber.stop()
        try await publisher.publish(2_000)                       // while the subscriber is down
        subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source])
        try await publisher.publish(1_000)
        let expected = CounterModel.expectedTotals(counts: [3_000, 2_000, 1_000])
        try await subscriber.waitFor(expected)
        #expect(try await subscriber.totals() == expected)
        #expect(try await publisher.totals() == expected)
        #expect(try await subscriber.applied() == 6_000)
        #expect(subscriber.subscriber.status.applied(publisher: "p1", stream: StreamName.bench) == 6_000)
        await subscriber.stop()
        await publisher.stop()
    }

    @Test("a publisher restarted on its database continues its sequence")
    func publisherRestart() async throws {
        let dir = try TemporaryDirectory("bus-pubrestart")
        defer { dir.remove() }
        var publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1")
        let subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source])
        try await publisher.publish(700)
        let firstEndpoints = (publisher.publishEndpoint, publisher.replayEndpoint)
        await publisher.stop()
        publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1",
                                                  publishEndpoint: firstEndpoints.0, replayEndpoint: firstEndpoints.1)
        try await publisher.publish(300)
        let expected = CounterModel.expectedTotals(counts: [700, 300])
        try await subscriber.waitFor(expected)
        #expect(try await subscriber.totals() == expected)
        let heads = try await publisher.database.read { try OutboxStore.heads($0) }
        #expect(heads == [StreamName.bench: 1_000])
        let seqs = try await publisher.database.read { try Int64.fetchAll($0, sql: "SELECT seq FROM outbox ORDER BY seq") }
        #expect(seqs == Array(1...1_000))
        await subscriber.stop()
        await publisher.stop()
    }

    @Test("a burst far past the high-water marks is healed by replay")
    func burstPastHighWaterMark() async throws {
        let dir = try TemporaryDirectory("bus-burst")
        defer { dir.remove() }
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1", sendHighWaterMark: 50)
        let subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source], receiveHighWaterMark: 50)
        try await publisher.publish(20_000, batch: 5_000)
        let expected = CounterModel.expectedTotals(counts: [20_000])
        try await subscriber.waitFor(expected)
        #expect(try await subscriber.totals() == expected)
        #expect(try await subscriber.applied() == 20_000)
        await subscriber.stop()
        await publisher.stop()
    }

    @Test("a garbled event is dead-lettered with its reason and the stream goes on")
    func garbledMessage() async throws {
        let dir = try TemporaryDirectory("bus-garbled")
        defer { dir.remove() }
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1")
        let subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source])
        try await publisher.publish(10)
        let outbox = publisher.outbox
        _ = try await publisher.database.write { db in
            try outbox.appendEncoded(payload: Data("{\"counter\": 12".utf8), type: CounterIncremented.eventType,
                                     schemaVersion: 1, stream: StreamName.bench, eventId: "garbled-1", in: db)
        }
        try await publisher.publish(10)
        let expected = CounterModel.expectedTotals(counts: [10, 10])
        try await subscriber.waitFor(expected)
        #expect(try await eventually { subscriber.subscriber.status.applied(publisher: "p1", stream: StreamName.bench) == 21 })
        let letters = try await subscriber.database.read { try InboxStore.deadLetters($0) }
        #expect(letters.count == 1)
        #expect(letters.first?.eventId == "garbled-1")
        #expect(letters.first?.seq == 11)
        #expect(letters.first?.reason.isEmpty == false)
        #expect(try await subscriber.applied() == 20)
        await subscriber.stop()
        await publisher.stop()
    }

    @Test("two instances of one service publishing at once are both consumed")
    func twoInstances() async throws {
        let dir = try TemporaryDirectory("bus-two")
        defer { dir.remove() }
        let first = try await TestPublisher.start(path: dir.file("a.sqlite"), instance: "telephony-1")
        let second = try await TestPublisher.start(path: dir.file("b.sqlite"), instance: "telephony-2")
        let subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [first.source, second.source])
        async let a: Void = first.publish(2_000)
        async let b: Void = second.publish(1_500)
        _ = try await (a, b)
        let expected = CounterModel.expectedTotals(counts: [2_000, 1_500])
        try await subscriber.waitFor(expected)
        #expect(try await subscriber.totals() == expected)
        let status = subscriber.subscriber.status
        #expect(status.applied(publisher: "telephony-1", stream: StreamName.bench) == 2_000)
        #expect(status.applied(publisher: "telephony-2", stream: StreamName.bench) == 1_500)
        await subscriber.stop()
        await first.stop()
        await second.stop()
    }

    @Test("a subscriber behind the retained outbox is told so and rebuilds from a snapshot")
    func truncatedRebuildsFromSnapshot() async throws {
        let dir = try TemporaryDirectory("bus-snapshot")
        defer { dir.remove() }
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1", snapshots: true)
        try await publisher.publish(1_000)
        let pruned = try await publisher.database.write { try OutboxStore.prune($0, createdBefore: Date().addingTimeInterval(60)) }
        #expect(pruned == 999)
        let subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source])
        try await subscriber.waitFor(CounterModel.expectedTotals(counts: [1_000]))
        try await publisher.publish(10)
        let expected = try await publisher.totals()
        try await subscriber.waitFor(expected)
        #expect(try await subscriber.totals() == expected)
        #expect(subscriber.subscriber.status.applied(publisher: "p1", stream: StreamName.bench) == 1_010)
        await subscriber.stop()
        await publisher.stop()
    }

    @Test("a publisher whose database was recreated stops the stream with an alarm")
    func epochChange() async throws {
        let dir = try TemporaryDirectory("bus-epoch")
        defer { dir.remove() }
        var publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1")
        let subscriber = try await TestSubscriber.start(path: dir.file("sub.sqlite"), sources: [publisher.source])
        try await publisher.publish(50)
        try await subscriber.waitFor(CounterModel.expectedTotals(counts: [50]))
        let endpoints = (publisher.publishEndpoint, publisher.replayEndpoint)
        await publisher.stop()
        publisher = try await TestPublisher.start(path: dir.file("fresh.sqlite"), instance: "p1",
                                                  publishEndpoint: endpoints.0, replayEndpoint: endpoints.1)
        try await publisher.publish(5)
        #expect(try await eventually { !subscriber.subscriber.status.alarms.isEmpty })
        let alarms = try await subscriber.database.read { try InboxStore.alarms($0) }
        #expect(alarms.map(\.kind) == ["epoch_changed"])
        #expect(try await subscriber.totals() == CounterModel.expectedTotals(counts: [50]))
        await subscriber.stop()
        await publisher.stop()
    }
}

@Suite("An encrypted bus (CURVE)")
struct EncryptedBusTests {
    @Test("a subscriber that knows the publisher's key gets every event; one that does not gets none")
    func curve() async throws {
        let dir = try TemporaryDirectory("bus-curve")
        defer { dir.remove() }
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1", curveSecretKey: server.secretKey)
        var encrypted = publisher.source
        encrypted.serverPublicKey = server.publicKey
        let trusted = try await TestSubscriber.start(path: dir.file("trusted.sqlite"), sources: [encrypted], keys: client)
        let plain = try await TestSubscriber.start(path: dir.file("plain.sqlite"), sources: [publisher.source])
        var wrongKey = encrypted
        wrongKey.serverPublicKey = try CurveKeyPair.generate().publicKey
        let impostor = try await TestSubscriber.start(path: dir.file("impostor.sqlite"), sources: [wrongKey], keys: client)
        try await publisher.publish(500)
        let expected = CounterModel.expectedTotals(counts: [500])
        try await trusted.waitFor(expected)
        #expect(try await trusted.totals() == expected)
        try await Task.sleep(for: .seconds(1))
        #expect(try await plain.applied() == 0)
        #expect(try await impostor.applied() == 0)
        await impostor.stop()
        await plain.stop()
        await trusted.stop()
        await publisher.stop()
    }

    @Test("with a ZAP allow-list, a client whose key is not listed receives nothing, even knowing the server key")
    func allowList() async throws {
        let dir = try TemporaryDirectory("bus-zap")
        defer { dir.remove() }
        let server = try CurveKeyPair.generate()
        let listed = try CurveKeyPair.generate()
        let unlisted = try CurveKeyPair.generate()
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "p1", curveSecretKey: server.secretKey,
                                                      allowedClientKeys: [listed.publicKey])
        var source = publisher.source
        source.serverPublicKey = server.publicKey
        let member = try await TestSubscriber.start(path: dir.file("member.sqlite"), sources: [source], keys: listed)
        let stranger = try await TestSubscriber.start(path: dir.file("stranger.sqlite"), sources: [source], keys: unlisted)
        try await publisher.publish(300)
        let expected = CounterModel.expectedTotals(counts: [300])
        try await member.waitFor(expected)
        #expect(try await member.totals() == expected)
        try await Task.sleep(for: .seconds(1))
        #expect(try await stranger.applied() == 0)
        await stranger.stop()
        await member.stop()
        await publisher.stop()
    }
}
