import Foundation
import GRDB

/// Lets a publisher answer `SNAPSHOT <stream>`: the whole current state of what the stream
/// describes, as JSON items, read in the same transaction as the stream's head. A subscriber that
/// fell behind the retained outbox rebuilds from it and continues after that head.
public protocol SnapshotProvider: Sendable {
    /// The items for `stream`, or nil when this publisher keeps no snapshot of it.
    func snapshot(stream: String, in db: Database) throws -> [Data]?
}
