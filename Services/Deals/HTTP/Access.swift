import Hummingbird
import ServiceKit

/// Who sees what in the deals service: heads and admins see the department; a manager sees their
/// own deals, clients and tasks; integrations see nothing here.
extension PacerRequestContext {
    /// The caller, refusing integrations (they push calls and payments elsewhere).
    func departmentUser() throws -> AuthUser {
        let user = try requireUser()
        guard user.role == .admin || user.role == .head || user.role == .manager else {
            throw Problem(.forbidden, "role \(user.role.rawValue) has no access to the deals API")
        }
        if user.role == .manager && user.managerId == nil {
            throw Problem(.forbidden, "user \(user.userId) is a manager without a manager record")
        }
        return user
    }

    /// nil for heads and admins (everything), the manager's id for a manager.
    func ownScope() throws -> String? {
        let user = try departmentUser()
        return user.role == .manager ? user.managerId : nil
    }

    func checkOwns(managerId: String?, what: String) throws {
        if let scope = try ownScope(), scope != managerId {
            throw Problem(.forbidden, "\(what) belongs to another manager")
        }
    }
}

