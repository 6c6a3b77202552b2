import Contracts
import Foundation
import GRDB
import ServiceKit

/// A quota: a target for one metric over one period, for a manager, a team or the company,
/// optionally within a product category, region, segment or lead source.
struct Plan: Codable, Sendable, Equatable {
    enum Scope: String, Codable, Sendable { case manager, team, company }

    var id: String
    var scope: Scope
    var subjectId: String?
    var metric: Metric
    var period: String
    var category: String?
    var region: String?
    var segment: String?
    var source: String?
    var target: Int64
    var createdBy: String?
    var createdAt: Date
    var version: Int

    init(row: Row) {
        id = row["id"]; scope = Scope(rawValue: row["scope"]) ?? .company; subjectId = row["subjectId"]
        metric = Metric(rawValue: row["metric"]) ?? .wonAmount; period = row["period"]; category = row["category"]
        region = row["region"]; segment = row["segment"]; source = row["source"]; target = row["target"]
        createdBy = row["createdBy"]; createdAt = Date(timeIntervalSince1970: row["createdAt"]); version = row["version"]
    }

    init(id: String, scope: Scope, subjectId: String?, metric: Metric, period: String, category: String?, region: String?,
         segment: String?, source: String?, target: Int64, createdBy: String?, createdAt: Date, version: Int) {
        self.id = id; self.scope = scope; self.subjectId = subjectId; self.metric = metric; self.period = period
        self.category = category; self.region = region; self.segment = segment; self.source = source; self.target = target
        self.createdBy = createdBy; self.createdAt = createdAt; self.version = version
    }

    static func all(_ db: Database, period: String? = nil) throws -> [Plan] {
        if let period {
            return try Row.fetchAll(db, sql: "SELECT * FROM plan WHERE period = ? ORDER BY id", arguments: [period]).map(Plan.init(row:))
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM plan ORDER BY id").map(Plan.init(row:))
    }

    static func find(_ id: String, _ db: Database) throws -> Plan? {
        try Row.fetchOne(db, sql: "SELECT * FROM plan WHERE id = ?", arguments: [id]).map(Plan.init(row:))
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO plan(id, scope, subjectId, metric, period, category, region, segment, source, target, createdBy, createdAt, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, scope.rawValue, subjectId, metric.rawValue, period, category, region, segment, source, target, createdBy,
                             createdAt.timeIntervalSince1970, version])
        try db.execute(sql: "INSERT INTO plan_change(planId, at, byUser, fromTarget, toTarget, reason) VALUES (?, ?, ?, NULL, ?, 'set')",
                       arguments: [id, createdAt.timeIntervalSince1970, createdBy, target])
    }

    /// A new plan, checked: a known period, a positive target, a subject for team and manager
    /// plans (an existing manager) and none for the company's.
    static func create(scope: Scope, subjectId: String?, metric: Metric, period: String, category: String? = nil, region: String? = nil,
                       segment: String? = nil, source: String? = nil, target: Int64, by user: String?, _ db: Database) throws -> Plan {
        guard Period(period) != nil else { throw Problem.invalid("period", "must be 2026-11, 2026-Q4, 2026-H2 or 2026") }
        guard target > 0 else { throw Problem.invalid("target", "must be positive (kopecks, a count or seconds, by the metric)") }
        guard (scope == .company) == (subjectId == nil) else {
            throw Problem.invalid("subjectId", scope == .company ? "must be absent for the company" : "is required for a \(scope.rawValue) plan")
        }
        if scope == .manager, try Int.fetchOne(db, sql: "SELECT 1 FROM dir_manager WHERE id = ?", arguments: [subjectId]) == nil {
            throw Problem.invalid("subjectId", "names no manager \(subjectId ?? "")")
        }
        let plan = Plan(id: "plan-" + UUID().uuidString.prefix(8).lowercased(), scope: scope, subjectId: subjectId, metric: metric,
                        period: period, category: category, region: region, segment: segment, source: source,
                        target: target, createdBy: user, createdAt: Date(), version: 1)
        try plan.insert(db)
        return plan
    }

    /// A mid-period correction: the target changes, the change is kept with who, when and why.
    static func correct(_ id: String, to target: Int64, expectedVersion: Int?, by user: String?, reason: String?, _ db: Database) throws -> Plan {
        guard var plan = try find(id, db) else { throw Problem.notFound("no plan \(id)") }
        if let expectedVersion, expectedVersion != plan.version {
            throw Problem.conflict("plan \(id) is at version \(plan.version), not \(expectedVersion)", field: "version")
        }
        guard target != plan.target else { return plan }
        let now = Date()
        try db.execute(sql: "INSERT INTO plan_change(planId, at, byUser, fromTarget, toTarget, reason) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [id, now.timeIntervalSince1970, user, plan.target, target, reason])
        plan.target = target
        plan.version += 1
        try db.execute(sql: "UPDATE plan SET target = ?, version = ? WHERE id = ?", arguments: [target, plan.version, id])
        return plan
    }

    struct Change: Codable, Sendable {
        var at: String
        var by: String?
        var from: Int64?
        var to: Int64
        var reason: String?
    }

    static func history(_ id: String, _ db: Database) throws -> [Change] {
        try Row.fetchAll(db, sql: "SELECT at, byUser, fromTarget, toTarget, reason FROM plan_change WHERE planId = ? ORDER BY at, rowid",
                         arguments: [id]).map {
            Change(at: Timestamp.format(Date(timeIntervalSince1970: $0["at"])), by: $0["byUser"], from: $0["fromTarget"], to: $0["toTarget"],
                   reason: $0["reason"])
        }
    }
}
