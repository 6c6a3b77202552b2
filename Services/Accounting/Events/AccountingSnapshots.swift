import Contracts
import Foundation
import GRDB
import Messaging

/// `SNAPSHOT accounting`: every incoming payment as it stands (`AccountingSnapshotItem`), so a
/// consumer behind the retained outbox rebuilds its cash figures.
struct AccountingSnapshots: SnapshotProvider {
    func snapshot(stream: String, in db: Database) throws -> [Data]? {
        guard stream == StreamName.accounting else { return nil }
        let encoder = EventCodec.makeEncoder()
        return try String.fetchAll(db, sql: "SELECT id FROM payment WHERE direction = 'incoming' ORDER BY id").compactMap { id in
            guard let state = try PaymentStore.state(id, db) else { return nil }
            return try encoder.encode(AccountingSnapshotItem(kind: "payment", payment: state))
        }
    }
}
