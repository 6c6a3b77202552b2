@testable import Accounting
import Contracts
import Crypto
import ServiceKit
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("A statement file kept beside the database as the CLI imports it")
struct StatementSpoolTests {
    static func kept(_ dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.file("accounting-statements")).sorted()
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The copy is written by the parsing thread as it reads — several 64 KiB reads here — so
    /// what is kept must be the file byte for byte, named and recorded by its digest.
    @Test func keptAsParsed() async throws {
        let dir = try TemporaryDirectory("spool")
        defer { dir.remove() }
        let source = dir.file("kl_to_1c.txt")
        try AccountingService.writeSampleStatement(path: source, documents: 600, clients: 20, invoices: 150)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        #expect(bytes.count > 4 << 16)
        let digest = Self.sha256(bytes)
        let databasePath = dir.file("accounting.sqlite")
        let pool = try InvoiceBookTests.database(dir, "accounting.sqlite")
        let (summary, rejected) = try await AccountingService.importStatement(
            path: source, database: pool, outbox: OutboxStore(source: EventSource(service: "accounting", instance: "test")),
            databasePath: databasePath, configuration: AccountingConfiguration()) { _, _ in }
        #expect(rejected == 0)
        #expect(summary.hasPrefix("kl_to_1c.txt (Windows-1251, format 1.03): documents 600: "))

        #expect(try Self.kept(dir) == ["\(digest).txt"])
        let keptPath = dir.file("accounting-statements/\(digest).txt")
        #expect(try Data(contentsOf: URL(fileURLWithPath: keptPath)) == bytes)
        let (row, location) = try await pool.read { db in
            (try Row.fetchOne(db, sql: "SELECT fileName, sha256, bytes, storedPath, source FROM statement_import"),
             try StoredDocument.locate(try String.fetchOne(db, sql: "SELECT id FROM payment ORDER BY line DESC LIMIT 1")!, db))
        }
        #expect(row?["fileName"] == "kl_to_1c.txt")
        #expect(row?["sha256"] == digest)
        #expect(row?["bytes"] == bytes.count)
        #expect(row?["storedPath"] == keptPath)
        #expect(row?["source"] == "file")
        // The last document of the file, read back from the kept copy.
        let document = try StoredDocument.read(try #require(location))
        #expect(document.fields.first?.key == "СекцияДокумент")
        #expect(document.fields.first?.line == location?.line)
        #expect(document.fields.contains { $0.key == "Номер" && $0.value == "600" })
    }

    /// A file that is no statement imports nothing, and is kept whole all the same, for review.
    @Test func keptWhenRefused() async throws {
        let dir = try TemporaryDirectory("spool")
        defer { dir.remove() }
        let source = dir.file("notes.txt")
        let bytes = Data(String(repeating: "не выписка\r\n", count: 10_000).utf8)
        try bytes.write(to: URL(fileURLWithPath: source))
        let pool = try InvoiceBookTests.database(dir, "accounting.sqlite")
        await #expect(throws: Problem.self) {
            _ = try await AccountingService.importStatement(
                path: source, database: pool, outbox: OutboxStore(source: EventSource(service: "accounting", instance: "test")),
                databasePath: dir.file("accounting.sqlite"), configuration: AccountingConfiguration()) { _, _ in }
        }
        #expect(try Self.kept(dir) == ["\(Self.sha256(bytes)).txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("accounting-statements/\(Self.sha256(bytes)).txt"))) == bytes)
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM statement_import") } == 0)
    }
}
