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

extension Request {
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    func queryInt(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw Problem.invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

/// A page of a list: `items`, and `next` to pass as `after` for the following page.
struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var next: String?
}
