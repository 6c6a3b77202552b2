import GRDB
@testable import KPI
import Messaging

extension Projection {
    /// Applies `events` as one batch in one transaction, as the subscriber does.
    func applyBatch(_ events: some Sequence<ReceivedEvent>, to writer: some DatabaseWriter) throws {
        try writer.write { db in
            for event in events { try apply(event, in: db) }
            try finishBatch(in: db)
        }
    }
}
