import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("The inbox of applied event ids")
struct InboxStoreTests {
    @Test("pruning forgets the ids of events made before the cutoff — by the time in their ids — and keeps the rest")
    func prunesByTheTimeInTheId() throws {
        let dir = try TemporaryDirectory("inbox-prune")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("s.sqlite"))
        let now = Date(timeIntervalSince1970: 1_796_630_400)
        let days: [Double] = [40, 31, 30.001, 29.999, 1, 0]
        let ids = days.map { EventID.make(at: now.addingTimeInterval(-$0 * 86_400)) }
        let (applied, pruned) = try pool.write { db in
            // Applied today, all of them: what counts is when each event was made.
            let applied = try ids.enumerated().filter { seq, id in
                try InboxStore.markApplied(eventId: id, publisher: "deals", stream: "deals", seq: Int64(seq + 1), db)
            }.count
            return (applied, try InboxStore.prune(db, madeBefore: now.addingTimeInterval(-30 * 86_400)))
        }
        #expect(applied == 6)
        #expect(pruned == 3)
        let kept = try pool.read { try String.fetchAll($0, sql: "SELECT event_id FROM bus_inbox ORDER BY event_id") }
        #expect(kept == Array(ids.suffix(3)))
        // What is forgotten can be applied again; what is kept still cannot.
        let again = try pool.write { db in
            (try InboxStore.markApplied(eventId: ids[0], publisher: "deals", stream: "deals", seq: 1, db),
             try InboxStore.markApplied(eventId: ids[5], publisher: "deals", stream: "deals", seq: 6, db))
        }
        #expect(again == (true, false))
    }
}
