import Contracts
import Foundation
import GRDB
import Messaging
import Storage

/// Keeps the replica of `pacer-deals`' directory that matching reads, and rematches calls that
/// were unmatched when a manager's extension or a client's phone appears later.
struct DirectoryReplica {
    let store: CallStore

    func handler() -> EventRouter {
        var router = EventRouter()
        router.on(ManagerUpserted.self) { envelope, db in try upsert(envelope.payload, db) }
        router.on(ClientUpserted.self) { envelope, db in try upsert(envelope.payload, db) }
        for type in dealCarryingEvents { router.onDeal(type) { deal, db in try upsert(deal, db) } }
        router.onRebuild { _, stream, items, db in
            guard stream == StreamName.deals else { return false }
            try db.execute(sql: "DELETE FROM dir_manager; DELETE FROM dir_extension; DELETE FROM dir_phone; DELETE FROM dir_deal;")
            let decoder = EventCodec.makeDecoder()
            for item in items {
                let snapshot = try decoder.decode(DealsSnapshotItem.self, from: item)
                if let manager = snapshot.manager { try upsert(manager, db) }
                if let client = snapshot.client { try upsert(client, db) }
                if let deal = snapshot.deal { try upsert(deal, db) }
            }
            return true
        }
        return router
    }

    func upsert(_ manager: ManagerUpserted, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO dir_manager(id, name, active) VALUES (?, ?, ?)",
                       arguments: [manager.managerId, manager.name, manager.active])
        try db.execute(sql: "DELETE FROM dir_extension WHERE managerId = ?", arguments: [manager.managerId])
        try db.execute(sql: "DELETE FROM dir_phone WHERE kind = 'manager' AND ownerId = ?", arguments: [manager.managerId])
        guard manager.active else { return }
        for ext in manager.extensions {
            try db.execute(sql: "INSERT OR REPLACE INTO dir_extension(ext, managerId) VALUES (?, ?)", arguments: [ext, manager.managerId])
        }
        for phone in manager.phones {
            try db.execute(sql: "INSERT OR REPLACE INTO dir_phone(phone, kind, ownerId) VALUES (?, 'manager', ?)", arguments: [phone, manager.managerId])
        }
        let waiting = try String.fetchAll(db, sql: """
            SELECT callId FROM call WHERE managerId IS NULL AND (extension IN (SELECT value FROM json_each(?)) OR counterparty IN (SELECT value FROM json_each(?)))
            """, arguments: [json(manager.extensions), json(manager.phones)])
        for callId in waiting { try store.rematch(callId, db) }
    }

    func upsert(_ client: ClientUpserted, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM dir_phone WHERE kind = 'client' AND ownerId = ?", arguments: [client.clientId])
        for phone in client.phones {
            try db.execute(sql: "INSERT OR REPLACE INTO dir_phone(phone, kind, ownerId) VALUES (?, 'client', ?)", arguments: [phone, client.clientId])
        }
        let waiting = try String.fetchAll(db, sql: """
            SELECT callId FROM call WHERE clientId IS NULL AND counterparty IN (SELECT value FROM json_each(?))
            """, arguments: [json(client.phones)])
        for callId in waiting { try store.rematch(callId, db) }
    }

    func upsert(_ deal: DealState, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO dir_deal(dealId, clientId, managerId, status, createdAt) VALUES (?, ?, ?, ?, ?)",
                       arguments: [deal.dealId, deal.clientId, deal.managerId, deal.status.rawValue, deal.createdAt.timeIntervalSince1970])
    }

    private func json(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

