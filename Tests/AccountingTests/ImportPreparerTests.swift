@testable import Accounting
import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("A statement's documents decided on the reading thread, written on the import's")
struct ImportPreparerTests {
    static func importing(_ text: String, into pool: DatabasePool, dir: TemporaryDirectory, name: String, size: Int) throws -> StatementImporter.Summary {
        let path = dir.file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let store = PaymentStore(outbox: OutboxStore(source: EventSource(service: "accounting", instance: "test")))
        return try pool.write { db in
            try StatementImporter(store: store).importFile(at: path, fileName: name, source: "file", sha256: name, size: size, db)
        }
    }

    @Test("a document twice in one file and one stored by an earlier import are duplicates: each invoice is paid once, each event told once",
          arguments: [0, 280_000])
    func duplicatesPayOnce(size: Int) throws {
        let dir = try TemporaryDirectory("preparer")
        defer { dir.remove() }
        // 20 clients, invoices 1…150 of 1 000.00 each; invoice n belongs to client n % 20.
        let pool = try InvoiceBookTests.database(dir, "accounting.sqlite")
        let inn = AccountingService.sampleINN(5)
        let full = Books.incoming("1", "1000.00", inn: inn, purpose: "Оплата по счету № 25")
        let part = Books.incoming("2", "400.00", inn: inn, purpose: "Оплата по счету № 45")

        let first = try Self.importing(Books.statement([part]), into: pool, dir: dir, name: "first.txt", size: size)
        #expect(first.documents == 1 && first.matched == 1 && first.duplicates == 0)
        let second = try Self.importing(Books.statement([full, full, part]), into: pool, dir: dir, name: "second.txt", size: size)
        #expect(second.documents == 3)
        #expect(second.incoming == 3)
        #expect(second.duplicates == 2)
        #expect(second.matched == 1 && second.unmatched == 0)

        let (invoices, allocations, events) = try pool.read { db in
            (try Row.fetchAll(db, sql: "SELECT id, paid, paidOn FROM invoice WHERE paid > 0 ORDER BY id").map { "\($0[0] as String) \($0[1] as Int64) \($0[2] as String? ?? "-")" },
             try Row.fetchAll(db, sql: "SELECT invoiceId, amount FROM allocation ORDER BY invoiceId").map { "\($0[0] as String) \($0[1] as Int64)" },
             try Row.fetchAll(db, sql: "SELECT seq, type FROM outbox ORDER BY seq").map { "\($0[0] as Int64) \($0[1] as String)" })
        }
        #expect(invoices == ["i25 100000 2026-11-18", "i45 40000 -"])
        #expect(allocations == ["i25 100000", "i45 40000"])
        #expect(events == ["1 payment.received", "2 payment.received", "3 invoice.paid"])
    }

    @Test("an in-memory database cannot be read a second time: the import is refused whole, with the reason")
    func inMemoryRefused() throws {
        let dir = try TemporaryDirectory("preparer-memory")
        defer { dir.remove() }
        let path = dir.file("statement.txt")
        try Data(Books.statement([Books.incoming("1", "10.00", inn: "7707083893", purpose: "Оплата")]).utf8).write(to: URL(fileURLWithPath: path))
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        BusSchema.register(in: &migrator)
        AccountingService.definition().migrations(&migrator)
        try migrator.migrate(queue)
        let store = PaymentStore(outbox: OutboxStore(source: EventSource(service: "accounting", instance: "test")))
        let error = #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try StatementImporter(store: store).importFile(at: path, fileName: "statement.txt", source: "file", sha256: "x", size: 100, db)
            }
        }
        #expect(error?.message == "a statement import needs a database file, not an in-memory one")
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT (SELECT COUNT(*) FROM payment) + (SELECT COUNT(*) FROM statement_import)") } == 0)
    }
}
