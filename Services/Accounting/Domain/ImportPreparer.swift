import Contracts
import Foundation
import GRDB
import Storage

/// The deciding half of a statement import, run on its reading thread (`StatementReader`):
/// which documents are stored already — in the database or earlier in the same file — each
/// one's direction and match, the money it puts on invoices (in the import's `InvoiceBook`) and
/// its events' payloads. The writer is left with rows to write.
///
/// It reads through a connection of its own, in one read transaction begun after the import's
/// write transaction has written: SQLite lets nobody else commit until the import does, so this
/// view is the writer's but for the import's own rows — which the preparer keeps count of itself
/// (the identities it prepared, the invoices its book paid).
final class ImportPreparer: @unchecked Sendable {
    private let store: PaymentStore
    private let databasePath: String
    private let statementSize: Int
    /// The company's accounts: configured, stored, and learned from the statement as it is read.
    private var own: Set<String>
    /// Ids (hashed from identities) prepared in this import: a document twice in one file is stored once.
    private var seen = Set<String>()
    private var db: Database?
    /// The import's invoices, read and paid on the deciding thread; what each batch paid goes to
    /// the writer with the batch (`takeInvoiceChanges`).
    private(set) var book: InvoiceBook?
    /// Read every invoice before the first document to store (see `reading`).
    private var readsAll = false
    /// The accounting stream's next sequence number as the writer will see it: only the import
    /// writes to its transaction, so its events' envelopes are written here, numbered in order.
    private var nextSeq: Int64

    init(store: PaymentStore, ownAccounts: Set<String>, databasePath: String, statementSize: Int, nextSeq: Int64) {
        self.store = store
        self.own = ownAccounts
        self.databasePath = databasePath
        self.statementSize = statementSize
        self.nextSeq = nextSeq
    }

    /// Runs `body` — the whole reading — inside one read transaction of a connection of its own.
    func reading(_ body: () throws -> Void) throws {
        // An in-memory database has no file to open twice: a second connection would see an
        // empty database of its own and match nothing.
        guard !databasePath.isEmpty else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "a statement import needs a database file, not an in-memory one")
        }
        let queue = try PacerDatabase.openReader(path: databasePath, label: "pacer-statement-preparer", cacheKiB: 32_768)
        try queue.read { db in
            let book = InvoiceBook(db)
            // A statement document takes ~700 bytes: one naming a good share of the invoices reads
            // them all in one pass rather than number by number — when its first new document
            // needs matching: a statement imported again is all duplicates and reads none.
            if let invoices = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invoice"), invoices > 0, statementSize / 700 >= invoices / 4 {
                readsAll = true
            }
            self.db = db
            self.book = book
            defer { self.db = nil }
            try body()
        }
    }

    /// The invoices paid since the last call, for the writer to write with the batch just decided.
    func takeInvoiceChanges() -> [InvoiceBook.Change] {
        book?.takeChanges() ?? []
    }

    /// Decides an item as it comes from the parser, in file order.
    func prepare(_ item: StatementReader.Item) throws {
        if let account = item.output.ownAccount { own.insert(account) }
        guard let draft = item.draft, let db, let book else { return }
        let duplicate = try !seen.insert(draft.paymentId).inserted || PaymentStore.isStored(paymentId: draft.paymentId, db)
        if duplicate {
            item.decision = .duplicate(draft.direction(ownAccounts: own))
        } else {
            if readsAll {
                readsAll = false
                try book.readAll()
            }
            var prepared = try store.prepare(draft, ownAccounts: own, ledger: book)
            let now = Date()
            for index in prepared.events.indices {
                let event = prepared.events[index]
                prepared.events[index].envelope = store.outbox.envelope(
                    payload: event.payload, type: event.type, schemaVersion: event.schemaVersion, stream: StreamName.accounting,
                    seq: nextSeq, occurredAt: now, correlationId: store.correlationId)
                nextSeq += 1
            }
            item.decision = .store(prepared)
        }
    }
}
