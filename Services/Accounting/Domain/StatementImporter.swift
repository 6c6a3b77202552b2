import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Imports one 1CClientBankExchange file in one transaction: every good document stored once,
/// every bad one kept with its lines for review, the file's own accounts learned — and nothing at
/// all when the import fails half-way.
struct StatementImporter {
    let store: PaymentStore
    /// Accounts configured as the company's (`PACER_COMPANY_ACCOUNTS`); statements add theirs.
    var companyAccounts: Set<String> = []
    /// Documents handed from the reading thread to the writer at a time.
    var batchSize = 500

    struct Summary: Codable, Sendable {
        struct Rejected: Codable, Sendable { var firstLine: Int; var lastLine: Int; var reason: String }
        struct Warning: Codable, Sendable { var line: Int; var message: String }
        /// An account section's stated turnover beside what the file's documents add up to.
        struct Turnover: Codable, Sendable {
            var account: String
            var statedIncoming: Money?
            var countedIncoming: Money
            var statedOutgoing: Money?
            var countedOutgoing: Money
            var agrees: Bool
        }

        var importId: Int64 = 0
        var fileName: String
        var encoding: String = ""
        var formatVersion: String?
        var documents = 0
        var incoming = 0
        var outgoing = 0
        var transfers = 0
        var unknownDirection = 0
        var duplicates = 0
        var matched = 0
        var unmatched = 0
        var incomingTotal = Money(kopecks: 0)
        var outgoingTotal = Money(kopecks: 0)
        var rejected: [Rejected] = []
        var warnings: [Warning] = []
        var turnover: [Turnover] = []
        var complete = true

        var text: String {
            var lines = ["\(fileName) (\(encoding)\(formatVersion.map { ", format \($0)" } ?? "")): documents \(documents): "
                         + "incoming \(incoming), outgoing \(outgoing), transfers \(transfers), unknown \(unknownDirection); "
                         + "duplicates \(duplicates), matched \(matched), unmatched \(unmatched), rejected \(rejected.count)"]
            lines.append("incoming \(Money.decimalString(incomingTotal.kopecks)), outgoing \(Money.decimalString(outgoingTotal.kopecks))")
            for check in turnover where !check.agrees {
                lines.append("account \(check.account): the statement says in \(check.statedIncoming.map { Money.decimalString($0.kopecks) } ?? "—") / "
                             + "out \(check.statedOutgoing.map { Money.decimalString($0.kopecks) } ?? "—"), the documents add up to "
                             + "\(Money.decimalString(check.countedIncoming.kopecks)) / \(Money.decimalString(check.countedOutgoing.kopecks))")
            }
            for reject in rejected.prefix(50) { lines.append("  lines \(reject.firstLine)–\(reject.lastLine): \(reject.reason)") }
            if rejected.count > 50 { lines.append("  … and \(rejected.count - 50) more (GET /rejected)") }
            for warning in warnings.prefix(20) { lines.append("  line \(warning.line): \(warning.message)") }
            return lines.joined(separator: "\n")
        }
    }

    /// Reads `path` — a file kept already, whose SHA-256 is `sha256` — and stores its documents
    /// inside the caller's transaction. The file is parsed and its documents decided on —
    /// duplicates, matches, events — on threads of their own (`StatementReader`, `ImportPreparer`)
    /// while this one writes them.
    func importFile(at path: String, fileName: String, source: String, sha256: String, size: Int, _ db: Database,
                    progress: (Int) -> Void = { _ in }) throws -> Summary {
        try importFile(at: path, fileName: fileName, source: source, kept: sha256, spool: nil, size: size, db, progress: progress)
    }

    /// Reads `path` and keeps it in `spool` as it goes — on the parsing thread, the bytes it parses —
    /// and records the kept copy (its path and SHA-256) once the file is read through.
    func importFile(at path: String, fileName: String, source: String, keeping spool: StatementSpool, size: Int, _ db: Database,
                    progress: (Int) -> Void = { _ in }) throws -> Summary {
        try importFile(at: path, fileName: fileName, source: source, kept: nil, spool: spool, size: size, db, progress: progress)
    }

    private func importFile(at path: String, fileName: String, source: String, kept sha256: String?, spool: StatementSpool?, size: Int,
                            _ db: Database, progress: (Int) -> Void) throws -> Summary {
        guard FileManager.default.isReadableFile(atPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        // With a spool, where the file is kept and its digest are known at the end (below).
        try db.execute(sql: """
            INSERT INTO statement_import(fileName, sha256, bytes, storedPath, source, importedAt, summary) VALUES (?, ?, ?, ?, ?, ?, '{}')
            """, arguments: [fileName, sha256 ?? "", size, spool == nil ? path : nil, source, Date().timeIntervalSince1970])
        var summary = Summary(fileName: fileName)
        summary.importId = db.lastInsertedRowID
        var own = companyAccounts.union(try String.fetchAll(db, sql: "SELECT account FROM own_account"))
        var sections: [BankStatementParser.AccountSection] = []
        // Begun after the import's first write (above), so its reading connection sees what this
        // transaction sees.
        let preparer = ImportPreparer(store: store, ownAccounts: own, databasePath: db.filePath, statementSize: size,
                                      nextSeq: try store.outbox.nextSeq(stream: StreamName.accounting, db))

        let paymentInsert = try store.paymentInsert(db)

        func learn(_ account: String) throws {
            guard own.insert(account).inserted else { return }
            try db.execute(sql: "INSERT OR IGNORE INTO own_account(account, source, addedAt) VALUES (?, ?, ?)",
                           arguments: [account, "statement:\(fileName)", Date().timeIntervalSince1970])
        }
        func count(_ direction: PaymentDirection, _ amount: Int64) {
            summary.documents += 1
            switch direction {
            case .incoming: summary.incoming += 1; summary.incomingTotal.kopecks += amount
            case .outgoing: summary.outgoing += 1; summary.outgoingTotal.kopecks += amount
            case .transfer: summary.transfers += 1
            case .unknown: summary.unknownDirection += 1
            }
        }
        func take(_ item: StatementReader.Item) throws {
            // A document is the one item with a draft.
            if let amount = item.draft?.amount {
                switch item.decision {
                case nil:
                    return
                case .duplicate(let known)?:
                    count(known, amount)
                    summary.duplicates += 1
                case .store(let prepared)?:
                    count(prepared.direction, amount)
                    try store.write(prepared, db, using: paymentInsert)
                    if let isMatched = prepared.match?.isMatched {
                        if isMatched { summary.matched += 1 } else { summary.unmatched += 1 }
                    }
                }
                return
            }
            if let account = item.output.ownAccount { try learn(account) }
            switch item.output {
            case .header, .document:
                break
            case .account(let section):
                sections.append(section)
            case .rejected(let rejection):
                summary.rejected.append(.init(firstLine: rejection.firstLine, lastLine: rejection.lastLine, reason: rejection.reason))
                try RejectedInput.record(source: "statement:\(fileName)", line: rejection.firstLine, reason: rejection.reason, raw: rejection.raw, db)
            case .warning(let line, let message):
                if summary.warnings.count < 1000 { summary.warnings.append(.init(line: line, message: message)) }
            }
        }

        var tee: (@Sendable (Data) throws -> Void)?
        if let spool { tee = { try spool.write($0) } }
        let reader = StatementReader(path: path, source: source, importId: summary.importId, preparer: preparer, batchSize: batchSize, tee: tee)
        do {
            while let batch = try reader.next() {
                for item in batch.items { try take(item) }
                try InvoiceBook.write(batch.invoiceChanges, db)
                progress(batch.read)
                reader.recycle(batch)
            }
        } catch {
            reader.cancel()
            throw error
        }
        try preparer.book?.flush(into: db)
        guard let parser = reader.end, parser.recognised else {
            throw Problem.invalid("body", "is not a 1CClientBankExchange statement: no `1CClientBankExchange` line, account section or document")
        }
        if let spool {
            let kept = try spool.finish()
            try db.execute(sql: "UPDATE statement_import SET sha256 = ?, bytes = ?, storedPath = ? WHERE id = ?",
                           arguments: [kept.sha256, kept.size, kept.path, summary.importId])
        }
        summary.encoding = parser.encoding?.rawValue ?? ""
        summary.formatVersion = parser.formatVersion
        summary.complete = parser.sawFileEnd
        if sections.count == 1, let section = sections.first {
            let agrees = (section.totalIncoming ?? summary.incomingTotal.kopecks) == summary.incomingTotal.kopecks
                && (section.totalOutgoing ?? summary.outgoingTotal.kopecks) == summary.outgoingTotal.kopecks
            summary.turnover = [.init(account: section.account, statedIncoming: section.totalIncoming.map { Money(kopecks: $0) },
                                      countedIncoming: summary.incomingTotal, statedOutgoing: section.totalOutgoing.map { Money(kopecks: $0) },
                                      countedOutgoing: summary.outgoingTotal, agrees: agrees)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.execute(sql: "UPDATE statement_import SET encoding = ?, summary = ? WHERE id = ?",
                       arguments: [summary.encoding, String(decoding: try encoder.encode(summary), as: UTF8.self), summary.importId])
        return summary
    }
}
