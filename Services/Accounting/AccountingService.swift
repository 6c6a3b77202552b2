import Contracts
import Crypto
import Foundation
import GRDB
import ServiceKit
import Storage

/// Settings of pacer-accounting beyond the common ones, from the environment:
/// - `PACER_COMPANY_ACCOUNTS`: the company's own bank accounts, comma-separated (statements add
///   the accounts they are for; this names the rest, so transfers between them are recognised).
/// - `PACER_STATEMENT_MAX_BYTES`: the largest statement upload over HTTP (default 256 MiB; larger
///   files go through `pacer-accounting import-1c`).
/// - `PACER_RECEIVABLES_INTERVAL`: seconds between receivable checks (default 60).
public struct AccountingConfiguration: Sendable {
    public var companyAccounts: Set<String> = []
    public var maxStatementBytes = 256 << 20
    public var receivablesInterval: Duration = .seconds(60)

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AccountingConfiguration {
        var configuration = AccountingConfiguration()
        if let accounts = environment["PACER_COMPANY_ACCOUNTS"] {
            configuration.companyAccounts = Set(accounts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            for account in configuration.companyAccounts where !account.allSatisfy(\.isASCIIDigit) {
                throw ServiceSettings.Invalid(setting: "PACER_COMPANY_ACCOUNTS", message: "\(account) is not an account number")
            }
        }
        if let text = environment["PACER_STATEMENT_MAX_BYTES"] {
            guard let value = Int(text), value > 0 else { throw ServiceSettings.Invalid(setting: "PACER_STATEMENT_MAX_BYTES", message: "must be a positive number") }
            configuration.maxStatementBytes = value
        }
        if let text = environment["PACER_RECEIVABLES_INTERVAL"] {
            guard let value = Int(text), value > 0 else { throw ServiceSettings.Invalid(setting: "PACER_RECEIVABLES_INTERVAL", message: "must be a positive number of seconds") }
            configuration.receivablesInterval = .seconds(value)
        }
        return configuration
    }
}

/// `pacer-accounting`: payments from 1C matched to invoices and deals, and receivables.
/// Publishes `accounting`; consumes `deals` (clients, deals, invoices, schedules).
public enum AccountingService {
    public static func definition(_ configuration: AccountingConfiguration = AccountingConfiguration()) -> ServiceDefinition {
        ServiceDefinition(
            defaults: .accounting,
            publishes: [StreamName.accounting],
            migrations: AccountingSchema.migrations,
            routes: { router, context in
                StatementRoutes(context: context, configuration: configuration).register(on: router)
                PaymentRoutes(context: context, configuration: configuration).register(on: router)
                ReceivableRoutes(context: context).register(on: router)
            },
            handler: { context in DealsReplica(store: PaymentStore(outbox: context.outbox)).handler() },
            snapshots: { _ in AccountingSnapshots() },
            services: { context in [ReceivableScheduler(context: context, interval: configuration.receivablesInterval)] }
        )
    }

    /// Imports a statement file (the CLI) in one transaction, reporting progress by bytes read.
    /// The file is copied beside the database as it is parsed (`StatementSpool`), not before: the
    /// copy and its SHA-256 were a tenth of a large import's time, spent before parsing began.
    /// An import that fails keeps the whole file all the same, for review.
    public static func importStatement(path: String, database: DatabasePool, outbox: OutboxStore, databasePath: String,
                                       configuration: AccountingConfiguration,
                                       progress: @escaping @Sendable (Int, Int) -> Void) async throws -> (summary: String, rejected: Int) {
        guard FileManager.default.isReadableFile(atPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let spool = try StatementSpool(databasePath: databasePath, limit: Int.max)
        let name = URL(fileURLWithPath: path).lastPathComponent
        let importer = StatementImporter(store: PaymentStore(outbox: outbox, correlationId: "import:\(name)"), companyAccounts: configuration.companyAccounts)
        do {
            let summary = try await database.write { db in
                try importer.importFile(at: path, fileName: name, source: "file", keeping: spool, size: size, db) { progress($0, size) }
            }
            return (summary.text, summary.rejected.count)
        } catch {
            spool.discard()
            _ = try? StatementSpool.keep(path: path, databasePath: databasePath)
            throw error
        }
    }
}

/// A statement's raw bytes kept for review under `accounting-statements/` beside the database,
/// named by their SHA-256 so the same file sent twice is kept once. Written by one thread at a
/// time: the HTTP route's, or an import's reading thread (`StatementReader`'s `tee`).
final class StatementSpool: @unchecked Sendable {
    let folder: URL
    let temporary: URL
    let limit: Int
    private let handle: FileHandle
    private var hasher = SHA256()
    private(set) var size = 0

    init(databasePath: String, limit: Int) throws {
        folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("accounting-statements", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        temporary = folder.appendingPathComponent(".upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        self.handle = handle
        self.limit = limit
    }

    func write(_ bytes: some DataProtocol) throws {
        size += bytes.count
        guard size <= limit else {
            discard()
            throw Problem(.contentTooLarge, "statement over \(limit) bytes; use `pacer-accounting import-1c`")
        }
        hasher.update(data: bytes)
        try handle.write(contentsOf: bytes)
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }

    func finish() throws -> (path: String, sha256: String, size: Int) {
        try handle.close()
        let digest = Hex.lowercase(hasher.finalize())
        let kept = folder.appendingPathComponent("\(digest).txt")
        if FileManager.default.fileExists(atPath: kept.path) { try FileManager.default.removeItem(at: temporary) }
        else { try FileManager.default.moveItem(at: temporary, to: kept) }
        return (kept.path, digest, size)
    }

    /// Keeps the file at `path` whole.
    static func keep(path: String, databasePath: String) throws -> (path: String, sha256: String, size: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        let spool = try StatementSpool(databasePath: databasePath, limit: Int.max)
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try spool.write(chunk) }
        } catch {
            spool.discard()
            throw error
        }
        return try spool.finish()
    }
}
