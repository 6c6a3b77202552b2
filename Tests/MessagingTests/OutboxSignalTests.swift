import Contracts
import Foundation
import GRDB
import Storage
import Testing
import TestSupport

@Suite("The outbox's hand-over to the relay")
struct OutboxSignalTests {
    struct Refused: Error {}

    static func append(_ outbox: OutboxStore, _ n: Int, _ db: Database) throws {
        for _ in 0..<n { try outbox.append(CounterIncremented(counter: "c", amount: Money(kopecks: 1), note: ""), stream: "s", in: db) }
    }

    static func seqs(_ pool: DatabasePool) throws -> [Int64] {
        try pool.read { try Int64.fetchAll($0, sql: "SELECT seq FROM outbox WHERE stream = 's' ORDER BY seq") }
    }

    @Test("a transaction within capacity hands over its rows in order; one past it hands over none and says so, numbered without a gap")
    func capacity() throws {
        let dir = try TemporaryDirectory("outbox-signal")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("s.sqlite"))
        let signal = OutboxSignal(capacity: 10)
        let outbox = OutboxStore(source: EventSource(service: "test", instance: "t"), signal: signal)
        try pool.write { try Self.append(outbox, 6, $0) }
        let first = signal.takeCommitted()
        #expect(first.records.map(\.seq) == [1, 2, 3, 4, 5, 6] && !first.overflowed)
        try pool.write { try Self.append(outbox, 25, $0) }
        let second = signal.takeCommitted()
        #expect(second.records.isEmpty && second.overflowed)
        #expect(try Self.seqs(pool) == Array(1...31))
        // The next transaction is handed over again.
        try pool.write { try Self.append(outbox, 2, $0) }
        let third = signal.takeCommitted()
        #expect(third.records.map(\.seq) == [32, 33] && !third.overflowed)
    }

    @Test("a savepoint rolled back takes its rows and its numbers back, before and after the transaction overflowed", arguments: [3, 12])
    func savepoint(before: Int) throws {
        let dir = try TemporaryDirectory("outbox-signal-savepoint")
        defer { dir.remove() }
        let pool = try PacerDatabase.open(path: dir.file("s.sqlite"))
        let signal = OutboxSignal(capacity: 10)
        let outbox = OutboxStore(source: EventSource(service: "test", instance: "t"), signal: signal)
        try pool.write { db in
            try Self.append(outbox, before, db)
            #expect(throws: Refused.self) {
                try outbox.savepoint(db) {
                    try Self.append(outbox, 2, db)
                    throw Refused()
                }
            }
            try Self.append(outbox, 1, db)
        }
        #expect(try Self.seqs(pool) == Array(1...Int64(before + 1)))
        let handed = signal.takeCommitted()
        if before < 10 {
            #expect(handed.records.map(\.seq) == Array(1...Int64(before + 1)) && !handed.overflowed)
        } else {
            #expect(handed.records.isEmpty && handed.overflowed)
        }
    }
}
