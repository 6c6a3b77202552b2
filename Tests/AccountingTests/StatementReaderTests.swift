@testable import Accounting
import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("A statement read on a thread of its own while its documents are stored")
struct StatementReaderTests {
    /// A generated Windows-1251 statement in a folder of its own.
    static func statement(documents: Int) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory("reader")
        let path = dir.file("statement.txt")
        do {
            try AccountingService.writeSampleStatement(path: path, documents: documents, clients: 50, invoices: 100)
        } catch {
            dir.remove()
            throw error
        }
        return (dir, path)
    }

    @Test("every document arrives once, in file order, as a draft; the hand-over waits for a slow importer", .timeLimit(.minutes(1)))
    func handsOverInOrder() throws {
        let (dir, path) = try Self.statement(documents: 3_000)
        defer { dir.remove() }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        // Batches of 100, two waiting at most: the reader is held back many times over.
        let reader = StatementReader(path: path, source: "test", importId: 7, batchSize: 100, depth: 2)
        var lines: [Int] = []
        var reads: [Int] = []
        var others = 0
        while let batch = try reader.next() {
            reads.append(batch.read)
            for item in batch.items {
                guard case .document(let document) = item.output else { others += 1; continue }
                let draft = try #require(item.draft)
                #expect(draft.importId == 7 && draft.source == "test" && draft.line == document.firstLine)
                #expect(draft.invoiceNumbers == PurposeScanner.invoiceNumbers(in: document.purpose))
                lines.append(document.firstLine)
            }
            if reads.count % 5 == 0 { Thread.sleep(forTimeInterval: 0.002) }
        }
        #expect(lines.count == 3_000)
        #expect(lines == lines.sorted() && Set(lines).count == 3_000)
        #expect(reads == reads.sorted() && reads.last == size)
        let end = try #require(reader.end)
        #expect(end.recognised && end.sawFileEnd && end.encoding == .windows1251 && end.formatVersion == "1.03")
        #expect(others > 0)
    }

    @Test("an importer that fails stops the reading and gets the file back", .timeLimit(.minutes(1)))
    func cancels() throws {
        let (dir, path) = try Self.statement(documents: 5_000)
        defer { dir.remove() }
        let reader = StatementReader(path: path, source: "test", importId: 1, batchSize: 50, depth: 1)
        #expect(try reader.next() != nil)
        // Returns only once the thread has ended: the reader is stuck on a full queue until told.
        reader.cancel()
        #expect(reader.end == nil)
    }

    @Test("a file that cannot be read is an error from the importer's side", .timeLimit(.minutes(1)))
    func missingFile() throws {
        let reader = StatementReader(path: "/nonexistent/statement.txt", source: "test", importId: 1)
        #expect(throws: CocoaError.self) { try reader.next() }
    }
}

extension StatementReaderTests {
    @Test("with a preparer, batches arrive decided and in order; an importer that stops after one lets go of both threads",
          .timeLimit(.minutes(1)))
    func decidedAndCancelled() throws {
        let dir = try TemporaryDirectory("reader-preparer")
        defer { dir.remove() }
        let pool = try InvoiceBookTests.database(dir, "accounting.sqlite")
        let path = dir.file("statement.txt")
        try AccountingService.writeSampleStatement(path: path, documents: 2_000, clients: 20, invoices: 150)
        let store = PaymentStore(outbox: OutboxStore(source: EventSource(service: "accounting", instance: "test")))
        for stopAfter in [Int.max, 1] {
            var lines: [Int] = []
            var decided = 0
            var others = 0
            try pool.write { db in
                // The preparer's view begins after the transaction's first write, as the importer's does.
                try db.execute(sql: "INSERT OR REPLACE INTO own_account(account, source, addedAt) VALUES ('40702810900000000001', 'test', 0)")
                let preparer = ImportPreparer(store: store, ownAccounts: [], databasePath: db.filePath, statementSize: 0,
                                              nextSeq: try store.outbox.nextSeq(stream: StreamName.accounting, db))
                let reader = StatementReader(path: path, source: "test", importId: 1, preparer: preparer, batchSize: 50, depth: 1)
                var batches = 0
                while let batch = try reader.next() {
                    batches += 1
                    for item in batch.items {
                        guard case .document(let document) = item.output else { others += 1; continue }
                        lines.append(document.firstLine)
                        if item.decision != nil { decided += 1 }
                    }
                    reader.recycle(batch)
                    if batches == stopAfter {
                        reader.cancel()
                        #expect(reader.end == nil)
                        return
                    }
                }
                #expect(reader.end?.sawFileEnd == true)
            }
            if stopAfter == 1 {
                // One batch — what the first megabyte read held: the header's lines, then documents, all decided.
                #expect(others == 7)
                #expect(lines.count == decided && lines.count > 0 && lines.count < 2_000 && lines == lines.sorted())
            } else {
                #expect(lines.count == 2_000 && decided == 2_000 && lines == lines.sorted())
            }
        }
    }
}
