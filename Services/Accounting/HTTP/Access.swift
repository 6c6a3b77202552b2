import Hummingbird
import ServiceKit

/// Who reads what in accounting: heads, admins and the accounting integration see every payment;
/// a manager sees the payments of their own clients and deals; the telephony integration nothing.
extension PacerRequestContext {
    /// nil for everything, a manager's id for a manager.
    func paymentScope() throws -> String? {
        let user = try requireUser()
        switch user.role {
        case .admin, .head, .accounting: return nil
        case .manager:
            guard let managerId = user.managerId else { throw Problem(.forbidden, "user \(user.userId) is a manager without a manager record") }
            return managerId
        default: throw Problem(.forbidden, "role \(user.role.rawValue) has no access to payments")
        }
    }
}
