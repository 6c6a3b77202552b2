import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Who sees what in KPI: heads and admins see everyone; a manager sees the leaderboard and their
/// own figures and card, not another manager's; integrations see nothing.
extension PacerRequestContext {
    /// The caller's manager id when they are a manager, nil for heads and admins.
    func kpiScope() throws -> String? {
        let user = try requireUser()
        switch user.role {
        case .admin, .head: return nil
        case .manager:
            guard let managerId = user.managerId else { throw Problem(.forbidden, "user \(user.userId) is a manager without a manager record") }
            return managerId
        default: throw Problem(.forbidden, "role \(user.role.rawValue) has no access to KPI")
        }
    }

    /// The managers a request may look at: `managerId` or `teamId` asked for, within what the
    /// caller may see. nil means the whole company.
    func managers(_ request: Request, _ db: Database) throws -> [String]? {
        let scope = try kpiScope()
        if let asked = request.query("managerId") {
            if let scope, scope != asked { throw Problem(.forbidden, "only heads see another manager's figures") }
            return [asked]
        }
        if let scope { return [scope] }
        if let team = request.query("teamId") {
            return try String.fetchAll(db, sql: "SELECT id FROM dir_manager WHERE teamId = ? ORDER BY id", arguments: [team])
        }
        return nil
    }
}

extension Request {
    /// `?period=` (`2026-11`, `2026-Q4`, `2026-H2`, `2026`), by default the current month in `zone`.
    func period(zone: TimeZone) throws -> Period {
        guard let text = query("period") else { return Period.containing(CalendarDay.of(Date(), in: zone), kind: .month) }
        guard let period = Period(text) else { throw Problem.invalid("period", "must be 2026-11, 2026-Q4, 2026-H2 or 2026") }
        return period
    }
}
