@testable import Accounting
import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("The accounting database's migrations")
struct AccountingSchemaTests {
    @Test("payments stored before the identity's index was dropped keep every column, their indexes and their deduplication")
    func identityByIdMigration() throws {
        let dir = try TemporaryDirectory("accounting-schema")
        defer { dir.remove() }
        let path = dir.file("accounting.sqlite")
        let statement = dir.file("statement.txt")
        try AccountingService.writeSampleStatement(path: statement, documents: 40, clients: 20, invoices: 150)
        let outbox = OutboxStore(source: EventSource(service: "accounting", instance: "test"))

        // A database as the previous release left it: migrated up to v3 only, a statement imported.
        var before: [String] = []
        do {
            let old = try DatabasePool(path: path)
            var migrator = DatabaseMigrator()
            BusSchema.register(in: &migrator)
            AccountingService.definition().migrations(&migrator)
            try migrator.migrate(old, upTo: "accounting.v3-document-in-file")
            try AccountingService.seedSampleDirectory(old, clients: 20, invoices: 150)
            let summary = try old.write { db in
                try StatementImporter(store: PaymentStore(outbox: outbox)).importFile(at: statement, fileName: "s.txt", source: "file", sha256: "x", size: 0, db)
            }
            #expect(summary.documents == 40 && summary.duplicates == 0)
            before = try old.read { try Row.fetchAll($0, sql: "SELECT * FROM payment ORDER BY id").map(\.description) }
            #expect(try old.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'payment' AND type = 'index' ORDER BY name") }
                    == ["payment_client", "payment_day", "payment_manager", "payment_waiting", "sqlite_autoindex_payment_1", "sqlite_autoindex_payment_2"])
        }

        let pool = try PacerDatabase.open(path: path) { AccountingService.definition().migrations(&$0) }
        #expect(try pool.read { try Row.fetchAll($0, sql: "SELECT * FROM payment ORDER BY id").map(\.description) } == before)
        #expect(before.count == 40)
        #expect(try pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'payment' AND type = 'index' ORDER BY name") }
                == ["payment_client", "payment_day", "payment_manager", "payment_waiting", "sqlite_autoindex_payment_1"])
        // The same statement again is all duplicates, found by id.
        let again = try pool.write { db in
            try StatementImporter(store: PaymentStore(outbox: outbox)).importFile(at: statement, fileName: "s.txt", source: "file", sha256: "x", size: 0, db)
        }
        #expect(again.documents == 40 && again.duplicates == 40)
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM payment") } == 40)
    }
}

extension AccountingSchemaTests {
    @Test("the payment list's first page, with or without days, is read from the listed day's index, not sorted")
    func listUsesDayIndex() throws {
        let dir = try TemporaryDirectory("accounting-schema-list")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("accounting.sqlite")) { AccountingService.definition().migrations(&$0) }
        let day = AccountingSchema.paymentDay
        for sql in ["SELECT id FROM payment WHERE 1 AND direction = ? ORDER BY \(day) DESC, id LIMIT ?",
                    "SELECT id FROM payment WHERE 1 AND direction = ? AND \(day) >= ? AND \(day) <= ? ORDER BY \(day) DESC, id LIMIT ?"] {
            let details = try pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(Array(repeating: "x", count: sql.filter { $0 == "?" }.count)))
                    .map { $0["detail"] as String }
            }
            #expect(details.contains { $0.contains("USING INDEX payment_day") }, "\(details)")
            #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(details)")
        }
    }
}
