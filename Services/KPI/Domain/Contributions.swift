import Foundation
import GRDB
import Storage

/// One cell of the daily aggregate: a metric, for a manager, on a day, within a category, region,
/// segment and lead source ('' where the fact has none).
struct Cell: Hashable, Sendable {
    var metric: Metric
    var managerId: String
    var day: String
    var category = ""
    var region = ""
    var segment = ""
    var source = ""

    /// Hashes the metric's case, not its name (a raw-value enum hashes its string), and only the
    /// dimensions a cell has: most have none, and every cell is hashed several times an event.
    func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: metric) { hasher.combine(bytes: $0) }
        hasher.combine(managerId)
        hasher.combine(day)
        if !category.isEmpty { hasher.combine(category) }
        if !region.isEmpty { hasher.combine(region) }
        if !segment.isEmpty { hasher.combine(segment) }
        if !source.isEmpty { hasher.combine(source) }
    }
}

/// What one entity (a deal, a call, a payment…) adds to the aggregate. When the entity changes —
/// a deal is won, reassigned or reopened, a payment matched again — its old contribution is taken
/// back and the new one added, so every figure is the sum over entities as they stand now, and a
/// recompute from the stored events gives the same table as the incremental updates.
struct Contributions: Sendable, Equatable {
    var cells: [Cell: Int64] = [:]

    mutating func add(_ metric: Metric, _ value: Int64, manager: String?, day: String, category: String? = nil,
                      region: String? = nil, segment: String? = nil, source: String? = nil) {
        guard value != 0 else { return }
        let cell = Cell(metric: metric, managerId: manager ?? "", day: day, category: category ?? "", region: region ?? "",
                        segment: segment ?? "", source: source ?? "")
        cells[cell, default: 0] += value
    }

    /// `metric|manager|day|category|region|segment|source=value` lines, sorted: stored per entity.
    /// `|` in a part becomes `/` and a line break a space. Written byte by byte: with Foundation's
    /// `replacingOccurrences` (fourteen calls a cell) this was half the cost of projecting a call.
    var encoded: String {
        var lines: [String] = []
        lines.reserveCapacity(cells.count)
        var out: [UInt8] = []
        for (cell, value) in cells {
            out.removeAll(keepingCapacity: true)
            func part(_ text: String) {
                for byte in text.utf8 { out.append(byte == 0x7C ? 0x2F : byte == 0x0A ? 0x20 : byte) }
            }
            part(cell.metric.rawValue); out.append(0x7C)
            part(cell.managerId); out.append(0x7C)
            part(cell.day); out.append(0x7C)
            part(cell.category); out.append(0x7C)
            part(cell.region); out.append(0x7C)
            part(cell.segment); out.append(0x7C)
            part(cell.source); out.append(0x3D)
            out.append(contentsOf: String(value).utf8)
            lines.append(String(decoding: out, as: UTF8.self))
        }
        return lines.sorted().joined(separator: "\n")
    }

    init() {}

    init(encoded: String) {
        for line in encoded.split(separator: "\n") {
            guard let equals = line.lastIndex(of: "="), let value = Int64(line[line.index(after: equals)...]) else { continue }
            let parts = line[..<equals].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 7, let metric = Metric(rawValue: parts[0]) else { continue }
            cells[Cell(metric: metric, managerId: parts[1], day: parts[2], category: parts[3], region: parts[4], segment: parts[5],
                       source: parts[6])] = value
        }
    }

    /// Replaces `entity`'s previous contribution by this one: the difference goes to `aggregate`
    /// (written when the batch ends), the new contribution to `contribution` at once, so the
    /// entity's next event in the same batch starts from it.
    ///
    /// `encoded` is this contribution's `encoded`, when it was worked out already (on the decoding
    /// thread): one stored the same is not read back at all — most deal events (a stage move)
    /// leave a deal's contribution as it was.
    func replace(entity: String, encoded: String? = nil, into aggregate: AggregateBuffer, _ db: Database) throws {
        let stored = try db.cachedStatement(sql: "SELECT data FROM contribution WHERE entity = ?")
            .fetchFirst(binding: { $0.add(entity) }) { $0.string(0) }.flatMap { $0 }
        if let stored, let encoded, stored == encoded { return }
        let previous = stored.map(Contributions.init(encoded:)) ?? Contributions()
        guard previous != self else { return }
        var delta = cells
        for (cell, value) in previous.cells { delta[cell, default: 0] -= value }
        aggregate.add(delta)
        if cells.isEmpty {
            try db.cachedStatement(sql: "DELETE FROM contribution WHERE entity = ?").execute { $0.add(entity) }
        } else {
            let data = encoded ?? self.encoded
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO contribution(entity, data) VALUES (?, ?)").execute { $0.add(entity); $0.add(data) }
        }
    }
}
