import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Messaging
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("A composed service over real HTTP and real sockets")
struct ApplicationTests {
    static func get(_ url: String, token: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test("health is ready, metrics count consumed events, and shutdown is graceful")
    func healthAndMetrics() async throws {
        let dir = try TemporaryDirectory("app")
        defer { dir.remove() }
        let publisher = try await TestPublisher.start(path: dir.file("pub.sqlite"), instance: "bench-pub")
        var options = try ServiceOptions.parse([
            "--database", dir.file("kpi.sqlite"), "--http-port", "0",
            "--bus-publish", "tcp://127.0.0.1:*", "--bus-replay", "tcp://127.0.0.1:*",
            "--bus-source", "\(publisher.publishEndpoint),\(publisher.replayEndpoint)",
        ])
        options.instance = "kpi-test"
        var settings = try ServiceSettings.resolve(options, defaults: .kpi, environment: [:])
        settings.consumes = [StreamName.bench]
        let definition = ServiceDefinition(
            defaults: .kpi, publishes: [StreamName.kpi], migrations: CounterModel.migrations,
            handler: { _ in CounterModel.Handler() })
        let app = try await buildApplication(definition, settings: settings, logger: testLogger("app"), gracefulShutdownSignals: [])
        let running = Task { try await app.run() }
        let port = await app.httpPort.value
        try await publisher.publish(300)
        let expected = CounterModel.expectedTotals(counts: [300])
        #expect(try await eventually { try await app.context.database.read { try CounterModel.totals($0) } == expected })

        let (status, body) = try await Self.get("http://127.0.0.1:\(port)/health")
        #expect(status == 200)
        let health = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
        #expect(health["status"] as? String == "ready")
        #expect(health["instance"] as? String == "kpi-test")
        let consuming = health["consuming"] as! [[String: Any]]
        #expect(consuming.count == 1)
        #expect(consuming.first?["applied"] as? Int == 300)
        #expect(consuming.first?["lag"] as? Int == 0)

        let (metricsStatus, metrics) = try await Self.get("http://127.0.0.1:\(port)/metrics")
        #expect(metricsStatus == 200)
        let consumedLine = metrics.split(separator: "\n").first { $0.hasPrefix("pacer_bus_events_consumed_total{stream=\"bench\"}") }
        #expect(consumedLine.map { $0.split(separator: " ").last.map(String.init) } == "300")

        #expect(try await Self.get("http://127.0.0.1:\(port)/bus/dead-letters").0 == 401)
        let token = try await app.context.database.write { db in
            try TokenStore.addUser(id: "ops", name: "ops", role: .admin, managerId: nil, db)
            return try TokenStore.issue(userId: "ops", db)
        }
        let (lettersStatus, letters) = try await Self.get("http://127.0.0.1:\(port)/bus/dead-letters", token: token)
        #expect(lettersStatus == 200)
        #expect(letters == "[]")

        await app.triggerGracefulShutdown()
        try await running.value
        await publisher.stop()
    }
}
