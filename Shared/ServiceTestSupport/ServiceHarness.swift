import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Messaging
import ServiceKit
import Storage
import TestSupport

/// A real service on free ports with its own database, tokens for each role, and an HTTP client:
/// what the service tests drive. Users: admin, head (manager record `h`), anna (`m1`), boris (`m2`),
/// pbx (integration:telephony), onec (integration:accounting).
public final class ServiceHarness: @unchecked Sendable {
    public let dir: TemporaryDirectory
    public let app: PacerApplication
    public let port: Int
    public let tokens: [String: String]
    private let task: Task<Void, any Error>

    public static func start(_ definition: ServiceDefinition, defaults: ServiceDefaults, dir: TemporaryDirectory? = nil,
                             name: String? = nil, sources: [BusSource] = [], consumes: [String]? = nil) async throws -> ServiceHarness {
        let dir = try dir ?? TemporaryDirectory(defaults.name)
        let instance = name ?? defaults.name
        var arguments = ["--database", dir.file("\(instance).sqlite"), "--http-port", "0",
                         "--bus-publish", "tcp://127.0.0.1:*", "--bus-replay", "tcp://127.0.0.1:*", "--instance", instance]
        for source in sources { arguments += ["--bus-source", source.description] }
        var settings = try ServiceSettings.resolve(try ServiceOptions.parse(arguments), defaults: defaults, environment: [:])
        if sources.isEmpty { settings.sources = [] }
        if let consumes { settings.consumes = consumes }
        let app = try await buildApplication(definition, settings: settings, logger: testLogger(instance), gracefulShutdownSignals: [])
        let task = Task { try await app.run() }
        let port = await app.httpPort.value
        let tokens = try await app.context.database.write { db in
            var tokens: [String: String] = [:]
            let users: [(String, Role, String?)] = [("admin", .admin, nil), ("head", .head, "h"), ("anna", .manager, "m1"),
                                                    ("boris", .manager, "m2"), ("pbx", .telephony, nil), ("onec", .accounting, nil)]
            for (id, role, manager) in users {
                try TokenStore.addUser(id: id, name: id, role: role, managerId: manager, db)
                tokens[id] = try TokenStore.issue(userId: id, db)
            }
            return tokens
        }
        return ServiceHarness(dir: dir, app: app, task: task, port: port, tokens: tokens)
    }

    private init(dir: TemporaryDirectory, app: PacerApplication, task: Task<Void, any Error>, port: Int, tokens: [String: String]) {
        self.dir = dir; self.app = app; self.task = task; self.port = port; self.tokens = tokens
    }

    public var database: DatabasePool { app.context.database }

    /// This service as a bus source for another.
    public var source: BusSource {
        get async { BusSource(publishEndpoint: await app.relay.boundEndpoint.value, replayEndpoint: await app.replay.boundEndpoint.value) }
    }

    public func stop() async {
        await app.triggerGracefulShutdown()
        _ = try? await task.value
    }

    public struct Reply: Sendable {
        public var status: Int
        public var body: Data
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        public var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One HTTP request; `as` names a user (its token) or is a raw token; nil sends none.
    @discardableResult
    public func call(_ method: String, _ path: String, as user: String? = "admin", json: Any? = nil, raw: String? = nil,
                     contentType: String = "application/json", headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let user { request.setValue("Bearer \(tokens[user] ?? user)", forHTTPHeaderField: "Authorization") }
        if let json { request.httpBody = try JSONSerialization.data(withJSONObject: json) }
        if let raw { request.httpBody = Data(raw.utf8) }
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as! HTTPURLResponse).statusCode, body: data)
    }

    /// The events of a stream in this service's outbox, in order: (type, payload).
    public func events(_ stream: String, after seq: Int64 = 0) async throws -> [(String, [String: Any])] {
        let rows = try await database.read { try OutboxStore.fetch($0, stream: stream, afterSeq: seq, limit: 100_000) }
        return rows.map { row in
            let envelope = try! JSONSerialization.jsonObject(with: row.body) as! [String: Any]
            return (row.type, envelope["payload"] as! [String: Any])
        }
    }

    public func head(_ stream: String) async throws -> Int64 {
        try await database.read { try OutboxStore.head($0, stream: stream) }
    }
}
