import ArgumentParser
import Foundation
import NIOHTTP1

/// `pacer-demo`: loads a realistic month into running services through their APIs.
@main
struct PacerDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-demo",
        abstract: "Play a month of a 20-manager sales department into running Pacer services through their public interfaces.")

    @Option(help: "Where the services keep their data; admin tokens are read from <data-dir>/<service>-admin.token.")
    var dataDir = "./data"
    @Option(help: "pacer-deals URL.") var deals = "http://127.0.0.1:8081"
    @Option(help: "pacer-telephony URL.") var telephony = "http://127.0.0.1:8082"
    @Option(help: "pacer-accounting URL.") var accounting = "http://127.0.0.1:8083"
    @Option(help: "pacer-kpi URL (the dashboard).") var kpi = "http://127.0.0.1:8084"
    @Option(help: "pacer-notifications URL.") var notifications = "http://127.0.0.1:8085"
    @Option(help: "Days of history.") var days = 30
    @Option(help: "Seed of the department and its month.") var seed: UInt64 = 2026
    @Option(help: "The company's time zone.") var timeZone = "Europe/Moscow"

    func run() async throws {
        guard let zone = TimeZone(identifier: timeZone) else { throw ValidationError("unknown time zone \(timeZone)") }
        func client(_ name: String, _ url: String) async throws -> DemoClient {
            let file = (dataDir as NSString).appendingPathComponent("\(name)-admin.token")
            // A service writes its first admin token as it starts: give it the time to.
            for _ in 0..<600 where !FileManager.default.fileExists(atPath: file) { try await Task.sleep(for: .milliseconds(200)) }
            guard let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
                throw ValidationError("no admin token in \(file): start the services on an empty data folder first")
            }
            return DemoClient(name: "pacer-\(name)", baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, token: token)
        }
        let services = [try await client("deals", deals), try await client("telephony", telephony), try await client("accounting", accounting),
                        try await client("kpi", kpi), try await client("notifications", notifications)]
        for service in services { _ = try await service.waitHealthy(timeout: .seconds(120)) }
        let managers = try await services[0].send(.GET, "/managers").json as? [Any] ?? []
        let loginsFile = (dataDir as NSString).appendingPathComponent("demo-logins.txt")
        guard managers.isEmpty else {
            print("pacer-demo: the department is already there (\(managers.count) managers); logins: \(loginsFile)")
            return
        }
        let started = Date()
        var simulator = DemoSimulator(deals: services[0], telephony: services[1], accounting: services[2], kpi: services[3],
                                      notifications: services[4], days: days, zone: zone, random: DemoRandom(state: seed),
                                      log: { print("pacer-demo: \($0)") })
        let logins = try await simulator.run()
        var text = "# Pacer demo logins: paste a token on \(kpi)/login (the same token works on every service's API)\n"
        for login in logins { text += "\(login.role)\t\(login.id)\t\(login.name)\t\(login.token)\n" }
        FileManager.default.createFile(atPath: loginsFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        let head = logins.first { $0.role == "head" }!, manager = logins.first { $0.role == "manager" }!
        print("""

        pacer-demo: a month loaded in \(Int(Date().timeIntervalSince(started))) s.
          Dashboard:  \(kpi)/
          Head:       \(head.name) — token \(head.token)
          Manager:    \(manager.name) — token \(manager.token)
          All logins: \(loginsFile)
        """)
    }
}

