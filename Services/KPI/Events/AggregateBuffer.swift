import Foundation
import GRDB
import Storage

/// The aggregate's changes over one batch of events, summed in memory and written once per cell
/// when the batch ends (`flush`) — instead of an upsert per cell per event: a call moves four
/// cells, and a batch of calls moves the same cells again and again.
///
/// Clients' last touches wait here too (`touch`): a batch of calls touches the same clients
/// again and again, and each touch rewrote the client's row.
///
/// An event's changes are kept apart until it is applied in full (`endEvent`): one that fails is
/// rolled back by its savepoint, and its changes are dropped here too (`dropEvent`). A batch
/// rolled back as a whole is forgotten (`discard`). Nothing reads `agg` while a batch is applied
/// — only the HTTP side does, after commit — so the cells can wait.
final class AggregateBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var batch: [Cell: Int64] = [:]
    private var batchManagers: Set<String> = []
    /// Calls are summed by manager and day, all their metrics at once, and become cells at
    /// `flush`: one key hashed a call instead of four cells of seven strings each.
    private var batchCalls: [CallDay: CallCounts] = [:]
    private var event: [Cell: Int64] = [:]
    private var eventManagers: Set<String> = []
    private var eventCalls: [(CallDay, CallCounts)] = []
    /// The latest touch of each client (seconds since 1970), and the clients an event created:
    /// touches before a client existed changed nothing when applied one by one, so they go.
    private var batchTouches: [String: Double] = [:]
    private var eventTouches: [(String, Double)] = []
    private var eventCreated: [String] = []

    /// Adds an entity's change to the event being applied.
    func add(_ delta: [Cell: Int64]) {
        lock.withLock {
            for (cell, value) in delta where value != 0 {
                event[cell, default: 0] += value
                eventManagers.insert(cell.managerId)
            }
        }
    }

    /// Adds a call's counts (or takes them away) to the event being applied.
    func add(_ counts: CallCounts, for key: CallDay) {
        lock.withLock { eventCalls.append((key, counts)) }
    }

    /// The client was touched at `at` (kept if it is the latest).
    func touch(_ client: String, at: Double) {
        lock.withLock { eventTouches.append((client, at)) }
    }

    /// The client did not exist before this event: earlier touches of it in the batch go.
    func created(_ client: String) {
        lock.withLock { eventCreated.append(client) }
    }

    func endEvent() {
        lock.withLock {
            for client in eventCreated { batchTouches[client] = nil }
            for (client, at) in eventTouches { batchTouches[client] = max(batchTouches[client] ?? at, at) }
            for (cell, value) in event { batch[cell, default: 0] += value }
            for (key, counts) in eventCalls { batchCalls[key, default: CallCounts()].add(counts) }
            batchManagers.formUnion(eventManagers)
            event.removeAll(keepingCapacity: true)
            eventManagers.removeAll(keepingCapacity: true)
            eventCalls.removeAll(keepingCapacity: true)
            eventTouches.removeAll(keepingCapacity: true)
            eventCreated.removeAll(keepingCapacity: true)
        }
    }

    func dropEvent() {
        lock.withLock {
            event.removeAll(keepingCapacity: true)
            eventManagers.removeAll(keepingCapacity: true)
            eventCalls.removeAll(keepingCapacity: true)
            eventTouches.removeAll(keepingCapacity: true)
            eventCreated.removeAll(keepingCapacity: true)
        }
    }

    /// Cells and client touches waiting for `flush` (a call day is its six cells): what holding
    /// them costs in memory.
    var held: Int {
        lock.withLock { batch.count + 6 * batchCalls.count + batchTouches.count }
    }

    func discard() {
        lock.withLock {
            batch.removeAll()
            batchManagers.removeAll()
            batchCalls.removeAll()
            event.removeAll()
            eventManagers.removeAll()
            eventCalls.removeAll()
            batchTouches.removeAll()
            eventTouches.removeAll()
            eventCreated.removeAll()
        }
    }

    /// Writes the batch's clients' last touches and its cells (those that moved), and marks their
    /// managers dirty for the pace watcher; the buffer is empty afterwards.
    func flush(_ db: Database) throws {
        // Taken, not copied: emptying a dictionary whose storage the copy shares allocates its
        // capacity again, and a recompute's sums held twice were hundreds of megabytes.
        var (cells, managers, calls, touches) = lock.withLock {
            defer { batch = [:]; batchManagers = []; batchCalls = [:]; batchTouches = [:] }
            return (batch, batchManagers, batchCalls, batchTouches)
        }
        let touch = try db.cachedStatement(sql: "UPDATE fact_client SET lastTouchAt = MAX(COALESCE(lastTouchAt, 0), ?) WHERE id = ?")
        for (client, at) in touches.sorted(by: { $0.key < $1.key }) { try touch.execute { $0.add(at); $0.add(client) } }
        for (key, counts) in calls {
            for (metric, value) in counts.metrics where value != 0 {
                cells[Cell(metric: metric, managerId: key.managerId, day: key.day), default: 0] += value
                managers.insert(key.managerId)
            }
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
        // Indices sorted, not the cells: moving a cell (seven strings) cost more than comparing two.
        // Each cell's metric is placed once, not at every comparison (a dictionary lookup each).
        let entries = ContiguousArray(cells.lazy.filter { $0.value != 0 })
        let places = ContiguousArray(entries.map { metricOrder[$0.key.metric]! })
        var order = ContiguousArray(entries.indices)
        order.sort { precedes(entries[$0].key, places[$0], entries[$1].key, places[$1], dayFirst: dayFirst) }
        for index in order {
            let (cell, value) = entries[index]
            try upsert.execute {
                $0.add(cell.metric.rawValue); $0.add(cell.managerId); $0.add(cell.day); $0.add(cell.category); $0.add(cell.region)
                $0.add(cell.segment); $0.add(cell.source); $0.add(value)
            }
        }
    }

    /// Each metric's place among the metrics' names, as the tables' keys sort them.
    private static let metricOrder: [Metric: Int] = Dictionary(
        uniqueKeysWithValues: Metric.allCases.sorted { $0.rawValue < $1.rawValue }.enumerated().map { ($1, $0) })

    private static func precedes(_ a: Cell, _ aPlace: Int, _ b: Cell, _ bPlace: Int, dayFirst: Bool) -> Bool {
        if dayFirst, a.day != b.day { return a.day < b.day }
        if aPlace != bPlace { return aPlace < bPlace }
        if !dayFirst, a.day != b.day { return a.day < b.day }
        if a.managerId != b.managerId { return a.managerId < b.managerId }
        return (a.category, a.region, a.segment, a.source) < (b.category, b.region, b.segment, b.source)
    }
}
