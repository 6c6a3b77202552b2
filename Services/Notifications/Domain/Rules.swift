import Foundation
import GRDB

/// Who hears of what. Each rule can be switched off, given other recipients, made urgent (sent
/// in quiet hours too), and — for escalations and digests — a delay or a time of day.
public struct Rule: Codable, Sendable, Equatable {
    public enum Audience: String, Codable, Sendable {
        /// The deal's, client's or plan's manager; the task's assignee.
        case manager
        /// Every active head.
        case heads
        /// The department chat.
        case department
    }

    public var enabled: Bool
    public var audience: [Audience]
    public var urgent: Bool
    /// Escalation delay, minutes.
    public var delayMinutes: Int?
    /// Digest time, `HH:MM` in the company zone.
    public var time: String?

    public init(enabled: Bool = true, audience: [Audience], urgent: Bool = false, delayMinutes: Int? = nil, time: String? = nil) {
        self.enabled = enabled; self.audience = audience; self.urgent = urgent; self.delayMinutes = delayMinutes; self.time = time
    }
}

public enum RuleKey: String, CaseIterable, Codable, Sendable {
    case dealLost = "deal.lost"
    case dealProblem = "deal.problem"
    case taskOverdue = "task.overdue"
    case taskEscalation = "task.escalation"
    case planBehind = "plan.behind"
    case planRecovered = "plan.recovered"
    case receivableOverdue = "receivable.overdue"
    case paymentMatched = "payment.matched"
    case approvalRequested = "approval.requested"
    case eveningDigest = "digest.evening"
    case morningDigest = "digest.morning"

    /// The defaults a company starts with.
    public var defaultRule: Rule {
        switch self {
        case .dealLost: Rule(audience: [.manager, .heads])
        case .dealProblem: Rule(audience: [.heads])
        case .taskOverdue: Rule(audience: [.manager])
        case .taskEscalation: Rule(audience: [.heads], delayMinutes: 60)
        case .planBehind, .planRecovered: Rule(audience: [.manager, .heads])
        case .receivableOverdue: Rule(audience: [.manager])
        case .paymentMatched: Rule(audience: [.manager])
        case .approvalRequested: Rule(audience: [.heads], urgent: true)
        case .eveningDigest: Rule(audience: [.department], time: "19:00")
        case .morningDigest: Rule(audience: [.department], time: "09:00")
        }
    }

    func rule(_ db: Database) throws -> Rule {
        guard let json = try String.fetchOne(db, sql: "SELECT json FROM rule_override WHERE rule = ?", arguments: [rawValue]) else { return defaultRule }
        return (try? JSONDecoder().decode(Rule.self, from: Data(json.utf8))) ?? defaultRule
    }
}
