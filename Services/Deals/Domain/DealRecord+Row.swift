import Contracts
import Foundation
import GRDB

/// Rows read and written column by column: every deal change reads the deal and writes it back,
/// and GRDB's Codable path (a keyed container per row) cost more than the SQL. Same columns and
/// same stored forms as the Codable path (dates as GRDB's text, the status as its raw value).
extension DealRecord {
    init(row: Row) throws {
        id = row["id"]
        title = row["title"]
        clientId = row["clientId"]
        managerId = row["managerId"]
        amountKopecks = row["amountKopecks"]
        currency = row["currency"]
        category = row["category"]
        region = row["region"]
        segment = row["segment"]
        source = row["source"]
        pipelineId = row["pipelineId"]
        stageId = row["stageId"]
        status = try row.rawValue("status", of: "deal \(id)")
        isRepeatSale = row["isRepeatSale"]
        problem = row["problem"]
        problemComment = row["problemComment"]
        lossReason = row["lossReason"]
        expectedCloseDate = row["expectedCloseDate"]
        createdAt = row["createdAt"]
        closedAt = row["closedAt"]
        version = row["version"]
        externalId = row["externalId"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["title"] = title
        container["clientId"] = clientId
        container["managerId"] = managerId
        container["amountKopecks"] = amountKopecks
        container["currency"] = currency
        container["category"] = category
        container["region"] = region
        container["segment"] = segment
        container["source"] = source
        container["pipelineId"] = pipelineId
        container["stageId"] = stageId
        container["status"] = status.rawValue
        container["isRepeatSale"] = isRepeatSale
        container["problem"] = problem
        container["problemComment"] = problemComment
        container["lossReason"] = lossReason
        container["expectedCloseDate"] = expectedCloseDate
        container["createdAt"] = createdAt
        container["closedAt"] = closedAt
        container["version"] = version
        container["externalId"] = externalId
    }
}

extension DealRecord {
    /// Writes every column of an existing deal back through one cached statement: the query
    /// interface's `update` builds its SQL and a container per call, and every change of a deal
    /// ends here.
    func writeBack(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE deal SET title = ?, clientId = ?, managerId = ?, amountKopecks = ?, currency = ?, category = ?, region = ?,
                segment = ?, source = ?, pipelineId = ?, stageId = ?, status = ?, isRepeatSale = ?, problem = ?, problemComment = ?,
                lossReason = ?, expectedCloseDate = ?, createdAt = ?, closedAt = ?, version = ?, externalId = ?
            WHERE id = ?
            """)
        statement.setUncheckedArguments([
            title, clientId, managerId, amountKopecks, currency, category, region, segment, source, pipelineId, stageId,
            status.rawValue, isRepeatSale, problem, problemComment, lossReason, expectedCloseDate, createdAt, closedAt, version,
            externalId, id,
        ])
        try executeUpdate(statement, db)
    }
}

extension DealRecord {
    /// A stage move's write: the stage and the version, nothing else changed.
    func writeStage(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: "UPDATE deal SET stageId = ?, version = ? WHERE id = ?")
        statement.setUncheckedArguments([stageId, version, id])
        try executeUpdate(statement, db)
    }

    /// Runs an UPDATE of this deal's row; a deal that is not there is an error, as GRDB's `update`.
    private func executeUpdate(_ statement: Statement, _ db: Database) throws {
        try statement.execute()
        guard db.changesCount == 1 else { throw RecordError.recordNotFound(databaseTableName: "deal", key: ["id": id.databaseValue]) }
    }
}

extension StageRecord {
    /// Read twice with every deal change (the move's target, the answer's department and
    /// probability), so read by column, like `DealRecord`.
    init(row: Row) throws {
        pipelineId = row["pipelineId"]
        id = row["id"]
        name = row["name"]
        position = row["position"]
        probability = row["probability"]
        department = row["department"]
        kind = try row.rawValue("kind", of: "stage \(id)")
    }
}

extension HistoryRecord {
    /// Appends the line through one cached statement (a line is written with every deal change).
    mutating func append(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO deal_history(dealId, at, authorId, kind, fromStageId, toStageId, fromStatus, toStatus, fromManagerId,
                toManagerId, fromAmount, toAmount, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.setUncheckedArguments([
            dealId, at, authorId, kind, fromStageId, toStageId, fromStatus, toStatus, fromManagerId, toManagerId, fromAmount,
            toAmount, comment,
        ])
        try statement.execute()
        id = db.lastInsertedRowID
    }
}

extension Row {
    /// A column holding an enum's raw value; a value the enum does not know is an error naming
    /// the row, not a crash.
    fileprivate func rawValue<Value: RawRepresentable>(_ column: String, of what: String) throws -> Value where Value.RawValue == String {
        let text: String = self[column]
        guard let value = Value(rawValue: text) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "\(what) has an unknown \(column) \(text)")
        }
        return value
    }
}
