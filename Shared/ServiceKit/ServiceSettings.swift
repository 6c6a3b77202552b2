import Foundation
import Logging
import Messaging
import ZeroMQ

/// A service's settings, resolved: flag, then `PACER_*` environment variable, then config file,
/// then the service's default.
public struct ServiceSettings: Sendable {
    public var service: String
    public var instance: String
    public var databasePath: String
    public var httpHost: String
    public var httpPort: Int
    public var busPublish: String
    public var busReplay: String
    public var sources: [BusSource]
    public var consumes: [String]
    public var timeZone: TimeZone
    public var logLevel: Logger.Level
    public var jsonLogs: Bool
    public var outboxRetentionDays: Int
    /// This service's CURVE key pair when the bus is encrypted.
    public var busKeys: CurveKeyPair?
    /// Client keys allowed to connect (a ZAP allow-list); nil lets any client that knows our key in.
    public var busAllowedKeys: Set<String>?
    /// PUB's and SUB's queue per peer.
    public var busHighWaterMark: Int32 = 1_000_000

    public struct Invalid: Error, CustomStringConvertible {
        public var setting: String
        public var message: String
        public var description: String { "setting \(setting): \(message)" }
        public init(setting: String, message: String) { self.setting = setting; self.message = message }
    }

    public static func resolve(_ options: ServiceOptions, defaults: ServiceDefaults,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceSettings {
        func env(_ key: String) -> String? { environment["PACER_" + key.uppercased().replacingOccurrences(of: "-", with: "_")] }
        let file = try (options.config ?? env("config")).map { try ConfigFile(contentsOf: $0) } ?? ConfigFile()
        func pick(_ flag: String?, _ key: String) -> String? { flag ?? env(key) ?? file[key] }
        func int(_ flag: Int?, _ key: String, _ fallback: Int) throws -> Int {
            if let flag { return flag }
            guard let text = env(key) ?? file[key] else { return fallback }
            guard let value = Int(text) else { throw Invalid(setting: key, message: "`\(text)` is not a whole number") }
            return value
        }

        let dataDir = pick(options.dataDir, "data-dir") ?? "./data"
        let instance = pick(options.instance, "instance") ?? defaults.name
        guard instance.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }), !instance.isEmpty else {
            throw Invalid(setting: "instance", message: "only letters, digits and - _ . : are allowed")
        }
        var sourceTexts = options.busSource
        if sourceTexts.isEmpty, let text = env("bus-source") { sourceTexts = text.split(separator: ";").map(String.init) }
        if sourceTexts.isEmpty { sourceTexts = file.values["bus-source"] ?? [] }
        var sources = try sourceTexts.map { text in
            guard let source = BusSource(parsing: text) else {
                throw Invalid(setting: "bus-source", message: "`\(text)` is not `<pub endpoint>,<replay endpoint>`")
            }
            return source
        }
        if sourceTexts.isEmpty {
            sources = defaults.consumes.compactMap(ServiceDefaults.named).map {
                BusSource(publishEndpoint: "tcp://127.0.0.1:\($0.publishPort)", replayEndpoint: "tcp://127.0.0.1:\($0.replayPort)")
            }
        }
        let zoneName = pick(options.timeZone, "time-zone") ?? "Europe/Moscow"
        guard let zone = TimeZone(identifier: zoneName) else { throw Invalid(setting: "time-zone", message: "unknown zone `\(zoneName)`") }
        let levelName = pick(options.logLevel, "log-level") ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else { throw Invalid(setting: "log-level", message: "unknown level `\(levelName)`") }
        let format = pick(options.logFormat, "log-format") ?? "text"
        guard format == "text" || format == "json" else { throw Invalid(setting: "log-format", message: "expected text or json") }
        let port = try int(options.httpPort, "http-port", defaults.httpPort)
        guard (0...65535).contains(port) else { throw Invalid(setting: "http-port", message: "\(port) is not a port") }
        let retention = try int(options.outboxRetentionDays, "outbox-retention-days", 7)
        guard retention >= 1 else { throw Invalid(setting: "outbox-retention-days", message: "must be at least 1") }
        let highWaterMark = try int(options.busHighWaterMark, "bus-high-water-mark", 1_000_000)
        guard (1...100_000_000).contains(highWaterMark) else { throw Invalid(setting: "bus-high-water-mark", message: "must be 1…100000000") }

        var keys: CurveKeyPair?
        if let file = pick(options.busSecretKeyFile, "bus-secret-key-file") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Invalid(setting: "bus-secret-key-file", message: "cannot read \(file)")
            }
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard secret.count == 40, let publicKey = try? CurveKeyPair.publicKey(forSecret: secret) else {
                throw Invalid(setting: "bus-secret-key-file", message: "\(file) does not hold a Z85 CURVE secret key")
            }
            keys = CurveKeyPair(publicKey: publicKey, secretKey: secret)
        }

        var allowed: Set<String>?
        if let file = pick(options.busAllowedKeysFile, "bus-allowed-keys-file") {
            guard keys != nil else { throw Invalid(setting: "bus-allowed-keys-file", message: "needs bus-secret-key-file") }
            do { allowed = try ZAPHandler.keys(fromFile: file) } catch {
                throw Invalid(setting: "bus-allowed-keys-file", message: error.localizedDescription)
            }
        }

        return ServiceSettings(
            service: defaults.name,
            instance: instance,
            databasePath: pick(options.database, "database") ?? "\(dataDir)/\(instance).sqlite",
            httpHost: pick(options.httpHost, "http-host") ?? "127.0.0.1",
            httpPort: port,
            busPublish: pick(options.busPublish, "bus-publish") ?? "tcp://127.0.0.1:\(defaults.publishPort)",
            busReplay: pick(options.busReplay, "bus-replay") ?? "tcp://127.0.0.1:\(defaults.replayPort)",
            sources: sources,
            consumes: defaults.consumes,
            timeZone: zone,
            logLevel: level,
            jsonLogs: format == "json",
            outboxRetentionDays: retention,
            busKeys: keys,
            busAllowedKeys: allowed,
            busHighWaterMark: Int32(highWaterMark)
        )
    }
}
