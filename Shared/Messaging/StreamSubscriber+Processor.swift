import Contracts
import Foundation
import GRDB
import Logging
import Storage

extension StreamSubscriber {
    struct Key: Hashable, Sendable {
        var publisher: String
        var stream: String
    }

    /// The subscriber's decisions, kept apart from sockets and tasks so that each batch is one
    /// function over (state, messages, database). Used only by the subscriber's consuming task;
    /// the database closure runs while that task awaits it, never concurrently.
    final class Processor: @unchecked Sendable {
        struct Request: Sendable {
            var source: Int
            var frames: [String]
        }

        struct InFlight: Sendable {
            var source: Int
            var frames: [String]
            var sentAt: ContinuousClock.Instant
        }

        struct State: Sendable {
            var cursors: [Key: StreamCursor] = [:]
            var heads: [Key: Int64] = [:]
            var alarms: [Key: String] = [:]
            var inFlight: [Key: InFlight] = [:]
            var sourceOf: [Key: Int] = [:]
            var statusAsked: [Int: ContinuousClock.Instant] = [:]
            var sourcesKnown: Set<Int> = []
            var deadLetters = 0
            var applied = 0
            var lastInboxPrune = ContinuousClock.now - .seconds(86_400)
        }

        var state = State()
        var pendingRequests: [Request] = []
        private var savepoints = true
        private var dirty: Set<Key> = []
        let configuration: Configuration
        let handler: any EventHandler
        let metrics: BusMetrics
        let logger: Logger

        init(configuration: Configuration, handler: any EventHandler, metrics: BusMetrics, logger: Logger,
             cursors: [StreamCursor], alarms: [BusAlarm]) {
            self.configuration = configuration
            self.handler = handler
            self.metrics = metrics
            self.logger = logger
            for cursor in cursors { state.cursors[Key(publisher: cursor.publisher, stream: cursor.stream)] = cursor }
            for alarm in alarms { state.alarms[Key(publisher: alarm.publisher, stream: alarm.stream)] = alarm.message }
        }

        func takeRequests() -> [Request] {
            defer { pendingRequests.removeAll() }
            return pendingRequests
        }

        func committed() { dirty.removeAll() }

        /// Thrown on the fast path when a handler fails: the batch is redone with savepoints.
        struct NeedsSavepoints: Error {}

        /// Forgets a batch that was rolled back.
        func restore(_ saved: State) {
            handler.discardBatch()
            state = saved
            dirty.removeAll()
            pendingRequests.removeAll()
        }

        func status(ready: Bool) -> SubscriberStatus {
            var status = SubscriberStatus()
            status.ready = ready
            let keys = Set(state.cursors.keys).union(state.heads.keys)
            status.streams = keys.map { key in
                SubscriberStatus.Stream(publisher: key.publisher, stream: key.stream,
                                        applied: state.cursors[key]?.lastSeq ?? 0,
                                        head: max(state.heads[key] ?? 0, state.cursors[key]?.lastSeq ?? 0))
            }.sorted { ($0.publisher, $0.stream) < ($1.publisher, $1.stream) }
            status.alarms = state.alarms.map { "\($0.key.publisher)/\($0.key.stream): \($0.value)" }.sorted()
            status.deadLetters = state.deadLetters
            status.applied = state.applied
            for stream in status.streams { metrics.lag(publisher: stream.publisher, stream: stream.stream, stream.lag) }
            return status
        }

        // MARK: Batch

        func process(_ batch: [Inbound], _ db: Database, savepoints: Bool = true) throws {
            self.savepoints = savepoints
            let inbox = try InboxStore.Marker(db)
            var consumed: [String: Int] = [:]
            if handler.previewsBatches { handler.willApply(batch.compactMap(Self.announced)) }
            for item in batch {
                switch item {
                case .tick:
                    try tick(db)
                case let .frames(source, frames, viaReplay):
                    guard let command = frames.first else { continue }
                    if viaReplay {
                        switch String(decoding: command, as: UTF8.self) {
                        case ReplayProtocol.event where frames.count == 3:
                            if try event(source: source, frames[1], frames[2], viaReplay: true, inbox, db) {
                                consumed[String(decoding: frames[1].split(separator: 0x20).dropFirst(3).first ?? [], as: UTF8.self), default: 0] += 1
                            }
                        case ReplayProtocol.end where frames.count == 5:
                            end(source: source, frames.dropFirst().map { String(decoding: $0, as: UTF8.self) })
                        case ReplayProtocol.truncated where frames.count == 6:
                            try truncated(source: source, frames.dropFirst().map { String(decoding: $0, as: UTF8.self) }, db)
                        case ReplayProtocol.status where frames.count == 2:
                            statusReply(source: source, frames[1])
                        case ReplayProtocol.snapshot where frames.count >= 5:
                            try snapshot(source: source, frames, db)
                        default:
                            logger.warning("unexpected replay reply", metadata: ["frames": "\(frames.count)", "command": "\(String(decoding: command, as: UTF8.self))"])
                        }
                    } else if frames.count == 3 {
                        if try event(source: source, frames[1], frames[2], viaReplay: false, inbox, db) {
                            consumed[String(decoding: frames[0].prefix { $0 != 0x2F }, as: UTF8.self), default: 0] += 1
                        }
                    } else {
                        try deadLetter(nil, reason: "malformed message: \(frames.count) frames, expected 3",
                                       header: frames.count > 1 ? Data(frames[1]) : nil, body: frames.count > 2 ? Data(frames[2]) : nil, db)
                    }
                }
            }
            try handler.finishBatch(in: db)
            for key in dirty { if let cursor = state.cursors[key] { try InboxStore.saveCursor(cursor, db) } }
            for (stream, count) in consumed { metrics.consumed(stream, count) }
        }

        /// The event a message carries, for `EventHandler.willApply`: whether it is applied is
        /// decided later, in order.
        static func announced(_ item: Inbound) -> ReceivedEvent? {
            guard case let .frames(_, frames, viaReplay) = item, frames.count == 3 else { return nil }
            if viaReplay, String(decoding: frames[0], as: UTF8.self) != ReplayProtocol.event { return nil }
            guard let header = WireHeader(parsing: frames[1]), !header.isHeartbeat else { return nil }
            return ReceivedEvent(header: header, body: Data(frames[2]), replayed: viaReplay)
        }

        /// Returns true when the event was applied.
        private func event(source: Int, _ headerBytes: [UInt8], _ body: [UInt8], viaReplay: Bool, _ inbox: InboxStore.Marker,
                           _ db: Database) throws -> Bool {
            guard let header = WireHeader(parsing: headerBytes) else {
                try deadLetter(nil, reason: "unparsable header", header: Data(headerBytes), body: Data(body), db)
                return false
            }
            let key = Key(publisher: header.publisher, stream: header.stream)
            guard state.alarms[key] == nil else { return false }
            state.sourceOf[key] = source
            var cursor = state.cursors[key] ?? StreamCursor(publisher: header.publisher, stream: header.stream, epoch: header.epoch, lastSeq: 0)
            if cursor.epoch != header.epoch {
                guard cursor.lastSeq == 0 else {
                    try alarm(key, kind: "epoch_changed",
                              "publisher's database changed (epoch \(cursor.epoch) → \(header.epoch)) after seq \(cursor.lastSeq); stream stopped until an operator resets it", db)
                    return false
                }
                cursor.epoch = header.epoch
                state.cursors[key] = cursor
                dirty.insert(key)
            }
            if header.isHeartbeat {
                if header.seq < cursor.lastSeq {
                    try alarm(key, kind: "head_went_back",
                              "publisher's head \(header.seq) is behind applied \(cursor.lastSeq) with the same epoch: its database was restored; stream stopped", db)
                    return false
                }
                state.heads[key] = max(state.heads[key] ?? 0, header.seq)
                if header.seq > cursor.lastSeq { requestReplay(key, source: source, from: cursor.lastSeq + 1) }
                return false
            }
            state.heads[key] = max(state.heads[key] ?? 0, header.seq)
            if header.seq <= cursor.lastSeq {
                metrics.duplicate(header.stream)
                return false
            }
            if header.seq > cursor.lastSeq + 1 {
                requestReplay(key, source: source, from: cursor.lastSeq + 1)
                return false
            }
            let received = ReceivedEvent(header: header, body: Data(body), replayed: viaReplay)
            if savepoints {
                do {
                    if let outbox = configuration.outbox {
                        try outbox.savepoint(db) { try applyOnce(received, inbox, db) }
                    } else {
                        try db.inSavepoint {
                            try applyOnce(received, inbox, db)
                            return .commit
                        }
                    }
                } catch let error as DatabaseError where Self.isStorageFailure(error) {
                    // The database, not the event, is at fault: fail the batch so it is retried.
                    throw error
                } catch {
                    try deadLetter(header, reason: "\(error)", header: Data(headerBytes), body: Data(body), db)
                }
            } else {
                do {
                    try applyOnce(received, inbox, db)
                } catch let error as DatabaseError where Self.isStorageFailure(error) {
                    throw error
                } catch {
                    throw NeedsSavepoints()
                }
            }
            cursor.lastSeq = header.seq
            state.cursors[key] = cursor
            state.applied += 1
            dirty.insert(key)
            if viaReplay, let flight = state.inFlight[key] { state.inFlight[key]?.sentAt = max(flight.sentAt, .now) }
            return true
        }

        /// Applies `event` unless `inbox` (the batch's) has it already.
        private func applyOnce(_ event: ReceivedEvent, _ inbox: InboxStore.Marker, _ db: Database) throws {
            let header = event.header
            if try inbox.markApplied(eventId: header.eventId, publisher: header.publisher, stream: header.stream, seq: header.seq) {
                if FaultInjection.swallow() { return }
                try handler.apply(event, in: db)
            } else {
                metrics.duplicate(header.stream)
            }
        }

        static func isStorageFailure(_ error: DatabaseError) -> Bool {
            [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_NOMEM]
                .contains(error.resultCode)
        }

        private func end(source: Int, _ fields: [String]) {
            // END <publisher> <epoch> <stream> <head>
            let key = Key(publisher: fields[0], stream: fields[2])
            state.inFlight[key] = nil
            guard let head = Int64(fields[3]), state.alarms[key] == nil else { return }
            state.heads[key] = max(state.heads[key] ?? 0, head)
            let applied = state.cursors[key]?.lastSeq ?? 0
            if applied < head { requestReplay(key, source: source, from: applied + 1) }
        }

        private func truncated(source: Int, _ fields: [String], _ db: Database) throws {
            // TRUNCATED <publisher> <epoch> <stream> <oldest> <head>
            let key = Key(publisher: fields[0], stream: fields[2])
            state.inFlight[key] = nil
            logger.warning("fell behind the publisher's retained log; asking for a snapshot",
                           metadata: ["publisher": "\(key.publisher)", "stream": "\(key.stream)", "oldest": "\(fields[3])"])
            send(key, source: source, [ReplayProtocol.snapshot, key.stream])
        }

        private func snapshot(source: Int, _ frames: [[UInt8]], _ db: Database) throws {
            // SNAPSHOT <publisher> <epoch> <stream> <head> <item>…
            let fields = frames[1...4].map { String(decoding: $0, as: UTF8.self) }
            let key = Key(publisher: fields[0], stream: fields[2])
            state.inFlight[key] = nil
            guard let head = Int64(fields[3]), state.alarms[key] == nil else { return }
            if let cursor = state.cursors[key], cursor.lastSeq >= head, cursor.epoch == fields[1] { return }
            let items = frames.dropFirst(5).map { Data($0) }
            guard try handler.rebuild(publisher: key.publisher, stream: key.stream, from: items, in: db) else {
                try alarm(key, kind: "truncated", "fell behind the publisher's retained log and this subscriber cannot rebuild from a snapshot", db)
                return
            }
            state.cursors[key] = StreamCursor(publisher: key.publisher, stream: key.stream, epoch: fields[1], lastSeq: head)
            state.heads[key] = max(state.heads[key] ?? 0, head)
            dirty.insert(key)
            logger.notice("rebuilt from snapshot", metadata: ["publisher": "\(key.publisher)", "stream": "\(key.stream)", "head": "\(head)", "items": "\(items.count)"])
        }

        private func statusReply(source: Int, _ json: [UInt8]) {
            guard let status = try? JSONDecoder().decode(PublisherStatus.self, from: Data(json)) else { return }
            state.sourcesKnown.insert(source)
            // Only the streams this publisher has: a source serves some of what we consume, not all.
            for stream in configuration.streams {
                guard let head = status.streams[stream] else { continue }
                let key = Key(publisher: status.publisher, stream: stream)
                state.sourceOf[key] = source
                state.heads[key] = max(state.heads[key] ?? 0, head)
                let cursor = state.cursors[key]
                if let cursor, cursor.epoch != status.epoch, cursor.lastSeq > 0 { continue } // the next event raises the alarm
                if head > (cursor?.lastSeq ?? 0) { requestReplay(key, source: source, from: (cursor?.lastSeq ?? 0) + 1) }
            }
        }

        private func tick(_ db: Database) throws {
            let now = ContinuousClock.now
            for (key, flight) in state.inFlight where now - flight.sentAt > configuration.replayTimeout {
                state.inFlight[key]?.sentAt = now
                pendingRequests.append(Request(source: flight.source, frames: flight.frames))
            }
            // Until a publisher has answered STATUS once, keep asking: it may not be up yet.
            for source in configuration.sources.indices where !state.sourcesKnown.contains(source) {
                if let asked = state.statusAsked[source], now - asked < .seconds(1) { continue }
                state.statusAsked[source] = now
                pendingRequests.append(Request(source: source, frames: [ReplayProtocol.status]))
            }
            if now - state.lastInboxPrune > .seconds(3600) {
                state.lastInboxPrune = now
                let cutoff = Date().addingTimeInterval(-Double(configuration.inboxRetention.components.seconds))
                try InboxStore.prune(db, madeBefore: cutoff)
            }
        }

        private func requestReplay(_ key: Key, source: Int, from: Int64) {
            guard state.inFlight[key] == nil, state.alarms[key] == nil else { return }
            metrics.replayRequested(key.stream)
            send(key, source: source, [ReplayProtocol.replay, key.stream, "\(from)", "\(configuration.replayPageSize)"])
        }

        private func send(_ key: Key, source: Int, _ frames: [String]) {
            state.inFlight[key] = InFlight(source: source, frames: frames, sentAt: .now)
            pendingRequests.append(Request(source: source, frames: frames))
        }

        private func alarm(_ key: Key, kind: String, _ message: String, _ db: Database) throws {
            logger.critical("bus stream stopped", metadata: ["publisher": "\(key.publisher)", "stream": "\(key.stream)", "reason": "\(message)"])
            state.alarms[key] = message
            state.inFlight[key] = nil
            try InboxStore.raiseAlarm(BusAlarm(publisher: key.publisher, stream: key.stream, kind: kind, message: message), db)
        }

        private func deadLetter(_ header: WireHeader?, reason: String, header headerBytes: Data?, body: Data?, _ db: Database) throws {
            logger.error("event dead-lettered", metadata: ["reason": "\(reason)", "event": "\(header?.eventId ?? "?")"])
            state.deadLetters += 1
            metrics.deadLettered(header?.stream ?? "unknown")
            try InboxStore.deadLetter(publisher: header?.publisher, stream: header?.stream, seq: header?.seq, eventId: header?.eventId,
                                      type: header?.type, reason: reason, header: headerBytes, body: body, db)
        }
    }
}
