import Foundation
import Messaging
import ServiceKit
import Testing
import ZeroMQ

@Suite("Settings: flag, then environment, then config file, then default")
struct ServiceSettingsTests {
    func options(_ arguments: [String]) throws -> ServiceOptions { try ServiceOptions.parse(arguments) }

    @Test func defaults() throws {
        let settings = try ServiceSettings.resolve(options([]), defaults: .kpi, environment: [:])
        #expect(settings.instance == "kpi")
        #expect(settings.databasePath == "./data/kpi.sqlite")
        #expect(settings.httpPort == 8084)
        #expect(settings.busPublish == "tcp://127.0.0.1:5554")
        #expect(settings.busReplay == "tcp://127.0.0.1:5564")
        #expect(settings.sources == [
            BusSource(publishEndpoint: "tcp://127.0.0.1:5551", replayEndpoint: "tcp://127.0.0.1:5561"),
            BusSource(publishEndpoint: "tcp://127.0.0.1:5552", replayEndpoint: "tcp://127.0.0.1:5562"),
            BusSource(publishEndpoint: "tcp://127.0.0.1:5553", replayEndpoint: "tcp://127.0.0.1:5563"),
        ])
        #expect(settings.timeZone.identifier == "Europe/Moscow")
        #expect(settings.outboxRetentionDays == 7)
        #expect(settings.jsonLogs == false)
    }

    @Test func precedence() throws {
        let dir = NSTemporaryDirectory() + "pacer-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/pacer.conf"
        try """
        # telephony, second instance
        http-port = 9100
        instance = "telephony-2"
        log-format = json
        bus-source = tcp://10.0.0.5:5551,tcp://10.0.0.5:5561
        time-zone = Asia/Yekaterinburg
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try ServiceSettings.resolve(options(["--config", file]), defaults: .telephony, environment: [:])
        #expect(fromFile.httpPort == 9100)
        #expect(fromFile.instance == "telephony-2")
        #expect(fromFile.databasePath == "./data/telephony-2.sqlite")
        #expect(fromFile.jsonLogs)
        #expect(fromFile.sources == [BusSource(publishEndpoint: "tcp://10.0.0.5:5551", replayEndpoint: "tcp://10.0.0.5:5561")])
        #expect(fromFile.timeZone.identifier == "Asia/Yekaterinburg")
        let fromEnv = try ServiceSettings.resolve(options(["--config", file]), defaults: .telephony,
                                                  environment: ["PACER_HTTP_PORT": "9200", "PACER_DATA_DIR": "/var/lib/pacer"])
        #expect(fromEnv.httpPort == 9200)
        #expect(fromEnv.databasePath == "/var/lib/pacer/telephony-2.sqlite")
        let fromFlag = try ServiceSettings.resolve(options(["--config", file, "--http-port", "9300"]), defaults: .telephony,
                                                   environment: ["PACER_HTTP_PORT": "9200"])
        #expect(fromFlag.httpPort == 9300)
    }

    @Test func invalidValuesNameTheSetting() throws {
        #expect(throws: ServiceSettings.Invalid.self) {
            try ServiceSettings.resolve(options([]), defaults: .deals, environment: ["PACER_HTTP_PORT": "eighty"])
        }
        do {
            _ = try ServiceSettings.resolve(options(["--time-zone", "Mars/Olympus"]), defaults: .deals, environment: [:])
            Issue.record("expected an error")
        } catch let error as ServiceSettings.Invalid {
            #expect(error.setting == "time-zone")
        }
        do {
            _ = try ServiceSettings.resolve(options(["--bus-source", "tcp://a:1"]), defaults: .kpi, environment: [:])
            Issue.record("expected an error")
        } catch let error as ServiceSettings.Invalid {
            #expect(error.setting == "bus-source")
        }
        #expect(throws: ConfigFile.ParseError(line: 2, message: "expected `key = value`")) {
            try ConfigFile(text: "http-port = 1\nnonsense\n")
        }
    }
}

@Suite("Bus keys from files")
struct BusKeySettingsTests {
    @Test func keysComeFromAFile() throws {
        let dir = NSTemporaryDirectory() + "pacer-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pair = try CurveKeyPair.generate()
        try (pair.secretKey + "\n").write(toFile: dir + "/deals.key", atomically: true, encoding: .utf8)
        let server = try CurveKeyPair.generate().publicKey
        let settings = try ServiceSettings.resolve(
            ServiceOptions.parse(["--bus-secret-key-file", dir + "/deals.key", "--bus-source", "tcp://a:1,tcp://a:2,\(server)"]),
            defaults: .kpi, environment: [:])
        #expect(settings.busKeys == pair)
        #expect(settings.sources == [BusSource(publishEndpoint: "tcp://a:1", replayEndpoint: "tcp://a:2", serverPublicKey: server)])
        try "not a key".write(toFile: dir + "/bad.key", atomically: true, encoding: .utf8)
        #expect(throws: ServiceSettings.Invalid.self) {
            try ServiceSettings.resolve(ServiceOptions.parse(["--bus-secret-key-file", dir + "/bad.key"]), defaults: .kpi, environment: [:])
        }
        #expect(BusSource(parsing: "tcp://a:1,tcp://a:2,short") == nil)
        // The publisher's key may come as the path of its .pub file, as compose passes it.
        try (server + "\n").write(toFile: dir + "/deals.pub", atomically: true, encoding: .utf8)
        #expect(BusSource(parsing: "tcp://a:1,tcp://a:2,\(dir)/deals.pub")?.serverPublicKey == server)
        #expect(BusSource(parsing: "tcp://a:1,tcp://a:2,\(dir)/missing.pub") == nil)
        #expect(BusSource(parsing: "tcp://a:1,tcp://a:2,\(dir)/deals.key") == nil)

        let member = try CurveKeyPair.generate().publicKey
        try "# subscribers allowed\n\(member)\n\n".write(toFile: dir + "/allowed", atomically: true, encoding: .utf8)
        let guarded = try ServiceSettings.resolve(
            ServiceOptions.parse(["--bus-secret-key-file", dir + "/deals.key", "--bus-allowed-keys-file", dir + "/allowed"]),
            defaults: .deals, environment: [:])
        #expect(guarded.busAllowedKeys == [member])
        #expect(throws: ServiceSettings.Invalid.self) {
            try ServiceSettings.resolve(ServiceOptions.parse(["--bus-allowed-keys-file", dir + "/allowed"]), defaults: .deals, environment: [:])
        }
    }
}
