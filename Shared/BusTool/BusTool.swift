import ArgumentParser
import Contracts
import Foundation
import Logging
import Messaging
import ServiceLifecycle
import Storage
import TestSupport
import ZeroMQ

/// `pacer-bus`: the operator's view of the bus — key pairs, a publisher's status, a stream's events
/// — and a demo publisher for trying the wire format from another language.
@main
struct BusTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-bus",
        abstract: "Inspect and try out the Pacer event bus.",
        subcommands: [Keygen.self, Status.self, Tail.self, DemoPublisher.self])
}

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write CURVE key pairs: <name>.key (secret, mode 0600) and <name>.pub, one per name; with --allowed, also the allow-list of every .pub in the folder.")

    @Option(help: "Folder for the key files.") var out: String
    @Flag(help: "Keep a name's pair if its files exist (for an init container that runs on every start).") var keepExisting = false
    @Option(help: "Also write this file (in --out) listing every public key there, for --bus-allowed-keys-file.") var allowed: String?
    @Argument(help: "Key names, e.g. the services' instance ids.") var names: [String]

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for name in names {
            let secret = "\(out)/\(name).key", pub = "\(out)/\(name).pub"
            if keepExisting, FileManager.default.fileExists(atPath: secret), FileManager.default.fileExists(atPath: pub) {
                print("\(pub): kept")
                continue
            }
            let pair = try CurveKeyPair.generate()
            guard FileManager.default.createFile(atPath: secret, contents: Data((pair.secretKey + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("cannot write \(secret)")
            }
            try (pair.publicKey + "\n").write(toFile: pub, atomically: true, encoding: .utf8)
            print("\(pub): \(pair.publicKey)")
        }
        if let allowed {
            let keys = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".pub") }.sorted().map {
                try String(contentsOfFile: "\(out)/\($0)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            try (keys.joined(separator: "\n") + "\n").write(toFile: "\(out)/\(allowed)", atomically: true, encoding: .utf8)
            print("\(out)/\(allowed): \(keys.count) keys")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask a publisher's replay endpoint for its id, epoch and stream heads.")

    @Argument(help: "Replay endpoint, e.g. tcp://127.0.0.1:5561.") var replay: String
    @Option(help: "Seconds to wait for the answer.") var timeout: Int = 3

    func run() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try dealer.connect(replay)
        try dealer.send([Array(ReplayProtocol.status.utf8)], dontWait: false)
        var poller = ZMQPoller()
        poller.add(.socket(dealer))
        guard try !poller.poll(timeoutMilliseconds: timeout * 1000).isEmpty, let reply = try dealer.receive(), reply.count == 2 else {
            throw ValidationError("no answer from \(replay) within \(timeout) s")
        }
        print(String(decoding: reply[1], as: UTF8.self))
    }
}

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a stream's events as JSON lines: replayed from a sequence, then live.")

    @Option(help: "Publisher PUB endpoint.") var publish: String
    @Option(help: "Publisher replay endpoint.") var replay: String
    @Option(help: "Stream name.") var stream: String
    @Option(help: "First sequence to replay (0: live only).") var from: Int64 = 0
    @Option(help: "Stop after this many events (0: run until interrupted).") var count: Int = 0

    func run() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let sub = try ZMQSocket(context: context, type: .sub)
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { sub.close(); dealer.close() }
        try sub.subscribe("\(stream)/")
        try sub.connect(publish)
        try dealer.connect(replay)
        var next = from
        var printed = 0
        if from > 0 {
            try dealer.send(["REPLAY", stream, "\(from)", "\(ReplayProtocol.maxPage)"].map { Array($0.utf8) }, dontWait: false)
        }
        var poller = ZMQPoller()
        poller.add(.socket(sub))
        poller.add(.socket(dealer))
        while count == 0 || printed < count {
            for index in try poller.poll(timeoutMilliseconds: 1000) {
                let socket = index == 0 ? sub : dealer
                while let frames = try socket.receive() {
                    guard frames.count >= 3 || frames.first == Array("END".utf8) else { continue }
                    if frames.first == Array("END".utf8) {
                        if let head = Int64(String(decoding: frames[4], as: UTF8.self)), head >= next, next > 0 {
                            try dealer.send(["REPLAY", stream, "\(next)", "\(ReplayProtocol.maxPage)"].map { Array($0.utf8) }, dontWait: false)
                        }
                        continue
                    }
                    guard let header = WireHeader(parsing: frames[1]), !header.isHeartbeat else { continue }
                    if next > 0 && header.seq != next { continue }
                    print(String(decoding: frames[2], as: UTF8.self))
                    next = header.seq + 1
                    printed += 1
                    if count > 0 && printed >= count { return }
                }
            }
        }
    }
}

struct DemoPublisher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-publisher",
        abstract: "Publish counter events on stream `bench` from its own database; prints its endpoints as a JSON line.")

    @Option(help: "SQLite file.") var database: String
    @Option(help: "PUB endpoint to bind.") var publish = "tcp://127.0.0.1:*"
    @Option(help: "Replay endpoint to bind.") var replay = "tcp://127.0.0.1:*"
    @Option(help: "Events to publish after start.") var count = 100
    @Option(help: "Publisher id.") var instance = "demo"

    func run() async throws {
        var logger = Logger(label: "pacer-bus")
        logger.logLevel = .warning
        let database = try PacerDatabase.open(path: self.database, migrations: CounterModel.migrations)
        let outbox = OutboxStore(source: EventSource(service: "demo", instance: instance))
        let loop = try BusLoop()
        defer { loop.shutdown() }
        var relayConfiguration = OutboxRelay.Configuration()
        relayConfiguration.endpoint = publish
        relayConfiguration.streams = [StreamName.bench]
        var replayConfiguration = ReplayServer.Configuration()
        replayConfiguration.endpoint = replay
        let relay = OutboxRelay(loop: loop, database: database, outbox: outbox, configuration: relayConfiguration, logger: logger)
        let replayServer = ReplayServer(loop: loop, database: database, publisher: instance, configuration: replayConfiguration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [replayServer, relay], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let count = self.count
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let endpoints = ["publish": await relay.boundEndpoint.value, "replay": await replayServer.boundEndpoint.value]
                print(String(decoding: try JSONSerialization.data(withJSONObject: endpoints, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
                fflush(nil)
                // Give a subscriber that reads the line above a moment to connect, so part of the
                // events arrives live and the rest through replay.
                try await Task.sleep(for: .milliseconds(300))
                try await CounterModel.publish(count: count, batch: 10, outbox: outbox, database: database, note: "demo")
                print("{\"published\":\(count)}")
                fflush(nil)
            }
            try await tasks.waitForAll()
        }
    }
}
