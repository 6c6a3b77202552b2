import Contracts
import Foundation
import GRDB

/// One event as a subscriber receives it: the wire header and the envelope bytes.
public struct ReceivedEvent: Sendable {
    public var header: WireHeader
    public var body: Data
    /// True when it came through replay rather than live.
    public var replayed: Bool

    public init(header: WireHeader, body: Data, replayed: Bool) {
        self.header = header; self.body = body; self.replayed = replayed
    }

    public var type: EventType { EventType(header.type) }

    /// Decodes the envelope with a payload type the handler knows.
    public func decode<P: EventPayload>(_ type: P.Type) throws -> EventEnvelope<P> {
        try EventCodec.decode(P.self, from: body)
    }
}

/// A subscriber's effect. `apply` runs inside the transaction that also records the event in the
/// inbox and advances the cursor, so the effect happens exactly once. A thrown error rolls back
/// only this event's effect (a savepoint) and dead-letters it with the error as the reason; the
/// stream goes on. Unknown types should be ignored, not thrown on.
public protocol EventHandler: Sendable {
    func apply(_ event: ReceivedEvent, in db: Database) throws

    /// Replaces what this subscriber derived from `stream` of `publisher` by a snapshot's items
    /// (see `SnapshotProvider`), inside one transaction with the cursor moving to the snapshot's head.
    /// Return false when the handler cannot rebuild from snapshots: the stream is then stopped with an alarm.
    func rebuild(publisher: String, stream: String, from items: [Data], in db: Database) throws -> Bool

    /// The events of a batch about to be applied, in order, before the first `apply`: a handler
    /// may start decoding them on another core. Some may not be applied after all (duplicates,
    /// events past a gap), and `apply` may still meet events not named here. Called only when
    /// `previewsBatches` is true: making the list costs a header parse and a copy per event.
    func willApply(_ events: [ReceivedEvent])

    /// Whether the subscriber should call `willApply` (default false).
    var previewsBatches: Bool { get }

    /// Runs once a batch's events are applied, inside the same transaction, before it commits: a
    /// handler that sums across a batch in memory writes the sums here. Whoever calls `apply`
    /// outside the subscriber (a recompute, a benchmark) calls this before committing too.
    func finishBatch(in db: Database) throws

    /// The batch's transaction was rolled back: forget what was kept in memory for it.
    func discardBatch()
}

extension EventHandler {
    public func rebuild(publisher: String, stream: String, from items: [Data], in db: Database) throws -> Bool { false }
    public func willApply(_ events: [ReceivedEvent]) {}
    public var previewsBatches: Bool { false }
    public func finishBatch(in db: Database) throws {}
    public func discardBatch() {}
}

/// Routes events to closures by type; types without a route are skipped.
///
/// An event is decoded, then handled: `prepare` does the first part alone, on any thread, so that
/// a reader of many events (a recompute) decodes on one core while the writer applies on another.
public struct EventRouter: EventHandler {
    /// A decoded event waiting to be applied on the writer.
    public typealias Prepared = @Sendable (Database) throws -> Void
    private var routes: [String: @Sendable (ReceivedEvent) throws -> Prepared] = [:]
    private var rebuilder: (@Sendable (String, String, [Data], Database) throws -> Bool)?

    public init() {}

    public mutating func on<P: EventPayload>(_ type: P.Type, _ handle: @escaping @Sendable (EventEnvelope<P>, Database) throws -> Void) {
        routes[P.eventType.rawValue] = { event in
            let envelope = try event.decode(P.self)
            return { db in try handle(envelope, db) }
        }
    }

    /// A route whose decoding goes on to `prepare`, still on the decoding thread: work that needs the
    /// event alone, not the database, done there instead of on the writer.
    public mutating func on<P: EventPayload, Ready: Sendable>(_ type: P.Type, prepare: @escaping @Sendable (EventEnvelope<P>) throws -> Ready,
                                                             _ handle: @escaping @Sendable (Ready, Database) throws -> Void) {
        routes[P.eventType.rawValue] = { event in
            let ready = try prepare(try event.decode(P.self))
            return { db in try handle(ready, db) }
        }
    }

    public mutating func onRebuild(_ rebuild: @escaping @Sendable (String, String, [Data], Database) throws -> Bool) {
        rebuilder = rebuild
    }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        try prepare(event)?(db)
    }

    /// Decodes `event` for its route; nil when its type has none. Touches no database.
    public func prepare(_ event: ReceivedEvent) throws -> Prepared? {
        try routes[event.header.type]?(event)
    }

    public func rebuild(publisher: String, stream: String, from items: [Data], in db: Database) throws -> Bool {
        try rebuilder?(publisher, stream, items, db) ?? false
    }
}

extension EventRouter {
    /// Routes a deal event by the deal state it carries.
    public mutating func onDeal<P: DealCarrying>(_ type: P.Type, _ handle: @escaping @Sendable (DealState, Database) throws -> Void) {
        on(P.self) { envelope, db in try handle(envelope.payload.deal, db) }
    }
}
