import Contracts
import Foundation
import GRDB
import ServiceKit

/// Bulk import of clients and deals from CSV with a header row (UTF-8 or Windows-1251, `,`
/// separated, as spreadsheets export). Each row goes in through the same commands as the API, in
/// a savepoint of its own: a bad row is reported with its line number and reason and kept in
/// `rejected_input`; the good rows are imported. Importing the same file again imports nothing:
/// clients are found by INN, deals by `externalId`.
///
/// Clients: name, kind, inn, kpp, phones (`;`-separated), emails (`;`), managerId, segment, region, source.
/// Deals: externalId, title, clientId or clientInn, managerId, amount (rubles, `1234.50`), currency,
/// category, region, segment, source, stageId, expectedCloseDate.
struct CSVImport {
    struct Report: Encodable, Sendable {
        struct Rejected: Encodable, Sendable { var line: Int; var reason: String }
        var rows = 0
        var imported = 0
        var duplicates = 0
        var rejected: [Rejected] = []
    }

    enum Kind: String { case clients, deals }

    let commands: DealsCommands
    let kind: Kind
    /// A manager importing brings in their own clients and deals only.
    let ownManagerId: String?

    func run(_ bytes: [UInt8], _ db: Database) throws -> Report {
        var reader = CSVReader()
        var records: [CSVReader.Record] = []
        reader.feed(bytes) { records.append($0) }
        reader.finish { records.append($0) }
        var report = Report()
        guard let header = records.first else { return report }
        let columns = Dictionary(header.fields.enumerated().map {
            (CSVReader.text($0.element).trimmingCharacters(in: .whitespaces).lowercased(), $0.offset)
        }, uniquingKeysWith: { first, _ in first })
        let required = kind == .clients ? ["name"] : ["title", "amount"]
        for name in required where columns[name] == nil {
            throw Problem.invalid("header", "needs a `\(name)` column")
        }
        for record in records.dropFirst() {
            report.rows += 1
            let fields = record.fields.map(CSVReader.text)
            func column(_ name: String) -> String? {
                guard let index = columns[name.lowercased()], index < fields.count else { return nil }
                let value = fields[index].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            do {
                try commands.outbox.savepoint(db) {
                    _ = try (kind == .clients ? importClient(column, db) : importDeal(column, db))
                }
                if try lastWasDuplicate(db) { report.duplicates += 1 } else { report.imported += 1 }
            } catch let problem as Problem {
                let reason = (problem.field.map { "\($0): " } ?? "") + problem.detail
                if problem.status == .conflict && (problem.field == "inn" || problem.field == "externalId") {
                    report.duplicates += 1
                    continue
                }
                report.rejected.append(.init(line: record.line, reason: reason))
                try reject(record, reason: reason, db)
            }
        }
        return report
    }

    // A row that matched an existing record commits nothing; remember that for the report.
    private final class Flag: @unchecked Sendable { var duplicate = false }
    private let flag = Flag()
    private func lastWasDuplicate(_ db: Database) throws -> Bool {
        defer { flag.duplicate = false }
        return flag.duplicate
    }

    private func importClient(_ column: (String) -> String?, _ db: Database) throws -> Bool {
        let managerId = ownManagerId ?? column("managerId")
        if let asked = column("managerId"), let own = ownManagerId, asked != own {
            throw Problem(.forbidden, "a manager imports their own clients only", field: "managerId")
        }
        let input = DealsCommands.ClientInput(
            kind: column("kind") ?? "company", name: column("name") ?? "", inn: column("inn"), kpp: column("kpp"),
            phones: (column("phones") ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) },
            emails: (column("emails") ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) },
            managerId: managerId, segment: column("segment"), region: column("region"), source: column("source"))
        _ = try commands.createClient(input, db)
        return true
    }

    private func importDeal(_ column: (String) -> String?, _ db: Database) throws -> Bool {
        if let external = column("externalId"),
           try Bool.fetchOne(db, sql: "SELECT 1 FROM deal WHERE externalId = ?", arguments: [external]) == true {
            flag.duplicate = true
            return false
        }
        guard let title = column("title") else { throw Problem.invalid("title", "must not be empty") }
        guard let amountText = column("amount"), let kopecks = Money.parseKopecks(amountText), kopecks >= 0 else {
            throw Problem.invalid("amount", "must be rubles like 1234.50")
        }
        var clientId = column("clientId")
        if clientId == nil, let inn = column("clientInn") {
            clientId = try String.fetchOne(db, sql: "SELECT id FROM client WHERE inn = ?", arguments: [inn])
            if clientId == nil { throw Problem.invalid("clientInn", "names no client (\(inn))") }
        }
        guard let clientId else { throw Problem.invalid("clientId", "or clientInn is required") }
        let managerId = ownManagerId ?? column("managerId")
        guard let managerId else { throw Problem.invalid("managerId", "is required") }
        if let date = column("expectedCloseDate"), !CalendarDate.isValid(date) { throw Problem.invalid("expectedCloseDate", "must be a date YYYY-MM-DD") }
        _ = try commands.createDeal(.init(
            title: title, clientId: clientId, managerId: managerId, amount: Money(kopecks: kopecks, currency: column("currency") ?? "RUB"),
            category: column("category"), region: column("region"), segment: column("segment"), source: column("source"),
            pipelineId: column("pipelineId") ?? "sales", stageId: column("stageId"), expectedCloseDate: column("expectedCloseDate"),
            externalId: column("externalId")), db)
        return true
    }

    private func reject(_ record: CSVReader.Record, reason: String, _ db: Database) throws {
        try RejectedInput.record(source: "import-\(kind.rawValue)", line: record.line, reason: reason, raw: CSVReader.text(record.raw), db)
    }
}
