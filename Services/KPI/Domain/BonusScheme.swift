import Contracts
import Foundation
import GRDB
import ServiceKit

/// A motivation scheme for a role: a share of metrics (cash received, won amount…), multiplied
/// by the band the manager's plan completion falls in, plus fixed amounts weighted by the
/// completion of KPI plans. Every line of a bonus says what it is paid for.
struct BonusScheme: Codable, Sendable, Equatable {
    struct Share: Codable, Sendable, Equatable {
        var metric: Metric
        /// Hundredths of a percent: 500 is 5 %.
        var basisPoints: Int64
    }

    struct Band: Codable, Sendable, Equatable {
        /// Plan completion from which the band applies, percent.
        var fromCompletion: Double
        /// 120 multiplies by 1.2.
        var multiplierPercent: Int64
    }

    struct KPI: Codable, Sendable, Equatable {
        var metric: Metric
        /// Kopecks paid at 100 % of the plan on the metric.
        var amount: Int64
        var weightPercent: Int64
        /// Completion counted at most this much, percent (default 150).
        var capPercent: Double?
    }

    var shares: [Share]
    var bands: [Band]
    /// The metric whose plan completion picks the band (default won amount).
    var bandMetric: Metric?
    var kpis: [KPI]

    struct Line: Codable, Sendable {
        var kind: String
        var metric: String
        var value: Int64
        var amount: Int64
        var explanation: String
    }

    struct Bonus: Codable, Sendable {
        var managerId: String
        var period: String
        var role: String
        var lines: [Line]
        var completion: Double?
        var multiplierPercent: Int64
        var total: Int64
    }

    /// Refuses shares outside 0…100 %, negative bands and KPI amounts, weights outside 0…100.
    func validate() throws {
        let scheme = self
        for (index, share) in scheme.shares.enumerated() where !(0...10_000).contains(share.basisPoints) {
            throw Problem.invalid("shares[\(index)].basisPoints", "must be 0…10000 (hundredths of a percent)")
        }
        for (index, band) in scheme.bands.enumerated() where band.multiplierPercent < 0 || band.fromCompletion < 0 {
            throw Problem.invalid("bands[\(index)]", "must not be negative")
        }
        for (index, kpi) in scheme.kpis.enumerated() where kpi.amount < 0 || !(0...100).contains(kpi.weightPercent) {
            throw Problem.invalid("kpis[\(index)]", "amount must not be negative and weightPercent must be 0…100")
        }
    }

    func save(role: String, _ db: Database) throws {
        let json = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        try db.execute(sql: "INSERT OR REPLACE INTO bonus_scheme(role, json) VALUES (?, ?)", arguments: [role, json])
    }

    static func find(role: String, _ db: Database) throws -> BonusScheme? {
        try String.fetchOne(db, sql: "SELECT json FROM bonus_scheme WHERE role = ?", arguments: [role])
            .flatMap { try? JSONDecoder().decode(BonusScheme.self, from: Data($0.utf8)) }
    }

    func compute(managerId: String, role: String, period: Period, today: String, calendar: WorkCalendar, _ db: Database) throws -> Bonus {
        let values = try Figures.values(Filter(managers: [managerId], period: period), db)
        let plans = try Plan.all(db, period: period.description).filter { $0.scope == .manager && $0.subjectId == managerId }
        func completion(_ metric: Metric) throws -> Double? {
            try plans.first { $0.metric == metric && $0.category == nil && $0.region == nil && $0.segment == nil && $0.source == nil }
                .flatMap { try PlanFact.compute($0, today: today, calendar: calendar, db)?.completion }
        }
        var lines: [Line] = []
        var base: Int64 = 0
        for share in shares {
            let value = values[share.metric] ?? 0
            let amount = value * share.basisPoints / 10_000
            base += amount
            lines.append(Line(kind: "share", metric: share.metric.rawValue, value: value, amount: amount,
                              explanation: "\(Double(share.basisPoints) / 100)% × \(share.metric.rawValue) \(Money.decimalString(value)) = \(Money.decimalString(amount))"))
        }
        let bandCompletion = try completion(bandMetric ?? .wonAmount)
        let band = bands.filter { $0.fromCompletion <= (bandCompletion ?? 0) }.max { $0.fromCompletion < $1.fromCompletion }
        let multiplier = bands.isEmpty ? 100 : band?.multiplierPercent ?? 0
        var total = base * multiplier / 100
        if !bands.isEmpty {
            lines.append(Line(kind: "band", metric: (bandMetric ?? .wonAmount).rawValue, value: total - base, amount: total - base,
                              explanation: "plan \((bandMetric ?? .wonAmount).rawValue) \(bandCompletion.map { "\($0)%" } ?? "—") → ×\(Double(multiplier) / 100) on \(Money.decimalString(base))"))
        }
        for kpi in kpis {
            let done = min(try completion(kpi.metric) ?? 0, kpi.capPercent ?? 150)
            let amount = Int64((Double(kpi.amount) * Double(kpi.weightPercent) / 100 * done / 100).rounded())
            total += amount
            lines.append(Line(kind: "kpi", metric: kpi.metric.rawValue, value: values[kpi.metric] ?? 0, amount: amount,
                              explanation: "\(Money.decimalString(kpi.amount)) × weight \(kpi.weightPercent)% × plan \(kpi.metric.rawValue) \(done)% = \(Money.decimalString(amount))"))
        }
        return Bonus(managerId: managerId, period: period.description, role: role, lines: lines, completion: bandCompletion,
                     multiplierPercent: multiplier, total: total)
    }
}
