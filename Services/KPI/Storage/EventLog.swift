import Foundation
import GRDB
import Messaging
import Storage

/// Every consumed event, kept so that the read side can be rebuilt from it (`Projection.recompute`):
/// a batch's events in one row of `event_batch`, in the order they were applied.
///
/// A row per batch, not per event: ten million calls a year made as many rows (3 µs each on the
/// writer's thread, a fifth of projecting a call), and a recompute read them back one by one. A
/// batch is one blob written once at the batch's end; an event that fails is never added, so the
/// log holds exactly the events whose effects were kept.
///
/// A row holds up to about a megabyte (`rowBytes`): a subscriber's largest batch is some ten
/// megabytes of events, and held whole it was copied three times over on its way into SQLite.
///
/// The blob is each event in turn: publisher, stream, type and body as a 32-bit little-endian
/// length and the bytes, the sequence number as 64 bits little-endian — no JSON to parse again.
final class EventLog: @unchecked Sendable {
    /// The size past which the events waiting are written as a row before the batch ends.
    static let rowBytes = 1 << 20
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var count = 0

    /// Keeps `event` for the batch's row; writes the events waiting once they pass `rowBytes`.
    func append(_ event: ReceivedEvent, _ db: Database) throws {
        let full = lock.withLock {
            Self.encode(event, into: &pending)
            count += 1
            return pending.count >= Self.rowBytes
        }
        if full { try write(db) }
    }

    /// Writes the events waiting as one row; nothing when none was applied.
    func write(_ db: Database) throws {
        let batch: (events: Data, count: Int) = lock.withLock {
            defer { pending.removeAll(keepingCapacity: true); count = 0 }
            return (Data(pending), count)
        }
        guard batch.count > 0 else { return }
        try db.cachedStatement(sql: "INSERT INTO event_batch(count, events) VALUES (?, ?)").execute(arguments: [batch.count, batch.events])
    }

    /// The batch was rolled back: its events were not applied.
    func discard() {
        lock.withLock { pending.removeAll(keepingCapacity: true); count = 0 }
    }

    /// How many rows the log holds and the last one's id: rows are only ever added, so two
    /// connections that agree on these see the same log.
    struct Extent: Equatable {
        var rows: Int
        var last: Int64
    }

    static func extent(_ db: Database) throws -> Extent {
        try db.cachedStatement(sql: "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM event_batch")
            .fetchFirst(binding: { _ in }) { Extent(rows: Int($0.int64(0) ?? 0), last: $0.int64(1) ?? 0) } ?? Extent(rows: 0, last: 0)
    }

    /// The row that follows row `after` (0 for the first), undecoded.
    static func row(after: Int64, _ db: Database) throws -> (id: Int64, events: Data)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT id, events FROM event_batch WHERE id > ? ORDER BY id LIMIT 1"), arguments: [after])
            .map { ($0[0], $0[1]) }
    }

    /// Appends one event's record to `bytes`. Kept in an array, not `Data`: every `Data.append`
    /// went through Foundation's general `replaceBytes(in:with:)` — nine of them an event, a sixth
    /// of the writer's time consuming events.
    static func encode(_ event: ReceivedEvent, into bytes: inout [UInt8]) {
        func length(_ count: Int) { withUnsafeBytes(of: UInt32(count).littleEndian) { bytes.append(contentsOf: $0) } }
        func field(_ string: String) {
            var string = string
            string.withUTF8 { utf8 in
                length(utf8.count)
                bytes.append(contentsOf: utf8)
            }
        }
        field(event.header.publisher)
        field(event.header.stream)
        withUnsafeBytes(of: event.header.seq.littleEndian) { bytes.append(contentsOf: $0) }
        field(event.header.type)
        length(event.body.count)
        event.body.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// Appends one event's record to `data`: a row made by hand (the tests make damaged ones).
    static func encode(_ event: ReceivedEvent, into data: inout Data) {
        var bytes: [UInt8] = []
        encode(event, into: &bytes)
        data.append(contentsOf: bytes)
    }

    /// The events of a batch's row; a record cut short or a name that is not UTF-8 is an error
    /// (the row was damaged), never a guess. Read through the row's bytes, not `Data`'s own
    /// methods: its `copyBytes(to:from:)` is generic over `DataProtocol` and, unspecialized here,
    /// looked up type metadata for every integer — a quarter of a recompute's decoding thread.
    static func decode(_ data: Data) throws -> [ReceivedEvent] {
        var events: [ReceivedEvent] = []
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            func take(_ length: Int) throws -> Range<Int> {
                guard length >= 0, bytes.count - offset >= length else { throw Damaged(offset: offset) }
                defer { offset += length }
                return offset..<(offset + length)
            }
            func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
                T(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(MemoryLayout<T>.size).lowerBound, as: T.self))
            }
            func string() throws -> String {
                let range = try take(Int(try integer(UInt32.self)))
                let utf8 = UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self)
                guard let string = String(validating: utf8, as: UTF8.self) else { throw Damaged(offset: range.lowerBound) }
                return string
            }
            while offset < bytes.count {
                let publisher = try string(), stream = try string()
                let seq = try integer(Int64.self)
                let type = try string()
                let range = try take(Int(try integer(UInt32.self)))
                let body = data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)]
                events.append(ReceivedEvent(header: WireHeader(publisher: publisher, epoch: "", stream: stream, seq: seq, eventId: "", type: type),
                                            body: body, replayed: true))
            }
        }
        return events
    }

    /// A row of the log that cannot be read back.
    struct Damaged: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "event log row damaged at byte \(offset)" }
    }
}
