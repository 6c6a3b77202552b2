import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import ServiceKit
import Storage

/// `make bench`'s KPI part: a generated year of a department consumed by the read side, then the
/// leaderboard and a manager's card asked for, and the year recomputed from the stored events.
extension KPIService {
    public struct BenchReport: Sendable {
        public var events = 0
        public var consumeSeconds = 0.0
        public var leaderboard: [Double] = []
        public var card: [Double] = []
        /// The head's dashboard pages as rendered (HTML, Russian), by path, in milliseconds.
        public var pages: [(path: String, milliseconds: [Double])] = []
        public var recomputeEvents = 0
        public var recomputeSeconds = 0.0
    }

    /// At `scale` 1: 300 managers, about a million deal events, ten million calls and 200,000
    /// payments over the year before `now`. Events are encoded outside the clock; the clock runs
    /// while they are applied the way the subscriber applies them — marked in the inbox, kept in the
    /// event log, projected into facts and the daily aggregate, 20,000 to a transaction — as the
    /// subscriber takes a backlog (`StreamSubscriber` applies up to 20,000 waiting events in one
    /// transaction).
    public static func benchYear(path: String, scale: Double, managers: Int = 300, zone: TimeZone,
                                 progress: (String) -> Void = { _ in }) throws -> BenchReport {
        // Opened as the running service opens it: the write-ahead log is copied back by a
        // checkpointer of its own, not inside the batches' commits.
        let database = try PacerDatabase.open(path: path, backgroundCheckpoints: true) { KPISchema.migrations(&$0) }
        let checkpointer = Task { try await WALCheckpointer(path: path, logger: Logger(label: "bench")).run() }
        defer { checkpointer.cancel() }
        let projection = Projection(zone: zone)
        var report = BenchReport()
        let now = Date()
        let yearStart = now.addingTimeInterval(-365 * 86_400)
        var random = SystemRandomNumberGenerator()
        var seq: [String: Int64] = [:]
        let source = EventSource(service: "bench", instance: "bench")
        var batch: [ReceivedEvent] = []

        func flush() throws {
            guard !batch.isEmpty else { return }
            let events = batch
            let started = DispatchTime.now().uptimeNanoseconds
            try database.write { db in
                projection.willApply(events)
                let inbox = try InboxStore.Marker(db)
                for event in events {
                    let header = event.header
                    guard try inbox.markApplied(eventId: header.eventId, publisher: header.publisher, stream: header.stream, seq: header.seq)
                    else { continue }
                    try projection.apply(event, in: db)
                }
                try projection.finishBatch(in: db)
            }
            report.consumeSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            report.events += events.count
            batch.removeAll(keepingCapacity: true)
        }
        func emit<P: EventPayload>(_ payload: P, stream: String, at: Date) throws {
            let next = (seq[stream] ?? 0) + 1
            seq[stream] = next
            let id = EventID.make()
            let body = EnvelopeWriter.write(eventId: id, type: P.eventType.rawValue, schemaVersion: 1, source: source, stream: stream, seq: next,
                                            occurredAt: at, correlationId: nil, payload: try EventCodec.encodePayload(payload))
            batch.append(ReceivedEvent(header: WireHeader(publisher: "bench", epoch: "e", stream: stream, seq: next, eventId: id,
                                                          type: P.eventType.rawValue), body: body, replayed: false))
            if batch.count == 20_000 { try flush() }
        }

        let ids = (0..<managers).map { "m\($0)" }
        for (index, id) in ids.enumerated() {
            try emit(ManagerUpserted(managerId: id, name: "Менеджер \(index)", teamId: "t\(index % 10)", role: "manager", extensions: [],
                                     phones: [], email: nil, telegramChatId: nil, active: true), stream: StreamName.deals, at: yearStart)
            for client in 0..<20 {
                try emit(ClientUpserted(clientId: "c\(index)-\(client)", kind: "company", name: "Клиент \(index)-\(client)", inn: nil, kpp: nil,
                                        phones: [], emails: [], managerId: id, segment: "smb", region: "Москва", source: "website"),
                         stream: StreamName.deals, at: yearStart)
            }
        }
        progress("managers and clients")
        // Deals: created, moved twice, then won or lost — four events each.
        let deals = Int(250_000 * scale)
        for n in 0..<deals {
            let manager = Int.random(in: 0..<managers, using: &random)
            let created = yearStart.addingTimeInterval(Double(n) * 365 * 86_400 / Double(deals))
            var state = DealState(dealId: "d\(n)", title: "Сделка \(n)", clientId: "c\(manager)-\(n % 20)", managerId: ids[manager],
                                  amount: Money(kopecks: Int64.random(in: 10_000_00...2_000_000_00, using: &random)), category: "equipment",
                                  region: "Москва", segment: "smb", source: "website", pipelineId: "sales", stageId: "new", department: "sales",
                                  probability: 10, status: .open, isRepeatSale: false, problem: false, lossReason: nil, expectedCloseDate: nil,
                                  createdAt: created, closedAt: nil, version: 1)
            try emit(DealCreated(deal: state, authorId: nil), stream: StreamName.deals, at: created)
            for (step, stage) in ["qualified", "proposal"].enumerated() {
                let from = state.stageId
                state.stageId = stage; state.probability = 20 + step * 20; state.version += 1
                try emit(DealStageChanged(deal: state, fromStageId: from, toStageId: stage, authorId: nil), stream: StreamName.deals,
                         at: created.addingTimeInterval(Double(step + 1) * 86_400))
            }
            let closed = created.addingTimeInterval(4 * 86_400)
            state.version += 1
            state.closedAt = closed
            if n % 5 < 2 {
                state.status = .won
                try emit(DealWon(deal: state, fromStageId: "proposal", authorId: nil), stream: StreamName.deals, at: closed)
            } else {
                state.status = .lost; state.lossReason = "price"
                try emit(DealLost(deal: state, fromStageId: "proposal", reason: "price", authorId: nil), stream: StreamName.deals, at: closed)
            }
        }
        progress("\(deals * 4) deal events")
        let calls = Int(10_000_000 * scale)
        for n in 0..<calls {
            let manager = Int.random(in: 0..<managers, using: &random)
            let started = yearStart.addingTimeInterval(Double(n) * 365 * 86_400 / Double(calls))
            let talk = Int.random(in: 0...600, using: &random)
            try emit(CallRecorded(call: CallState(callId: "call\(n)", revision: 1, direction: n % 3 == 0 ? .incoming : .outgoing, from: "101",
                                                  to: "+74951234567", extension_: "101", managerId: ids[manager], clientId: "c\(manager)-\(n % 20)",
                                                  dealId: nil, startedAt: started, answeredAt: nil, endedAt: nil, durationSeconds: talk + 5,
                                                  billableSeconds: talk, answered: talk > 0, disposition: talk > 0 ? "ANSWERED" : "NO ANSWER",
                                                  recordingURL: nil, source: "cdr")),
                     stream: StreamName.telephony, at: started)
        }
        progress("\(calls) calls")
        let payments = Int(200_000 * scale)
        for n in 0..<payments {
            let manager = Int.random(in: 0..<managers, using: &random)
            let day = CalendarDay.of(yearStart.addingTimeInterval(Double(n) * 365 * 86_400 / Double(payments)), in: zone)
            let amount = Money(kopecks: Int64.random(in: 1_000_00...500_000_00, using: &random))
            try emit(PaymentReceived(payment: PaymentState(
                paymentId: "p\(n)", number: "\(n)", documentDate: day, receivedOn: day, amount: amount, payerName: "Плательщик",
                payerInn: nil, payerAccount: nil, purpose: "Оплата", clientId: "c\(manager)-\(n % 20)", dealId: nil, managerId: ids[manager],
                allocations: [], unallocated: Money(kopecks: 0), matchedBy: "invoice-number", revision: 1)),
                     stream: StreamName.accounting, at: CalendarDay.start(day, in: zone) ?? now)
        }
        try flush()
        progress("\(payments) payments")

        // Reads while nothing else runs: the leaderboard of the month and a manager's card — after
        // the write-ahead log is copied back, or the checkpointer's round would run beside them.
        // A checkpoint running already (the checkpointer's) makes this one busy at once: retried.
        while true {
            do {
                _ = try database.writeWithoutTransaction { try $0.checkpoint(.truncate) }
                break
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        let today = CalendarDay.of(now, in: zone)
        let month = Period.containing(today, kind: .month)
        func timed(_ body: () throws -> Void) rethrows -> Double {
            let started = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        }
        for n in 0..<200 {
            report.leaderboard.append(try timed {
                _ = try database.read { try ReportRoutes.leaderboard(metric: .wonAmount, period: month, dims: (nil, nil, nil, nil), team: nil,
                                                                     byCompletion: false, today: today, $0) }
            })
            report.card.append(try timed { _ = try database.read { try ReportRoutes.card(ids[n % managers], period: month, today: today, zone: zone, $0) } })
        }
        let dashboard = Dashboard(zone: zone, configuration: KPIConfiguration(), language: .ru)
        let pages: [(String, (Database, Int) throws -> Void)] = [
            ("/", { db, _ in _ = try dashboard.overview(period: month, db) }),
            ("/ui/leaderboard", { db, _ in _ = try dashboard.leaderboard(period: month, sort: .wonAmount, byCompletion: false, viewer: nil, db) }),
            ("/ui/funnel", { db, _ in _ = try dashboard.funnel(period: month, db) }),
            ("/ui/receivables", { db, _ in _ = try dashboard.receivables(period: month, db) }),
            ("/ui/activity", { db, _ in _ = try dashboard.activity(period: month, db) }),
            ("/ui/attention", { db, _ in _ = try dashboard.attention(db) }),
            ("/ui/approvals", { db, _ in _ = try dashboard.approvals(notice: nil, db) }),
            ("/ui/managers/:id", { db, n in _ = try dashboard.card(ids[n % managers], period: month, db) }),
        ]
        for (path, render) in pages {
            var samples: [Double] = []
            for n in 0..<20 { samples.append(try timed { try database.read { try render($0, n) } }) }
            report.pages.append((path, samples))
        }
        (report.recomputeEvents, report.recomputeSeconds) = try recompute(database, zone: zone)
        return report
    }

    /// A full recompute of the database at `path` (one `benchYear` kept), timed: the recompute
    /// measured again without generating and consuming a year first.
    public static func benchRecompute(path: String, zone: TimeZone) throws -> (events: Int, seconds: Double) {
        guard FileManager.default.fileExists(atPath: path) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        let database = try PacerDatabase.open(path: path, backgroundCheckpoints: true) { KPISchema.migrations(&$0) }
        return try recompute(database, zone: zone)
    }

    private static func recompute(_ database: DatabasePool, zone: TimeZone) throws -> (events: Int, seconds: Double) {
        let started = DispatchTime.now().uptimeNanoseconds
        let events = try database.write { try Projection.recompute(zone: zone, $0) }
        return (events, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}
