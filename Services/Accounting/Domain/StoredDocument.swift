import Contracts
import Foundation
import GRDB
import ServiceKit

/// A stored payment's document as its sender wrote it, every key included (those Pacer does not
/// read too): a statement's document is read again from the kept statement file, where the
/// import noted its bytes; a pushed one comes from the JSON kept with it.
struct StoredDocument: Encodable, Sendable {
    struct Field: Encodable, Sendable, Equatable {
        var key: String
        var value: String
        /// The line in the statement file (nil for a pushed document).
        var line: Int?
    }

    var paymentId: String
    var source: String
    var importId: Int64?
    var fileName: String?
    var fields: [Field]

    /// Where to find a payment's document, read inside a transaction; the file is read after it.
    struct Location: Sendable {
        var paymentId: String
        var source: String
        var fieldsJSON: String
        var importId: Int64?
        var fileName: String?
        var path: String?
        var encoding: String?
        var line: Int?
        var offset: Int?
        var length: Int?
    }

    static func locate(_ paymentId: String, _ db: Database) throws -> Location? {
        try Row.fetchOne(db, sql: """
            SELECT p.source, p.fields, p.importId, p.line, p.documentOffset, p.documentLength, s.fileName, s.storedPath, s.encoding
            FROM payment p LEFT JOIN statement_import s ON s.id = p.importId WHERE p.id = ?
            """, arguments: [paymentId]).map {
            Location(paymentId: paymentId, source: $0["source"], fieldsJSON: $0["fields"], importId: $0["importId"], fileName: $0["fileName"],
                     path: $0["storedPath"], encoding: $0["encoding"], line: $0["line"], offset: $0["documentOffset"], length: $0["documentLength"])
        }
    }

    static func read(_ location: Location) throws -> StoredDocument {
        var document = StoredDocument(paymentId: location.paymentId, source: location.source, importId: location.importId,
                                      fileName: location.fileName, fields: [])
        guard let offset = location.offset, let length = location.length, let path = location.path else {
            let pairs = try JSONDecoder().decode([[String]].self, from: Data((location.fieldsJSON.isEmpty ? "[]" : location.fieldsJSON).utf8))
            document.fields = pairs.compactMap { $0.count == 2 ? Field(key: $0[0], value: $0[1], line: nil) : nil }
            return document
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Problem(.notFound, "the statement file of import \(location.importId.map(String.init) ?? "?") is no longer kept (\(path))")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let bytes = try handle.read(upToCount: length) ?? Data()
        var parser = BankStatementParser(encoding: location.encoding.flatMap(StatementEncoding.init(rawValue:)))
        var found: BankDocument?
        let take: (BankStatementParser.Output) -> Void = { if case .document(let parsed) = $0, found == nil { found = parsed } }
        parser.feed(bytes, take)
        parser.finish(take)
        guard let found, bytes.count == length else {
            throw Problem(.conflict, "the statement file of import \(location.importId.map(String.init) ?? "?") no longer holds this document at byte \(offset)")
        }
        let first = location.line ?? 1
        document.fields = [Field(key: "СекцияДокумент", value: found.kind, line: first)]
            + found.fields.map { Field(key: $0.key, value: $0.value, line: first + $0.line - 1) }
        return document
    }
}
