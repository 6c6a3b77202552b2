import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Settings of pacer-telephony beyond the common ones, from the environment:
/// - `PACER_CDR_TIME_ZONE`: the zone of CDR times (default UTC, Asterisk's `usegmtime=yes`).
/// - `PACER_ZADARMA_SECRET`: the Zadarma API secret that signs webhooks (unset: webhook off).
/// - `PACER_ZADARMA_TIME_ZONE`: the zone of Zadarma's `call_start` (default Europe/Moscow).
/// - `PACER_CDR_MAX_BYTES`: the largest CDR upload over HTTP (default 256 MiB; larger files go
///   through `pacer-telephony import-cdr`).
public struct TelephonyConfiguration: Sendable {
    public var cdrTimeZone = TimeZone(identifier: "UTC")!
    public var zadarmaSecret: String?
    public var zadarmaTimeZone = TimeZone(identifier: "Europe/Moscow")!
    public var maxCDRBytes = 256 << 20

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TelephonyConfiguration {
        var configuration = TelephonyConfiguration()
        func zone(_ key: String) throws -> TimeZone? {
            guard let name = environment[key] else { return nil }
            guard let zone = TimeZone(identifier: name) else { throw ServiceSettings.Invalid(setting: key, message: "unknown zone \(name)") }
            return zone
        }
        if let cdr = try zone("PACER_CDR_TIME_ZONE") { configuration.cdrTimeZone = cdr }
        if let zadarma = try zone("PACER_ZADARMA_TIME_ZONE") { configuration.zadarmaTimeZone = zadarma }
        configuration.zadarmaSecret = environment["PACER_ZADARMA_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["PACER_CDR_MAX_BYTES"] {
            guard let value = Int(text), value > 0 else { throw ServiceSettings.Invalid(setting: "PACER_CDR_MAX_BYTES", message: "must be a positive number") }
            configuration.maxCDRBytes = value
        }
        return configuration
    }
}

/// `pacer-telephony`: calls and other touches from the telephony system, matched to managers,
/// clients and deals. Publishes `telephony`; consumes `deals` (the directory replica).
public enum TelephonyService {
    public static func definition(_ configuration: TelephonyConfiguration = TelephonyConfiguration()) -> ServiceDefinition {
        ServiceDefinition(
            defaults: .telephony,
            publishes: [StreamName.telephony],
            migrations: TelephonySchema.migrations,
            routes: { router, context in TelephonyRoutes(context: context, configuration: configuration).register(on: router) },
            handler: { context in DirectoryReplica(store: CallStore(outbox: context.outbox)).handler() }
        )
    }

    /// Imports a CDR file into the service's database, reporting progress by bytes read.
    public static func importCDR(path: String, database: DatabasePool, outbox: OutboxStore, timeZone: TimeZone,
                                 progress: (Int, Int) -> Void) async throws -> (summary: String, rejected: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var importer = CDRImporter(database: database, store: CallStore(outbox: outbox, correlationId: "import:\(URL(fileURLWithPath: path).lastPathComponent)"),
                                   timeZone: timeZone, source: "cdr-file")
        var read = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            try await importer.feed(chunk)
            read += chunk.count
            progress(read, size)
        }
        let summary = try await importer.finish()
        var lines = ["rows \(summary.rows), calls \(summary.calls): imported \(summary.recorded), updated \(summary.updated), "
                     + "duplicates \(summary.duplicates), unmatched \(summary.unmatched), rejected \(summary.rejected.count)"]
        for reject in summary.rejected.prefix(50) { lines.append("  line \(reject.line): \(reject.reason)") }
        if summary.rejected.count > 50 { lines.append("  … and \(summary.rejected.count - 50) more (GET /rejected)") }
        return (lines.joined(separator: "\n"), summary.rejected.count)
    }
}

extension TelephonyService {
    /// Parses a CDR file and counts rows and rejects without storing anything (`pacer-bench`).
    public static func parseOnly(path: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws -> (rows: Int, rejected: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        var parser = CDRParser(timeZone: timeZone)
        var rows = 0
        var rejected = 0
        let count: (CDRParser.Output) -> Void = { output in
            if case .row = output { rows += 1 } else { rejected += 1 }
        }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { parser.feed(chunk, count) }
        parser.finish(count)
        return (rows, rejected)
    }

    /// Writes a cdr_csv file of `calls` two-leg calls (a missed ring, then the answer) for benchmarks.
    public static func writeSampleCDR(path: String, calls: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        var buffer = ""
        let base = 1_763_629_200
        for i in 0..<calls {
            let t = base + i * 7
            let start = Timestamp.format(Date(timeIntervalSince1970: Double(t))).prefix(19).replacingOccurrences(of: "T", with: " ")
            let answer = Timestamp.format(Date(timeIntervalSince1970: Double(t + 5))).prefix(19).replacingOccurrences(of: "T", with: " ")
            let end = Timestamp.format(Date(timeIntervalSince1970: Double(t + 65))).prefix(19).replacingOccurrences(of: "T", with: " ")
            let ext = 101 + i % 20
            let phone = 84950000000 + i % 50_000
            let id = "\(t).\(i)"
            buffer += "\"\",\"\(phone)\",\"5551000\",\"from-trunk\",\"\"\"Client \(i % 977)\"\" <\(phone)>\",\"SIP/trunk-\(i)\",\"SIP/\(ext + 1)-\(i)\",\"Dial\",\"SIP/\(ext)&SIP/\(ext + 1)\",\"\(start)\",,\"\(start)\",0,0,\"NO ANSWER\",\"DOCUMENTATION\",\"\(id)\",\"\",\"\",\"\(id)\",\(2 * i)\n"
            buffer += "\"\",\"\(phone)\",\"5551000\",\"from-trunk\",\"\"\"Client \(i % 977)\"\" <\(phone)>\",\"SIP/trunk-\(i)\",\"SIP/\(ext)-\(i)\",\"Dial\",\"SIP/\(ext)&SIP/\(ext + 1)\",\"\(start)\",\"\(answer)\",\"\(end)\",65,60,\"ANSWERED\",\"DOCUMENTATION\",\"\(id)\",\"\",\"\",\"\(id)\",\(2 * i + 1)\n"
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        handle.write(Data(buffer.utf8))
    }
}
