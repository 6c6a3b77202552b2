import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("Concurrent writes sharing transactions")
struct GroupCommitTests {
    struct Refused: Error, Equatable { var n: Int }

    @Test("each caller gets its own result; a failing one loses its rows and its events, the others keep theirs")
    func ownOutcomes() async throws {
        let dir = try TemporaryDirectory("group-commit")
        defer { dir.remove() }
        let db = try PacerDatabase.open(path: dir.file("s.sqlite")) { migrator in
            migrator.registerMigration("t") { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        }
        let outbox = OutboxStore(source: EventSource(service: "test", instance: "t"))
        let writes = GroupCommit(database: db, outbox: outbox, maxBatch: 8)
        // 200 callers at once: every third writes its row and event, then fails.
        let outcomes = await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for n in 1...200 {
                group.addTask {
                    do {
                        let value = try await writes.write { db -> Int in
                            try db.execute(sql: "INSERT INTO t(n) VALUES (?)", arguments: [n])
                            try outbox.append(CounterIncremented(counter: "c", amount: Money(kopecks: Int64(n)), note: ""), stream: "bench", in: db)
                            if n % 3 == 0 { throw Refused(n: n) }
                            return n * 10
                        }
                        return (n, .success(value))
                    } catch let error as Refused {
                        return (n, .failure(error))
                    } catch {
                        return (n, .failure(Refused(n: -1)))
                    }
                }
            }
            var all: [Int: Result<Int, Refused>] = [:]
            for await (n, outcome) in group { all[n] = outcome }
            return all
        }
        for n in 1...200 {
            #expect(outcomes[n] == (n % 3 == 0 ? .failure(Refused(n: n)) : .success(n * 10)), "caller \(n)")
        }
        let kept = (1...200).filter { $0 % 3 != 0 }
        #expect(try await db.read { try Int.fetchAll($0, sql: "SELECT n FROM t ORDER BY n") } == kept)
        // The outbox holds exactly the kept callers' events, gapless, and the relay is handed the same.
        let rows = try await db.read { try OutboxStore.fetch($0, stream: "bench", afterSeq: 0, limit: 1_000) }
        #expect(rows.map(\.seq) == Array(1...Int64(kept.count)))
        let handed = outbox.signal.takeCommitted().records
        #expect(handed.map(\.seq) == rows.map(\.seq))
        #expect(handed.map(\.eventId) == rows.map(\.eventId))
        let amounts = try rows.map { try EventCodec.decode(CounterIncremented.self, from: $0.body).payload.amount.kopecks }
        #expect(Set(amounts) == Set(kept.map(Int64.init)))
    }
}
