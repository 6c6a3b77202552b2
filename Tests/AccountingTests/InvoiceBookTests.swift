@testable import Accounting
import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("An import's invoice book")
struct InvoiceBookTests {
    static let own = "40702810900000000001"

    /// What matching leaves behind: each payment's match, the allocations, what invoices were paid
    /// and when, receivable items, and every event's payload in order.
    static func outcome(_ db: Database) throws -> [String] {
        var lines = try Row.fetchAll(db, sql: """
            SELECT id, direction, clientId, dealId, managerId, matchedBy, unallocated, revision FROM payment ORDER BY id
            """).map(\.description)
        lines += try Row.fetchAll(db, sql: "SELECT * FROM allocation ORDER BY paymentId, position").map(\.description)
        lines += try Row.fetchAll(db, sql: "SELECT id, paid, paidOn FROM invoice ORDER BY id").map(\.description)
        lines += try Row.fetchAll(db, sql: "SELECT * FROM receivable_state ORDER BY receivableId").map(\.description)
        lines += try Row.fetchAll(db, sql: "SELECT seq, type, body FROM outbox ORDER BY seq").map { row in
            let envelope = try #require(try JSONSerialization.jsonObject(with: row["body"] as Data) as? [String: Any])
            let payload = try JSONSerialization.data(withJSONObject: try #require(envelope["payload"]), options: .sortedKeys)
            return "\(row["seq"] as Int64) \(row["type"] as String) \(String(decoding: payload, as: UTF8.self))"
        }
        return lines
    }

    static func database(_ dir: TemporaryDirectory, _ name: String) throws -> DatabasePool {
        let pool = try PacerDatabase.open(path: dir.file(name)) { AccountingService.definition().migrations(&$0) }
        try AccountingService.seedSampleDirectory(pool, clients: 20, invoices: 150)
        try pool.write { db in
            // Items of invoices the statement pays in full, and of one it does not touch.
            for item in ["inv:i1", "inv:i1#1", "inv:i2", "inv:i149", "inv:i150"] {
                try db.execute(sql: "INSERT INTO receivable_state(receivableId, state, period, outstanding) VALUES (?, 'overdue', '2026-02', 100000)",
                               arguments: [item])
            }
        }
        return pool
    }

    @Test("an import through the book ends exactly as saving each document against the database does — partial, over- and repeated payments of one invoice included",
          arguments: [false, true], [500, 7])
    func sameAsLive(readsAll: Bool, batchSize: Int) throws {
        let dir = try TemporaryDirectory("book")
        defer { dir.remove() }
        let path = dir.file("statement.txt")
        // 400 documents naming 150 invoices of 20 clients: invoices paid in parts, paid twice, and
        // clients' open invoices taken by INN, as the import goes.
        try AccountingService.writeSampleStatement(path: path, documents: 400, clients: 20, invoices: 150)
        let source = EventSource(service: "accounting", instance: "test")

        let booked = try Self.database(dir, "booked.sqlite")
        let summary = try booked.write { db in
            // Small batches: an invoice is paid in one batch and again in a later one, each written as it goes.
            try StatementImporter(store: PaymentStore(outbox: OutboxStore(source: source)), batchSize: batchSize)
                // The statement's size decides whether the book reads every invoice at once or each as named.
                .importFile(at: path, fileName: "statement.txt", source: "file", sha256: "x", size: readsAll ? 280_000 : 0, db)
        }
        #expect(summary.documents == 400)
        #expect(summary.matched == 300)
        #expect(summary.unmatched == 50)

        let live = try Self.database(dir, "live.sqlite")
        var parser = BankStatementParser()
        var documents: [BankDocument] = []
        let take: (BankStatementParser.Output) -> Void = { if case .document(let document) = $0 { documents.append(document) } }
        parser.feed(try Data(contentsOf: URL(fileURLWithPath: path)), take)
        parser.finish(take)
        let store = PaymentStore(outbox: OutboxStore(source: source))
        try live.write { db in
            for document in documents {
                _ = try store.save(PaymentDraft(document: document, source: "file", importId: 1), ownAccounts: [Self.own], db)
            }
        }

        let expected = try live.read(Self.outcome)
        let actual = try booked.read(Self.outcome)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) where a != e {
            Issue.record("booked \(a)\nlive   \(e)")
            break
        }
        // The book did pay: invoices paid in full (those named only by outgoing and unmatched
        // documents stay open), their items marked, an event for each.
        let (paid, open, states, events) = try booked.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invoice WHERE paidOn IS NOT NULL"),
             try String.fetchAll(db, sql: "SELECT id FROM invoice WHERE paidOn IS NULL ORDER BY id"),
             try String.fetchAll(db, sql: "SELECT state FROM receivable_state ORDER BY receivableId"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE type = 'invoice.paid'"))
        }
        #expect(paid == 137)
        #expect(open == ["i102", "i103", "i110", "i111", "i118", "i119", "i126", "i127", "i134", "i135", "i142", "i143", "i150"])
        #expect(states == ["paid", "paid", "paid", "overdue", "paid"])
        #expect(events == 137)
    }
}

extension InvoiceBookTests {
    @Test("read all at once or number by number, the book answers alike, pays in memory and writes once", arguments: [false, true])
    func lookups(readsAll: Bool) throws {
        let dir = try TemporaryDirectory("book-lookups")
        defer { dir.remove() }
        let pool = try Self.database(dir, "book.sqlite")
        try pool.write { db in
            let book = InvoiceBook(db)
            if readsAll { try book.readAll() }
            // Invoice 25 belongs to client c5 (25 % 20) of 1,000.00; number 999 is nobody's.
            #expect(try book.invoices(numberKey: "25").map(\.id) == ["i25"])
            #expect(try book.invoices(digitsKey: "25").map(\.outstanding) == [100_000])
            #expect(try book.invoices(numberKey: "999").isEmpty)
            let inn = AccountingService.sampleINN(5)
            #expect(try book.clients(inn: inn).map(\.id) == ["c5"])
            let open = try book.openInvoices(inn: inn).map(\.id)
            // Due and issued the same days: by id.
            #expect(open == ["i105", "i125", "i145", "i25", "i45", "i5", "i65", "i85"])
            #expect(book.pay("i25", 60_000, on: "2026-03-01") == nil)
            let paid = try #require(book.pay("i25", 40_000, on: "2026-03-02"))
            #expect(paid.paidOn == "2026-03-02" && paid.amount.kopecks == 100_000 && paid.clientId == "c5")
            #expect(book.pay("i25", 5_000, on: "2026-03-03") == nil)
            #expect(try book.openInvoices(inn: inn).map(\.id) == open.filter { $0 != "i25" })
            #expect(try book.invoices(numberKey: "25").map(\.outstanding) == [-5_000])
            // Nothing written until the flush.
            let state = { try Row.fetchOne(db, sql: "SELECT paid, paidOn FROM invoice WHERE id = 'i25'").map { "\($0["paid"] as Int64) \($0["paidOn"] as String? ?? "-")" } }
            #expect(try state() == "0 -")
            try book.flush(into: db)
            #expect(try state() == "105000 2026-03-02")
        }
    }
}

extension InvoiceBookTests {
    @Test("a flush writes every invoice paid and settles exactly the receivable items of invoices paid in full, the book read number by number or all at once",
          arguments: [false, true])
    func flushSettles(readsAll: Bool) throws {
        let dir = try TemporaryDirectory("book-flush")
        defer { dir.remove() }
        let pool = try Self.database(dir, "book.sqlite")
        try pool.write { db in
            // An id with a `#` of its own, as another system may name its invoices.
            try db.execute(sql: """
                INSERT INTO invoice(id, number, numberKey, digitsKey, dealId, clientId, managerId, amount, currency, issuedOn, dueOn, source)
                VALUES ('i#7', 'A-7', 'A7', '7', NULL, 'c1', 'm1', 50000, 'RUB', '2026-01-01', '2026-02-01', 'accounting')
                """)
            for item in ["inv:i#7", "inv:i#7#1"] {
                try db.execute(sql: "INSERT INTO receivable_state(receivableId, state, period, outstanding) VALUES (?, 'overdue', '2026-02', 50000)",
                               arguments: [item])
            }
            let book = InvoiceBook(db)
            if readsAll {
                try book.readAll()
            } else {
                for number in ["150", "2", "149", "A7", "3"] { #expect(try book.invoices(numberKey: number).count == 1) }
            }
            #expect(book.pay("i150", 100_000, on: "2026-03-01") != nil)
            #expect(book.pay("i2", 100_000, on: "2026-03-02") != nil)
            #expect(book.pay("i149", 50_000, on: "2026-03-03") == nil)
            #expect(book.pay("i#7", 50_000, on: "2026-03-04") != nil)
            #expect(book.pay("i3", 100_000, on: "2026-03-05") != nil)
            try book.flush(into: db)
            #expect(try Row.fetchAll(db, sql: "SELECT id, paid, paidOn FROM invoice WHERE paid > 0 ORDER BY id").map { "\($0[0] as String) \($0[1] as Int64) \($0[2] as String? ?? "-")" }
                    == ["i#7 50000 2026-03-04", "i149 50000 -", "i150 100000 2026-03-01", "i2 100000 2026-03-02", "i3 100000 2026-03-05"])
            #expect(try Row.fetchAll(db, sql: "SELECT receivableId, state, outstanding FROM receivable_state ORDER BY receivableId").map { "\($0[0] as String) \($0[1] as String) \($0[2] as Int64)" }
                    == ["inv:i#7 paid 0", "inv:i#7#1 paid 0", "inv:i1 overdue 100000", "inv:i1#1 overdue 100000", "inv:i149 overdue 100000",
                        "inv:i150 paid 0", "inv:i2 paid 0"])
        }
    }
}
