import Foundation
import GRDB
import Storage

/// The aggregate's changes over one batch of events, summed in memory and written once per cell
/// when the batch ends (`flush`) — instead of an upsert per cell per event: a call moves four
/// cells, and a batch of calls moves the same cells again and again.
///
/// An event's changes are kept apart until it is applied in full (`endEvent`): one that fails is
/// rolled back by its savepoint, and its changes are dropped here too (`dropEvent`). A batch
/// rolled back as a whole is forgotten (`discard`). Nothing reads `agg` while a batch is applied
/// — only the HTTP side does, after commit — so the cells can wait.
final class AggregateBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var batch: [Cell: Int64] = [:]
    private var batchManagers: Set<String> = []
    private var event: [Cell: Int64] = [:]
    private var eventManagers: Set<String> = []

    /// Adds an entity's change to the event being applied.
    func add(_ delta: [Cell: Int64]) {
        lock.withLock {
            for (cell, value) in delta where value != 0 {
                event[cell, default: 0] += value
                eventManagers.insert(cell.managerId)
            }
        }
    }

    /// Adds one cell's change to the event being applied.
    func add(_ cell: Cell, _ value: Int64) {
        guard value != 0 else { return }
        lock.withLock {
            event[cell, default: 0] += value
            eventManagers.insert(cell.managerId)
        }
    }

    func endEvent() {
        lock.withLock {
            for (cell, value) in event { batch[cell, default: 0] += value }
            batchManagers.formUnion(eventManagers)
            event.removeAll(keepingCapacity: true)
            eventManagers.removeAll(keepingCapacity: true)
        }
    }

    func dropEvent() {
        lock.withLock {
            event.removeAll(keepingCapacity: true)
            eventManagers.removeAll(keepingCapacity: true)
        }
    }

    func discard() {
        lock.withLock {
            batch.removeAll()
            batchManagers.removeAll()
            event.removeAll()
            eventManagers.removeAll()
        }
    }

    /// Writes the batch's cells (those that moved) and marks their managers dirty for the pace
    /// watcher; the buffer is empty afterwards.
    func flush(_ db: Database) throws {
        let (cells, managers) = lock.withLock {
            defer { batch.removeAll(keepingCapacity: true); batchManagers.removeAll(keepingCapacity: true) }
            return (batch, batchManagers)
        }
        var months: [Cell: Int64] = [:]
        for (cell, value) in cells {
            var month = cell
            month.day = String(cell.day.utf8.prefix(7))!
            months[month, default: 0] += value
        }
        try Self.add(cells, to: "agg", dayColumn: "day", dayFirst: true, db)
        // The same sums by month; there a cell's `day` holds its month.
        try Self.add(months, to: "agg_month", dayColumn: "month", dayFirst: false, db)
        let dirty = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_manager(managerId) VALUES (?)")
        for manager in managers.sorted() { try dirty.execute { $0.add(manager) } }
    }

    /// Adds each cell's value to its row of `table` (`agg` or `agg_month`, whose day column is
    /// `dayColumn`), in the table's key order — day first (`agg`) or metric first (`agg_month`) —
    /// so that neighbouring cells share pages.
    private static func add(_ cells: [Cell: Int64], to table: String, dayColumn: String, dayFirst: Bool, _ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO \(table)(metric, managerId, \(dayColumn), category, region, segment, source, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(metric, managerId, \(dayColumn), category, region, segment, source) DO UPDATE SET value = value + excluded.value
            """)
        for (cell, value) in cells.sorted(by: { precedes($0.key, $1.key, dayFirst: dayFirst) }) where value != 0 {
            try upsert.execute {
                $0.add(cell.metric.rawValue); $0.add(cell.managerId); $0.add(cell.day); $0.add(cell.category); $0.add(cell.region)
                $0.add(cell.segment); $0.add(cell.source); $0.add(value)
            }
        }
    }

    private static func precedes(_ a: Cell, _ b: Cell, dayFirst: Bool) -> Bool {
        if dayFirst, a.day != b.day { return a.day < b.day }
        if a.metric != b.metric { return a.metric.rawValue < b.metric.rawValue }
        if !dayFirst, a.day != b.day { return a.day < b.day }
        if a.managerId != b.managerId { return a.managerId < b.managerId }
        return (a.category, a.region, a.segment, a.source) < (b.category, b.region, b.segment, b.source)
    }
}
