import Contracts
import Deals
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Messaging
import ServiceKit
import Storage
import TestSupport

/// A running pacer-deals on a free port with its own database, and tokens for each role.
final class DealsHarness: @unchecked Sendable {
    let dir: TemporaryDirectory
    let app: PacerApplication
    let task: Task<Void, any Error>
    let port: Int
    var tokens: [String: String] = [:]

    static func start(dir: TemporaryDirectory? = nil, overdueInterval: Duration = .seconds(30)) async throws -> DealsHarness {
        let dir = try dir ?? TemporaryDirectory("deals")
        var options = try ServiceOptions.parse(["--database", dir.file("deals.sqlite"), "--http-port", "0",
                                                "--bus-publish", "tcp://127.0.0.1:*", "--bus-replay", "tcp://127.0.0.1:*"])
        options.instance = "deals"
        let settings = try ServiceSettings.resolve(options, defaults: .deals, environment: [:])
        let app = try buildApplication(DealsService.definition(overdueInterval: overdueInterval), settings: settings,
                                       logger: testLogger("deals"), gracefulShutdownSignals: [])
        let task = Task { try await app.run() }
        let port = await app.httpPort.value
        let harness = DealsHarness(dir: dir, app: app, task: task, port: port)
        try await harness.setUpUsers()
        return harness
    }

    private init(dir: TemporaryDirectory, app: PacerApplication, task: Task<Void, any Error>, port: Int) {
        self.dir = dir; self.app = app; self.task = task; self.port = port
    }

    var database: DatabasePool { app.context.database }

    /// admin, head (manager record "h"), managers "m1" and "m2", an integration.
    func setUpUsers() async throws {
        tokens = try await database.write { db in
            var tokens: [String: String] = [:]
            for (id, role, manager) in [("admin", Role.admin, nil), ("head", .head, "h"), ("anna", .manager, "m1"),
                                        ("boris", .manager, "m2"), ("pbx", .telephony, nil)] as [(String, Role, String?)] {
                try TokenStore.addUser(id: id, name: id, role: role, managerId: manager, db)
                tokens[id] = try TokenStore.issue(userId: id, db)
            }
            return tokens
        }
    }

    func stop() async {
        await app.triggerGracefulShutdown()
        _ = try? await task.value
    }

    struct Reply {
        var status: Int
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    @discardableResult
    func call(_ method: String, _ path: String, as user: String? = "admin", json: Any? = nil, raw: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let user { request.setValue("Bearer \(tokens[user] ?? user)", forHTTPHeaderField: "Authorization") }
        if let json { request.httpBody = try JSONSerialization.data(withJSONObject: json) }
        if let raw { request.httpBody = Data(raw.utf8) }
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as! HTTPURLResponse).statusCode, body: data)
    }

    /// The events in the outbox, in order: (type, payload as a dictionary).
    func events(after seq: Int64 = 0) async throws -> [(String, [String: Any])] {
        let rows = try await database.read { try OutboxStore.fetch($0, stream: StreamName.deals, afterSeq: seq, limit: 10_000) }
        return rows.map { row in
            let envelope = try! JSONSerialization.jsonObject(with: row.body) as! [String: Any]
            return (row.type, envelope["payload"] as! [String: Any])
        }
    }

    func head() async throws -> Int64 {
        try await database.read { try OutboxStore.head($0, stream: StreamName.deals) }
    }

    /// Managers m1 and m2 and head h, a client of m1, and a deal of m1 in stage `new`.
    func seed() async throws -> (clientId: String, dealId: String) {
        try await call("POST", "/managers", json: ["id": "h", "name": "Ольга", "role": "head"])
        try await call("POST", "/managers", json: ["id": "m1", "name": "Анна", "extensions": ["101"], "phones": ["8 (916) 123-45-67"], "regions": ["Москва"]])
        try await call("POST", "/managers", json: ["id": "m2", "name": "Борис", "extensions": ["102"]])
        let client = try await call("POST", "/clients", json: ["name": "ООО «Ромашка»", "inn": "7707083893", "managerId": "m1",
                                                                  "phones": ["+7 495 123-45-67"], "segment": "smb", "region": "Москва"])
        let clientId = client.json["id"] as! String
        let deal = try await call("POST", "/deals", as: "anna", json: ["title": "Поставка", "clientId": clientId,
                                                                           "amount": ["kopecks": 150_000_00, "currency": "RUB"], "category": "equipment"])
        return (clientId, deal.json["dealId"] as! String)
    }
}
