import Contracts
import Foundation
import GRDB
import Storage

/// Matching against the replica of `pacer-deals`' directory. Lookups are remembered for the
/// life of one value — one transaction, during which the replica cannot change — so a batch of
/// calls from the same numbers asks SQLite once per number.
final class Directory {
    let db: Database
    private var phones: [String: (kind: String, id: String)?] = [:]
    private var deals: [String: String?] = [:]

    init(db: Database) { self.db = db }

    /// Every extension, read once per value: a department has a few hundred, and every call asks
    /// about two numbers, most of which are not extensions at all.
    private var allExtensions: [String: String]?

    func manager(forExtension ext: String) throws -> String? {
        if allExtensions == nil {
            var all: [String: String] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT ext, managerId FROM dir_extension"))
            while let row = try rows.next() { all[row[0]] = row[1] }
            allExtensions = all
        }
        return allExtensions![ext]
    }

    func owner(ofPhone phone: String) throws -> (kind: String, id: String)? {
        if let known = phones[phone] { return known }
        let found = try db.cachedStatement(sql: "SELECT kind, ownerId FROM dir_phone WHERE phone = ?")
            .fetchFirst(binding: { $0.add(phone) }) { (kind: $0.string(0) ?? "", id: $0.string(1) ?? "") }
        phones[phone] = found
        return found
    }

    /// The client's open deal, preferring the one the manager on the call owns, then the newest.
    func openDeal(client: String, manager: String?) throws -> String? {
        let key = client + "|" + (manager ?? "")
        if let known = deals[key] { return known }
        let found = try db.cachedStatement(sql: """
            SELECT dealId FROM dir_deal WHERE clientId = ? AND status = 'open'
            ORDER BY (managerId = ?) DESC, createdAt DESC LIMIT 1
            """).fetchFirst(binding: { $0.add(client); $0.add(manager ?? "") }) { $0.string(0) } ?? nil
        deals[key] = found
        return found
    }

    /// A number is an inner one when it is a known extension, or short like one.
    func isInternal(_ number: String) throws -> Bool {
        if try manager(forExtension: number) != nil { return true }
        return !number.isEmpty && number.count <= 5 && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Direction, extension, counterparty, manager, client and deal of a draft.
    func match(_ draft: CallDraft) throws -> (direction: CallDirection, ext: String?, counterparty: String?, managerId: String?, clientId: String?, dealId: String?) {
        let fromInternal = try isInternal(draft.from)
        let toInternal = try isInternal(draft.to)
        var direction = draft.direction ?? (fromInternal && toInternal ? .internal : fromInternal ? .outgoing : .incoming)
        if draft.direction == nil && !fromInternal && !toInternal && draft.extension_ == nil {
            direction = .incoming
        }
        let ext: String? = draft.extension_ ?? (direction == .incoming ? (toInternal ? draft.to : nil) : (fromInternal ? draft.from : nil))
        let counterpartyRaw: String? = switch direction {
        case .incoming: draft.from
        case .outgoing: draft.to
        case .internal: nil
        }
        let counterparty = counterpartyRaw.map { PhoneNumber.e164($0) ?? $0 }
        var managerId = draft.managerId
        if managerId == nil, let ext { managerId = try manager(forExtension: ext) }
        var clientId: String?
        if let counterparty, let owner = try owner(ofPhone: counterparty) {
            if owner.kind == "client" { clientId = owner.id }
            // A manager's own mobile calling in counts as the manager, not a client.
            else if managerId == nil { managerId = owner.id }
        }
        let dealId = try clientId.flatMap { try openDeal(client: $0, manager: managerId) }
        return (direction, ext, counterparty, managerId, clientId, dealId)
    }
}
