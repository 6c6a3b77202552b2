import Contracts
import Foundation
import GRDB

/// The funnel and the diagnostics a head looks for: where deals go, where they stall and die,
/// who is forgotten, who calls a lot and sells little.
enum Reports {
    struct StageFigure: Codable, Sendable {
        var pipelineId: String
        var stageId: String
        var department: String
        var probability: Int
        /// Deals that were in this stage (created in the period).
        var deals: Int
        /// Of those, the share that reached the next stage, in percent.
        var conversionToNext: Double?
        /// Average days spent in the stage (finished visits).
        var averageDays: Double?
    }

    struct Funnel: Codable, Sendable {
        var created: Int
        var won: Int
        var lost: Int
        /// Won ÷ created, in percent.
        var overallConversion: Double
        var stages: [StageFigure]
        var lostByReason: [String: Int]
        var lostByStage: [String: Int]
        var averageDaysByDepartment: [String: Double]
        /// The stage at which most deals were lost.
        var worstStage: String?
    }

    static func funnel(managers: [String]?, period: Period, zone: TimeZone, _ db: Database) throws -> Funnel {
        let start = CalendarDay.start(period.firstDay, in: zone)!.timeIntervalSince1970
        let end = CalendarDay.start(CalendarDay.adding(1, to: period.lastDay)!, in: zone)!.timeIntervalSince1970
        var dealFilter: SQL = "d.createdAt >= \(start) AND d.createdAt < \(end)"
        if let managers { dealFilter += " AND d.managerId IN \(managers)" }
        let deals = try SQLRequest<Row>(literal: "SELECT d.id, d.status, d.lossReason, d.stageId FROM fact_deal d WHERE " + dealFilter).fetchAll(db)
        let visits = try SQLRequest<Row>(literal: "SELECT v.dealId, v.pipelineId, v.stageId, v.department, v.probability, v.enteredAt, v.leftAt "
            + "FROM fact_visit v JOIN fact_deal d ON d.id = v.dealId WHERE " + dealFilter + " ORDER BY v.dealId, v.position").fetchAll(db)
        // Stages in pipeline order: by win probability, then by when deals first reached them.
        var stageInfo: [String: (pipeline: String, stage: String, department: String, probability: Int, first: Double)] = [:]
        var reached: [String: Set<String>] = [:]
        var durations: [String: [Double]] = [:]
        var departmentDurations: [String: [Double]] = [:]
        for visit in visits {
            let key = "\(visit["pipelineId"] as String)/\(visit["stageId"] as String)"
            let entered: Double = visit["enteredAt"]
            if stageInfo[key] == nil || entered < stageInfo[key]!.first {
                stageInfo[key] = (visit["pipelineId"], visit["stageId"], visit["department"], visit["probability"], entered)
            }
            reached[key, default: []].insert(visit["dealId"])
            if let left: Double = visit["leftAt"] {
                durations[key, default: []].append(left - entered)
                departmentDurations[visit["department"], default: []].append(left - entered)
            }
        }
        let order = stageInfo.sorted { ($0.value.pipeline, $0.value.probability, $0.value.first) < ($1.value.pipeline, $1.value.probability, $1.value.first) }
        func days(_ values: [Double]?) -> Double? {
            guard let values, !values.isEmpty else { return nil }
            return (values.reduce(0, +) / Double(values.count) / 86_400 * 10).rounded() / 10
        }
        var stages: [StageFigure] = []
        for (index, entry) in order.enumerated() {
            let here = reached[entry.key] ?? []
            var conversion: Double?
            if index + 1 < order.count, order[index + 1].value.pipeline == entry.value.pipeline, !here.isEmpty {
                let next = reached[order[index + 1].key] ?? []
                conversion = (Double(here.intersection(next).count) * 10_000 / Double(here.count)).rounded() / 100
            }
            stages.append(StageFigure(pipelineId: entry.value.pipeline, stageId: entry.value.stage, department: entry.value.department,
                                      probability: entry.value.probability, deals: here.count, conversionToNext: conversion,
                                      averageDays: days(durations[entry.key])))
        }
        var lostByReason: [String: Int] = [:]
        var lostByStage: [String: Int] = [:]
        var won = 0, lost = 0
        for deal in deals {
            switch deal["status"] as String {
            case "won": won += 1
            case "lost":
                lost += 1
                lostByReason[(deal["lossReason"] as String?) ?? "", default: 0] += 1
                lostByStage[deal["stageId"], default: 0] += 1
            default: break
            }
        }
        return Funnel(created: deals.count, won: won, lost: lost,
                      overallConversion: deals.isEmpty ? 0 : (Double(won) * 10_000 / Double(deals.count)).rounded() / 100,
                      stages: stages, lostByReason: lostByReason, lostByStage: lostByStage,
                      averageDaysByDepartment: departmentDurations.compactMapValues { days($0) },
                      worstStage: lostByStage.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key)
    }

    struct ForgottenClient: Codable, Sendable { var clientId: String; var name: String; var managerId: String?; var lastTouchAt: String?; var days: Int? }
    struct StuckDeal: Codable, Sendable { var dealId: String; var title: String; var managerId: String; var stageId: String; var department: String; var days: Int }
    struct ManagerActivity: Codable, Sendable {
        var managerId: String
        var touches: Int64
        var wonDeals: Int64
        var overdueTasks: Int
        /// Touches well above the department's median and deals well below it.
        var manyTouchesFewDeals: Bool
    }

    struct Diagnostics: Codable, Sendable {
        var forgottenClients: [ForgottenClient]
        var stuckDeals: [StuckDeal]
        var managers: [ManagerActivity]
    }

    /// Clients without a call, meeting, deal change or payment for `forgottenDays`; open deals in
    /// the same stage for `stuckDays`; touches against won deals and overdue tasks per manager.
    static func diagnostics(managers scope: [String]?, period: Period, now: Date, forgottenDays: Int, stuckDays: Int, _ db: Database) throws -> Diagnostics {
        let cutoff = now.timeIntervalSince1970 - Double(forgottenDays) * 86_400
        var clientSQL: SQL = "SELECT id, name, managerId, lastTouchAt FROM fact_client WHERE COALESCE(lastTouchAt, 0) < \(cutoff)"
        if let scope { clientSQL += " AND managerId IN \(scope)" }
        let forgotten = try SQLRequest<Row>(literal: clientSQL + " ORDER BY COALESCE(lastTouchAt, 0), id LIMIT 500").fetchAll(db).map { row in
            let last: Double? = row["lastTouchAt"]
            return ForgottenClient(clientId: row["id"], name: row["name"], managerId: row["managerId"],
                                   lastTouchAt: last.map { Timestamp.format(Date(timeIntervalSince1970: $0)) },
                                   days: last.map { Int((now.timeIntervalSince1970 - $0) / 86_400) })
        }
        let stuckCutoff = now.timeIntervalSince1970 - Double(stuckDays) * 86_400
        var dealSQL: SQL = "SELECT id, title, managerId, stageId, department, stageSince FROM fact_deal WHERE status = 'open' AND stageSince < \(stuckCutoff)"
        if let scope { dealSQL += " AND managerId IN \(scope)" }
        let stuck = try SQLRequest<Row>(literal: dealSQL + " ORDER BY stageSince, id LIMIT 500").fetchAll(db).map { row in
            StuckDeal(dealId: row["id"], title: row["title"], managerId: row["managerId"], stageId: row["stageId"], department: row["department"],
                      days: Int((now.timeIntervalSince1970 - (row["stageSince"] as Double)) / 86_400))
        }
        let filter = Filter(managers: scope, period: period)
        let calls = try Figures.byManager(.calls, filter, db)
        let meetings = try Figures.byManager(.meetings, filter, db)
        let won = try Figures.byManager(.wonDeals, filter, db)
        let overdue = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
            SELECT assigneeId, COUNT(*) AS n FROM fact_task WHERE overdue = 1 AND status = 'open' GROUP BY assigneeId
            """).map { ($0["assigneeId"] as String, $0["n"] as Int) })
        var ids = try String.fetchAll(db, sql: "SELECT id FROM dir_manager WHERE active = 1 AND role = 'manager' ORDER BY id")
        if let scope { ids = ids.filter(scope.contains) }
        let touches = ids.map { (calls[$0] ?? 0) + (meetings[$0] ?? 0) }
        let wins = ids.map { won[$0] ?? 0 }
        func median(_ values: [Int64]) -> Int64 { values.isEmpty ? 0 : values.sorted()[values.count / 2] }
        let touchMedian = median(touches), winMedian = median(wins)
        let activity = ids.enumerated().map { index, id in
            ManagerActivity(managerId: id, touches: touches[index], wonDeals: wins[index], overdueTasks: overdue[id] ?? 0,
                            manyTouchesFewDeals: touchMedian > 0 && touches[index] >= touchMedian * 3 / 2 && wins[index] * 2 <= winMedian)
        }
        return Diagnostics(forgottenClients: forgotten, stuckDeals: stuck, managers: activity)
    }
}
