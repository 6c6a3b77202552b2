import GRDB
import ServiceKit

/// Bank documents (incoming payments and the rest), their allocations to invoices, the invoices
/// and payment schedules that receivables are counted from, statement imports with their raw
/// files, the company's own accounts, and the replica of `pacer-deals`' clients and deals.
enum AccountingSchema {
    /// The day a payment is listed by: received, else debited, else the document's own date. The
    /// payment list sorts and filters by this very expression, which `payment_day` indexes.
    static let paymentDay = "COALESCE(receivedOn, debitedOn, documentDate)"

    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("accounting.v1") { db in
            try db.execute(sql: """
                CREATE TABLE own_account (account TEXT PRIMARY KEY, source TEXT NOT NULL, addedAt REAL NOT NULL);
                CREATE TABLE statement_import (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, fileName TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,
                    encoding TEXT, storedPath TEXT, source TEXT NOT NULL, importedAt REAL NOT NULL, summary TEXT NOT NULL
                );
                CREATE TABLE payment (
                    id TEXT PRIMARY KEY, identity TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, number TEXT NOT NULL,
                    documentDate TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, direction TEXT NOT NULL,
                    receivedOn TEXT, debitedOn TEXT, payerName TEXT NOT NULL, payerInn TEXT, payerKpp TEXT, payerAccount TEXT,
                    payeeName TEXT NOT NULL, payeeInn TEXT, payeeAccount TEXT, purpose TEXT NOT NULL,
                    clientId TEXT, dealId TEXT, managerId TEXT, matchedBy TEXT, manual INTEGER NOT NULL DEFAULT 0,
                    unallocated INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 1,
                    source TEXT NOT NULL, importId INTEGER, line INTEGER, fields TEXT NOT NULL, createdAt REAL NOT NULL
                );
                CREATE INDEX payment_day ON payment(direction, receivedOn);
                CREATE INDEX payment_client ON payment(clientId);
                CREATE INDEX payment_manager ON payment(managerId, receivedOn);
                CREATE INDEX payment_waiting ON payment(payerInn) WHERE direction = 'incoming' AND manual = 0 AND (clientId IS NULL OR unallocated > 0);
                CREATE TABLE allocation (
                    paymentId TEXT NOT NULL, position INTEGER NOT NULL, invoiceId TEXT, dealId TEXT, amount INTEGER NOT NULL,
                    PRIMARY KEY (paymentId, position)
                ) WITHOUT ROWID;
                CREATE INDEX allocation_invoice ON allocation(invoiceId) WHERE invoiceId IS NOT NULL;
                CREATE INDEX allocation_deal ON allocation(dealId) WHERE dealId IS NOT NULL;
                CREATE TABLE invoice (
                    id TEXT PRIMARY KEY, number TEXT NOT NULL, numberKey TEXT NOT NULL, digitsKey TEXT NOT NULL,
                    dealId TEXT, clientId TEXT, managerId TEXT, amount INTEGER NOT NULL, currency TEXT NOT NULL,
                    issuedOn TEXT NOT NULL, dueOn TEXT NOT NULL, paid INTEGER NOT NULL DEFAULT 0, paidOn TEXT, source TEXT NOT NULL
                );
                CREATE INDEX invoice_number ON invoice(numberKey);
                CREATE INDEX invoice_digits ON invoice(digitsKey);
                CREATE INDEX invoice_client ON invoice(clientId, dueOn);
                CREATE TABLE instalment (
                    dealId TEXT NOT NULL, position INTEGER NOT NULL, invoiceId TEXT, dueOn TEXT NOT NULL, amount INTEGER NOT NULL,
                    PRIMARY KEY (dealId, position)
                ) WITHOUT ROWID;
                CREATE TABLE receivable_state (receivableId TEXT PRIMARY KEY, state TEXT NOT NULL, period TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE dir_client (id TEXT PRIMARY KEY, name TEXT NOT NULL, inn TEXT, managerId TEXT);
                CREATE INDEX dir_client_inn ON dir_client(inn) WHERE inn IS NOT NULL;
                CREATE TABLE dir_deal (id TEXT PRIMARY KEY, clientId TEXT NOT NULL, managerId TEXT NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL);
                CREATE TABLE dir_manager (id TEXT PRIMARY KEY, name TEXT NOT NULL);
                """)
            try db.execute(sql: RejectedInput.tableSQL)
        }
        migrator.registerMigration("accounting.v2-receivable-amounts") { db in
            // What was last told of each announced item, so a partial payment is told too.
            try db.execute(sql: "ALTER TABLE receivable_state ADD COLUMN outstanding INTEGER")
        }
        migrator.registerMigration("accounting.v3-document-in-file") { db in
            // A statement's document is kept where it already is — in the kept file — instead of
            // a JSON copy of its fields per row; `fields` stays for pushed documents and old rows.
            try db.execute(sql: """
                ALTER TABLE payment ADD COLUMN documentOffset INTEGER;
                ALTER TABLE payment ADD COLUMN documentLength INTEGER;
                """)
        }
        migrator.registerMigration("accounting.v4-payment-identity-by-id") { db in
            // A payment's id is a hash of its identity, and the id is the primary key: the
            // identity's own unique index checked the same thing again, a sixth index written per
            // document imported. SQLite drops a column constraint only by building the table anew.
            let columns = """
                id, identity, kind, number, documentDate, amount, currency, direction, receivedOn, debitedOn, payerName, payerInn,
                payerKpp, payerAccount, payeeName, payeeInn, payeeAccount, purpose, clientId, dealId, managerId, matchedBy, manual,
                unallocated, revision, source, importId, line, fields, createdAt, documentOffset, documentLength
                """
            try db.execute(sql: """
                CREATE TABLE payment_new (
                    id TEXT PRIMARY KEY, identity TEXT NOT NULL, kind TEXT NOT NULL, number TEXT NOT NULL,
                    documentDate TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, direction TEXT NOT NULL,
                    receivedOn TEXT, debitedOn TEXT, payerName TEXT NOT NULL, payerInn TEXT, payerKpp TEXT, payerAccount TEXT,
                    payeeName TEXT NOT NULL, payeeInn TEXT, payeeAccount TEXT, purpose TEXT NOT NULL,
                    clientId TEXT, dealId TEXT, managerId TEXT, matchedBy TEXT, manual INTEGER NOT NULL DEFAULT 0,
                    unallocated INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 1,
                    source TEXT NOT NULL, importId INTEGER, line INTEGER, fields TEXT NOT NULL, createdAt REAL NOT NULL,
                    documentOffset INTEGER, documentLength INTEGER
                );
                INSERT INTO payment_new (\(columns)) SELECT \(columns) FROM payment ORDER BY rowid;
                DROP TABLE payment;
                ALTER TABLE payment_new RENAME TO payment;
                CREATE INDEX payment_day ON payment(direction, receivedOn);
                CREATE INDEX payment_client ON payment(clientId);
                CREATE INDEX payment_manager ON payment(managerId, receivedOn);
                CREATE INDEX payment_waiting ON payment(payerInn) WHERE direction = 'incoming' AND manual = 0 AND (clientId IS NULL OR unallocated > 0);
                """)
        }
        migrator.registerMigration("accounting.v5-payment-list-day") { db in
            // The payment list (`GET /payments`) sorts by the listed day, newest first, then id: an
            // index on exactly that reads the first page instead of sorting every payment.
            try db.execute(sql: """
                DROP INDEX payment_day;
                CREATE INDEX payment_day ON payment(direction, \(paymentDay) DESC, id);
                """)
        }
    }
}
