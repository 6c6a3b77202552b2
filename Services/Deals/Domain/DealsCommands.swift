import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Every change the deals service makes: the state change, its history line and its event, in the
/// caller's transaction. Refusals are `Problem`s (409 for illegal moves and stale versions, 422 for
/// bad values, 404 for unknown references).
struct DealsCommands {
    let outbox: OutboxStore
    let author: AuthUser?
    let correlationId: String?
    var now: Date = Date()
    /// The deal as the route read it at the start of this same transaction (to check who owns it),
    /// so the command does not read it again. Commands read their deal first, before changing it.
    var current: DealRecord?

    func emit<P: EventPayload>(_ payload: P, _ db: Database) throws {
        try outbox.append(payload, stream: StreamName.deals, occurredAt: now, correlationId: correlationId, in: db)
    }

    // MARK: Lookups

    // Hot lookups go through cached statements: the query interface prepares (and authorizes)
    // its SQL anew on every call, which was a third of a stage change's cost.

    func stage(_ pipelineId: String, _ stageId: String, _ db: Database) throws -> StageRecord? {
        try StageRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM stage WHERE pipelineId = ? AND id = ?"), arguments: [pipelineId, stageId])
    }

    func stages(_ pipelineId: String, _ db: Database) throws -> [StageRecord] {
        try StageRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM stage WHERE pipelineId = ? ORDER BY position"), arguments: [pipelineId])
    }

    func deal(_ id: String, _ db: Database) throws -> DealRecord {
        if let current, current.id == id { return current }
        guard let deal = try DealRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM deal WHERE id = ?"), arguments: [id]) else {
            throw Problem.notFound("no deal \(id)")
        }
        return deal
    }

    func state(_ deal: DealRecord, _ db: Database) throws -> DealState {
        guard let stage = try stage(deal.pipelineId, deal.stageId, db) else { throw Problem.notFound("no stage \(deal.stageId)") }
        return deal.state(stage: stage)
    }

    func activeManager(_ id: String, field: String, _ db: Database) throws -> ManagerRecord {
        guard let manager = try ManagerRecord.fetchOne(db, key: id) else { throw Problem.invalid(field, "names no manager (\(id))") }
        guard manager.active else { throw Problem.invalid(field, "names an inactive manager (\(id))") }
        return manager
    }

    /// A stale version is a concurrent edit: refuse it rather than overwrite what someone else saved.
    func checkVersion(_ deal: DealRecord, _ version: Int) throws {
        guard deal.version == version else {
            throw Problem(.conflict, "deal \(deal.id) is at version \(deal.version), not \(version): reload and retry", field: "version")
        }
    }

    func history(_ deal: DealRecord, kind: String, from: DealRecord? = nil, comment: String? = nil, _ db: Database) throws {
        var line = HistoryRecord(
            id: nil, dealId: deal.id, at: now, authorId: author?.userId, kind: kind,
            fromStageId: from?.stageId, toStageId: deal.stageId, fromStatus: from?.status.rawValue, toStatus: deal.status.rawValue,
            fromManagerId: from?.managerId, toManagerId: deal.managerId, fromAmount: from?.amountKopecks,
            toAmount: deal.amountKopecks, comment: comment)
        try line.append(db)
    }

    // MARK: Deals

    struct NewDeal {
        var title: String
        var clientId: String
        var managerId: String
        var amount: Money
        var category: String?
        var region: String?
        var segment: String?
        var source: String?
        var pipelineId: String
        var stageId: String?
        var expectedCloseDate: String?
        var externalId: String?
    }

    func createDeal(_ new: NewDeal, _ db: Database) throws -> DealRecord {
        guard let client = try ClientRecord.fetchOne(db, key: new.clientId) else { throw Problem.invalid("clientId", "names no client (\(new.clientId))") }
        _ = try activeManager(new.managerId, field: "managerId", db)
        let all = try stages(new.pipelineId, db)
        guard !all.isEmpty else { throw Problem.invalid("pipelineId", "names no pipeline (\(new.pipelineId))") }
        let openStages = all.filter { $0.kind == .open }
        let stage: StageRecord
        if let stageId = new.stageId {
            guard let found = openStages.first(where: { $0.id == stageId }) else {
                throw Problem.invalid("stageId", "must be an open stage of pipeline \(new.pipelineId)")
            }
            stage = found
        } else {
            guard let first = openStages.first else { throw Problem.invalid("pipelineId", "has no open stage") }
            stage = first
        }
        // A repeat sale is one to a client who has bought before.
        let repeatSale = try Bool.fetchOne(db, sql: "SELECT 1 FROM deal WHERE clientId = ? AND status = 'won' LIMIT 1", arguments: [client.id]) ?? false
        let deal = DealRecord(
            id: EventID.make(at: now), title: new.title, clientId: client.id, managerId: new.managerId,
            amountKopecks: new.amount.kopecks, currency: new.amount.currency, category: new.category,
            region: new.region ?? client.region, segment: new.segment ?? client.segment, source: new.source ?? client.source,
            pipelineId: new.pipelineId, stageId: stage.id, status: .open, isRepeatSale: repeatSale, problem: false,
            problemComment: nil, lossReason: nil, expectedCloseDate: new.expectedCloseDate, createdAt: now, closedAt: nil, version: 1,
            externalId: new.externalId)
        try deal.insert(db)
        try history(deal, kind: "created", db)
        try emit(DealCreated(deal: deal.state(stage: stage), authorId: author?.userId), db)
        return deal
    }

    struct DealPatch {
        var title: String?
        var amount: Money?
        var category: String?
        var region: String?
        var segment: String?
        var source: String?
        var expectedCloseDate: String?
    }

    func updateDeal(_ id: String, version: Int, _ patch: DealPatch, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        var deal = before
        if let title = patch.title { deal.title = title }
        if let amount = patch.amount { deal.amountKopecks = amount.kopecks; deal.currency = amount.currency }
        if let category = patch.category { deal.category = category }
        if let region = patch.region { deal.region = region }
        if let segment = patch.segment { deal.segment = segment }
        if let source = patch.source { deal.source = source }
        if let date = patch.expectedCloseDate { deal.expectedCloseDate = date }
        guard deal != before else { return before }
        deal.version += 1
        try deal.writeBack(db)
        if deal.amount != before.amount {
            try history(deal, kind: "amount_changed", from: before, db)
            try emit(DealAmountChanged(deal: try state(deal, db), from: before.amount, to: deal.amount, authorId: author?.userId), db)
        }
        var changed: [String] = []
        if deal.title != before.title { changed.append("title") }
        if deal.category != before.category { changed.append("category") }
        if deal.region != before.region { changed.append("region") }
        if deal.segment != before.segment { changed.append("segment") }
        if deal.source != before.source { changed.append("source") }
        if deal.expectedCloseDate != before.expectedCloseDate { changed.append("expectedCloseDate") }
        if !changed.isEmpty {
            try history(deal, kind: "updated", from: before, comment: changed.joined(separator: ","), db)
            try emit(DealUpdated(deal: try state(deal, db), changedFields: changed, authorId: author?.userId), db)
        }
        return deal
    }

    func move(_ id: String, to stageId: String, version: Int, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        guard before.status == .open else {
            throw Problem(.conflict, "deal \(id) is \(before.status.rawValue): reopen it before moving it", field: "stageId")
        }
        guard let target = try stage(before.pipelineId, stageId, db) else {
            throw Problem.invalid("stageId", "names no stage of pipeline \(before.pipelineId)")
        }
        guard target.kind == .open else {
            throw Problem.invalid("stageId", "is a closing stage: use /win or /lose")
        }
        guard target.id != before.stageId else { return before }
        var deal = before
        deal.stageId = target.id
        deal.version += 1
        try deal.writeStage(db)
        try history(deal, kind: "stage_changed", from: before, db)
        try emit(DealStageChanged(deal: deal.state(stage: target), fromStageId: before.stageId, toStageId: target.id, authorId: author?.userId), db)
        return deal
    }

    func win(_ id: String, version: Int, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        guard before.status == .open else { throw Problem(.conflict, "deal \(id) is already \(before.status.rawValue)") }
        let (deal, stage) = try close(before, as: .won, db)
        try emit(DealWon(deal: deal.state(stage: stage), fromStageId: before.stageId, authorId: author?.userId), db)
        return deal
    }

    /// Moves an open deal into its pipeline's won or lost stage, with its history line; the caller
    /// emits the event.
    private func close(_ before: DealRecord, as status: DealStatus, reason: String? = nil, comment: String? = nil,
                       _ db: Database) throws -> (DealRecord, StageRecord) {
        let kind: StageKind = status == .won ? .won : .lost
        guard let stage = try stages(before.pipelineId, db).first(where: { $0.kind == kind }) else {
            throw Problem(.conflict, "pipeline \(before.pipelineId) has no \(kind.rawValue) stage")
        }
        var deal = before
        deal.stageId = stage.id
        deal.status = status
        deal.lossReason = reason
        deal.closedAt = now
        deal.version += 1
        try deal.writeBack(db)
        try history(deal, kind: status.rawValue, from: before, comment: comment, db)
        return (deal, stage)
    }

    func lose(_ id: String, reason: String, comment: String?, version: Int, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        guard before.status == .open else { throw Problem(.conflict, "deal \(id) is already \(before.status.rawValue)") }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM loss_reason WHERE id = ?", arguments: [reason]) == true else {
            let known = try String.fetchAll(db, sql: "SELECT id FROM loss_reason ORDER BY id")
            throw Problem.invalid("reason", "must be one of \(known.joined(separator: ", "))")
        }
        let (deal, stage) = try close(before, as: .lost, reason: reason, comment: comment, db)
        try emit(DealLost(deal: deal.state(stage: stage), fromStageId: before.stageId, reason: reason, authorId: author?.userId), db)
        return deal
    }

    func reopen(_ id: String, stageId: String?, version: Int, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        guard before.status != .open else { throw Problem(.conflict, "deal \(id) is open already") }
        // Back to the stage it was closed from, unless told otherwise.
        let previous = try String.fetchOne(db, sql: """
            SELECT fromStageId FROM deal_history WHERE dealId = ? AND kind IN ('won', 'lost') ORDER BY id DESC LIMIT 1
            """, arguments: [id])
        let targetId = stageId ?? previous ?? "new"
        guard let target = try stage(before.pipelineId, targetId, db), target.kind == .open else {
            throw Problem.invalid("stageId", "must be an open stage of pipeline \(before.pipelineId)")
        }
        var deal = before
        deal.stageId = target.id
        deal.status = .open
        deal.lossReason = nil
        deal.closedAt = nil
        deal.version += 1
        try deal.writeBack(db)
        try history(deal, kind: "reopened", from: before, db)
        try emit(DealReopened(deal: deal.state(stage: target), previousStatus: before.status, authorId: author?.userId), db)
        return deal
    }

    func flag(_ id: String, problem: Bool, comment: String?, version: Int, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        guard before.problem != problem || before.problemComment != comment else { return before }
        var deal = before
        deal.problem = problem
        deal.problemComment = problem ? comment : nil
        deal.version += 1
        try deal.writeBack(db)
        try history(deal, kind: problem ? "flagged" : "unflagged", from: before, comment: comment, db)
        try emit(DealFlaggedProblem(deal: try state(deal, db), problem: problem, comment: comment, authorId: author?.userId), db)
        return deal
    }

    func reassign(_ id: String, to managerId: String, version: Int, _ db: Database) throws -> DealRecord {
        let before = try deal(id, db)
        try checkVersion(before, version)
        _ = try activeManager(managerId, field: "managerId", db)
        guard before.managerId != managerId else { return before }
        var deal = before
        deal.managerId = managerId
        deal.version += 1
        try deal.writeBack(db)
        try history(deal, kind: "reassigned", from: before, db)
        try emit(DealReassigned(deal: try state(deal, db), fromManagerId: before.managerId, toManagerId: managerId, authorId: author?.userId), db)
        return deal
    }
}
