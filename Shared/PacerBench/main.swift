import Contracts
import Dispatch
import Foundation
import GRDB
import Logging
import Messaging
import Storage
import Synchronization
import TestSupport
import ZeroMQ
import Telephony
import Deals
import Accounting
import Notifications
import KPI
import Hummingbird
import ServiceKit
import ServiceTestSupport

// `make bench`: the bus's throughput and latency, printed beside the raw limits of the same
// machine measured in the same run (libzmq alone, SQLite alone). Run in release mode.

let arguments = CommandLine.arguments
let total = arguments.firstIndex(of: "--events").flatMap { Int(arguments[$0 + 1]) } ?? 200_000
let payload = Data(repeating: 0x61, count: 200)

func rate(_ count: Int, _ seconds: Double) -> String {
    String(format: "%10.0f /s", Double(count) / seconds)
}

func peakRSSMiB() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") } ?? "VmHWM: 0 kB"
    let kb = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0") ?? 0
    return String(format: "%.0f MiB", kb / 1024)
}

/// User and system CPU seconds of the whole process so far: beside a stage's wall time it tells
/// whether the stage waited (on the disk, on a lock) or worked.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

// MARK: Raw libzmq PUB/SUB, three frames like the bus's, ~200-byte body

/// Stops a stage's checkpointer and waits for its last checkpoint: a service's checkpoints run in
/// its own process, so the next stage is timed without this one's write-ahead log copied beside it.
func finishCheckpoints(_ checkpointer: Task<Void, any Error>) async {
    let started = DispatchTime.now().uptimeNanoseconds
    checkpointer.cancel()
    _ = await checkpointer.result
    print(String(format: "  write-ahead log copied back (last checkpoint) in %.1f s", Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9))
}

func rawZeroMQ(count: Int) throws -> Double {
    let context = try ZMQContext()
    defer { context.close() }
    let pub = try ZMQSocket(context: context, type: .pub)
    pub.sendHighWaterMark = 0
    try pub.bind("tcp://127.0.0.1:*")
    let endpoint = pub.lastEndpoint
    let received = Atomic<Int>(0)
    let ready = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    let receiver = Thread {
        let sub = try! ZMQSocket(context: context, type: .sub)
        sub.receiveHighWaterMark = 0
        try! sub.subscribe("")
        try! sub.connect(endpoint)
        ready.signal()
        var n = 0
        while n < count + 1 {
            guard let frames = try? sub.receive(dontWait: false) else { break }
            if frames[0] == [0x77] { continue }   // warm-up
            n += 1
        }
        received.store(n, ordering: .relaxed)
        sub.close()
        done.signal()
    }
    receiver.start()
    ready.wait()
    // Slow joiner: warm up until the subscription is through.
    for _ in 0..<200 { try pub.send([Data([0x77])]); usleep(2_000) }
    let topic = Data("bench/counter.incremented".utf8)
    let header = Data("1 bench 0f3c2b7a-1111-2222-3333-444455556666 bench 123456 8f14e45f-ceea-467f-a8a5-9d2d9c3b1a01 counter.incremented".utf8)
    let elapsed = try seconds {
        for _ in 0...count { _ = try pub.send([topic, header, payload], dontWait: false) }
        done.wait()
    }
    pub.close()
    return elapsed
}

// MARK: Raw SQLite: batched inserts of ~200-byte rows

func rawSQLite(count: Int, folder: TemporaryDirectory) throws -> Double {
    let pool = try PacerDatabase.open(path: folder.file("raw.sqlite")) { migrator in
        migrator.registerMigration("raw") { db in
            try db.execute(sql: "CREATE TABLE raw (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, body BLOB NOT NULL)")
        }
    }
    return try seconds {
        var written = 0
        while written < count {
            let n = min(1_000, count - written)
            try pool.write { db in
                let statement = try db.cachedStatement(sql: "INSERT INTO raw(event_id, body) VALUES (?, ?)")
                for i in 0..<n { try statement.execute(arguments: ["e-\(written + i)", payload]) }
            }
            written += n
        }
    }
}

// MARK: End to end: outbox → relay → PUB/SUB (+ replay) → inbox + effect, exactly once

func endToEnd(count: Int, folder: TemporaryDirectory) async throws -> (Double, Int) {
    let publisher = try await TestPublisher.start(path: folder.file("e2e-pub.sqlite"), instance: "bench-pub")
    let subscriber = try await TestSubscriber.start(path: folder.file("e2e-sub.sqlite"), sources: [publisher.source],
                                                    handler: CounterModel.Handler(decode: false))
    try await Task.sleep(for: .milliseconds(500))
    let outbox = publisher.outbox
    let body = try EventCodec.makeEncoder().encode(CounterIncremented(counter: "a", amount: Money(kopecks: 12_345), note: String(repeating: "x", count: 120)))
    let start = DispatchTime.now().uptimeNanoseconds
    var written = 0
    while written < count {
        let n = min(1_000, count - written)
        try await publisher.database.write { db in
            for _ in 0..<n {
                try outbox.appendEncoded(payload: body, type: CounterIncremented.eventType, schemaVersion: 1, stream: StreamName.bench, in: db)
            }
        }
        written += n
    }
    if arguments.contains("--stages") {
        print("  outbox appends done after \(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) s")
    }
    _ = await eventually(timeout: .seconds(600)) {
        subscriber.subscriber.status.applied(publisher: "bench-pub", stream: StreamName.bench) == Int64(count)
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let applied = try await subscriber.database.read { try Int.fetchOne($0, sql: "SELECT events FROM counter WHERE name = 'events'") ?? 0 }
    await subscriber.stop()
    await publisher.stop()
    return (elapsed, applied)
}

// MARK: Latency at a steady 1,000 events/s, one transaction per event

final class Samples: Sendable {
    let values = Mutex<[UInt64]>([])
}

func latency(rate perSecond: Int, seconds duration: Int, folder: TemporaryDirectory) async throws -> [UInt64] {
    let publisher = try await TestPublisher.start(path: folder.file("lat-pub.sqlite"), instance: "lat-pub")
    let box = Samples()
    let handler = SampleHandler(box: box)
    let subscriber = try await TestSubscriber.start(path: folder.file("lat-sub.sqlite"), sources: [publisher.source], handler: handler)
    try await Task.sleep(for: .milliseconds(500))
    let outbox = publisher.outbox
    let count = perSecond * duration
    let interval = 1_000_000_000 / UInt64(perSecond)
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<count {
        let due = start + UInt64(i) * interval
        let now = DispatchTime.now().uptimeNanoseconds
        if due > now { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
        try await publisher.database.write { db in
            let sent = DispatchTime.now().uptimeNanoseconds
            try outbox.append(CounterIncremented(counter: "lat", amount: Money(kopecks: 1), note: "\(sent)"), stream: StreamName.bench, in: db)
        }
    }
    _ = await eventually(timeout: .seconds(60)) { box.values.withLock { $0.count } == count }
    await subscriber.stop()
    await publisher.stop()
    // The first second includes connection set-up; measure the steady state.
    return Array(box.values.withLock { $0 }.dropFirst(perSecond))
}

struct SampleHandler: EventHandler {
    let box: Samples
    func apply(_ event: ReceivedEvent, in db: Database) throws {
        let now = DispatchTime.now().uptimeNanoseconds
        let envelope = try event.decode(CounterIncremented.self)
        if let sent = UInt64(envelope.payload.note) { box.values.withLock { $0.append(now - sent) } }
    }
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
}

// `--kpi-recompute PATH` times a recompute of a KPI database a `--keep` run left, and nothing else.
if let index = arguments.firstIndex(of: "--kpi-recompute") {
    guard index + 1 < arguments.count, FileManager.default.fileExists(atPath: arguments[index + 1]) else {
        FileHandle.standardError.write(Data("pacer-bench: --kpi-recompute needs the path of a kept kpi.sqlite\n".utf8))
        exit(2)
    }
    let events: Int, seconds: Double
    do {
        (events, seconds) = try KPIService.benchRecompute(path: arguments[index + 1], zone: TimeZone(identifier: "Europe/Moscow")!)
    } catch {
        FileHandle.standardError.write(Data("pacer-bench: recompute of \(arguments[index + 1]) failed: \(error)\n".utf8))
        exit(1)
    }
    print(String(format: "full recompute of the kept database                %10.1f s   (%d events)", seconds, events))
    print("peak resident memory                             \(peakRSSMiB())")
    exit(0)
}

let folder = try TemporaryDirectory("pacer-bench")
// `--keep` leaves the generated files and databases for a look with sqlite3 afterwards.
defer { if arguments.contains("--keep") { print("kept \(folder.path)") } else { folder.remove() } }
if arguments.contains("--append-only") {
    let pool = try PacerDatabase.open(path: folder.file("append.sqlite"))
    let outbox = OutboxStore(source: EventSource(service: "bench", instance: "bench"))
    let body = try EventCodec.makeEncoder().encode(CounterIncremented(counter: "a", amount: Money(kopecks: 12_345), note: String(repeating: "x", count: 120)))
    let elapsed = try seconds {
        for _ in 0..<(total / 1_000) {
            try pool.write { db in
                for _ in 0..<1_000 {
                    try outbox.appendEncoded(payload: body, type: CounterIncremented.eventType, schemaVersion: 1, stream: StreamName.bench, in: db)
                }
            }
        }
    }
    print("outbox appends alone                             \(rate(total, elapsed))")
    exit(0)
}
Allocator.configure()
print("pacer-bench: \(total) events of ~200 bytes, libzmq \(ZMQContext.version), \(Allocator.description), \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("")
let onlyCDR = arguments.contains("--only-cdr")
if !onlyCDR {
let zmqSeconds = try rawZeroMQ(count: total)
print("raw libzmq PUB→SUB (tcp loopback, 3 frames)      \(rate(total, zmqSeconds))")
let sqliteSeconds = try rawSQLite(count: total, folder: folder)
print("raw SQLite inserts (GRDB, 1,000 rows/commit)     \(rate(total, sqliteSeconds))")
let (e2eSeconds, applied) = try await endToEnd(count: total, folder: folder)
print("bus end to end: outbox → PUB/SUB → inbox+effect  \(rate(total, e2eSeconds))   (applied \(applied) of \(total), exactly once: \(applied == total ? "yes" : "NO"))")
let samples = try await latency(rate: 1_000, seconds: 5, folder: folder).sorted()
print(String(format: "latency at 1,000 events/s (commit → applied)     p50 %.2f ms   p99 %.2f ms   max %.2f ms   (%d samples)",
             percentile(samples, 0.5), percentile(samples, 0.99), Double(samples.last ?? 0) / 1e6, samples.count))
print("peak resident memory (bus part)                   \(peakRSSMiB())")
}

// MARK: Telephony: CDR parsing and import, streaming a generated file

let cdrCalls = arguments.firstIndex(of: "--cdr-calls").flatMap { Int(arguments[$0 + 1]) } ?? 500_000
let cdrPath = folder.file("Master.csv")
try TelephonyService.writeSampleCDR(path: cdrPath, calls: cdrCalls)
let cdrBytes = (try FileManager.default.attributesOfItem(atPath: cdrPath)[.size] as? Int) ?? 0
print("")
print("telephony: generated cdr_csv, \(cdrCalls * 2) rows (\(cdrCalls) two-leg calls), \(cdrBytes >> 20) MiB")
var parsed = (rows: 0, rejected: 0)
let parseSeconds = try seconds { parsed = try TelephonyService.parseOnly(path: cdrPath) }
print("CDR rows parsed (streaming, 1 MiB chunks)        \(rate(parsed.rows, parseSeconds))   (\(parsed.rows) rows, \(parsed.rejected) rejected)")
// Opened as the running service opens it: the write-ahead log is copied back by a checkpointer of
// its own, not inside the import's commits.
let telephonyDB = try PacerDatabase.open(path: folder.file("telephony.sqlite"), backgroundCheckpoints: true) { TelephonyService.definition().migrations(&$0) }
let telephonyCheckpointer = Task { try await WALCheckpointer(path: folder.file("telephony.sqlite"), logger: Logger(label: "bench")).run() }
defer { telephonyCheckpointer.cancel() }
let telephonyOutbox = OutboxStore(source: EventSource(service: "telephony", instance: "bench"))
let importStart = DispatchTime.now().uptimeNanoseconds, importCPU = cpuSeconds()
let (importSummary, _) = try await TelephonyService.importCDR(path: cdrPath, database: telephonyDB, outbox: telephonyOutbox,
                                                          timeZone: TimeZone(identifier: "UTC")!) { _, _ in }
let importSeconds = Double(DispatchTime.now().uptimeNanoseconds - importStart) / 1e9
let published = try telephonyDB.read { try OutboxStore.head($0, stream: StreamName.telephony) }
print("calls stored with their events (legs merged)     \(rate(cdrCalls, importSeconds))   (\(published) events in the outbox)")
print(String(format: "  %.1f s, %.1f s of CPU", importSeconds, cpuSeconds() - importCPU))
print("  \(importSummary.split(separator: "\n").first ?? "")")
print("peak resident memory (after the import)          \(peakRSSMiB())")
await finishCheckpoints(telephonyCheckpointer)

// MARK: Accounting: a generated 100,000-document 1C statement parsed, deduplicated, matched, stored, published

if !arguments.contains("--skip-accounting") {
    let documents = arguments.firstIndex(of: "--statement-documents").flatMap { Int(arguments[$0 + 1]) } ?? 100_000
    let statementPath = folder.file("kl_to_1c.txt")
    try AccountingService.writeSampleStatement(path: statementPath, documents: documents, clients: 5_000, invoices: 50_000)
    let statementBytes = (try FileManager.default.attributesOfItem(atPath: statementPath)[.size] as? Int) ?? 0
    print("")
    print("accounting: generated 1CClientBankExchange (Windows-1251), \(documents) documents, \(statementBytes >> 20) MiB; 5,000 clients, 50,000 invoices")
    var statementParsed = (documents: 0, rejected: 0)
    let statementParseSeconds = try seconds { statementParsed = try AccountingService.parseOnly(path: statementPath) }
    print("documents parsed (streaming, encoding detected)  \(rate(statementParsed.documents, statementParseSeconds))   (\(statementParsed.rejected) rejected)")
    let accountingPath = folder.file("accounting.sqlite")
    // Opened as the running service opens it (an upload to POST /statements): the write-ahead log
    // is copied back by a checkpointer of its own, not inside the import's commit.
    let accountingDB = try PacerDatabase.open(path: accountingPath, backgroundCheckpoints: true) { AccountingService.definition().migrations(&$0) }
    let accountingCheckpointer = Task { try await WALCheckpointer(path: accountingPath, logger: Logger(label: "bench")).run() }
    defer { accountingCheckpointer.cancel() }
    try AccountingService.seedSampleDirectory(accountingDB, clients: 5_000, invoices: 50_000)
    let accountingOutbox = OutboxStore(source: EventSource(service: "accounting", instance: "bench"))
    let accountingStart = DispatchTime.now().uptimeNanoseconds, accountingCPU = cpuSeconds()
    let (accountingSummary, _) = try await AccountingService.importStatement(
        path: statementPath, database: accountingDB, outbox: accountingOutbox, databasePath: accountingPath,
        configuration: AccountingConfiguration()) { _, _ in }
    let accountingSeconds = Double(DispatchTime.now().uptimeNanoseconds - accountingStart) / 1e9
    let accountingEvents = try accountingDB.read { try OutboxStore.head($0, stream: StreamName.accounting) }
    print("documents imported (deduplicated, matched, stored, events written)  \(rate(documents, accountingSeconds))   (\(accountingEvents) events in the outbox)")
    print(String(format: "  %.1f s, %.1f s of CPU", accountingSeconds, cpuSeconds() - accountingCPU))
    print("  \(accountingSummary.split(separator: "\n").first ?? "")")
    let againStart = DispatchTime.now().uptimeNanoseconds
    let (againSummary, _) = try await AccountingService.importStatement(
        path: statementPath, database: accountingDB, outbox: accountingOutbox, databasePath: accountingPath,
        configuration: AccountingConfiguration()) { _, _ in }
    let againSeconds = Double(DispatchTime.now().uptimeNanoseconds - againStart) / 1e9
    print("the same statement again (all duplicates)        \(rate(documents, againSeconds))   (\(againSummary.split(separator: ";").last.map { String($0).trimmingCharacters(in: .whitespaces).components(separatedBy: ",").first ?? "" } ?? ""))")
    print("peak resident memory (after the imports)         \(peakRSSMiB())")
    await finishCheckpoints(accountingCheckpointer)
}

// MARK: KPI: a year of 300 managers consumed by the read side; leaderboard and card latency; a full recompute

if !arguments.contains("--skip-kpi") {
    // Scale 1 is the issue's year (1M deal events, 10M calls, 200k payments); the default tenth
    // keeps `make bench` to a few minutes. `--kpi-scale 1` runs the whole year.
    let scale = arguments.firstIndex(of: "--kpi-scale").flatMap { Double(arguments[$0 + 1]) } ?? 0.1
    print("")
    print(String(format: "kpi: a generated year at scale %.2f — 300 managers, %d deal events, %d calls, %d payments", scale,
                 Int(250_000 * scale) * 4, Int(10_000_000 * scale), Int(200_000 * scale)))
    let report = try KPIService.benchYear(path: folder.file("kpi.sqlite"), scale: scale, zone: TimeZone(identifier: "Europe/Moscow")!)
    print("events consumed (inbox, event log, facts, aggregate; 20,000 a commit)\(rate(report.events, report.consumeSeconds))   (\(report.events) events)")
    let board = report.leaderboard.sorted(), card = report.card.sorted()
    print(String(format: "leaderboard of the month, 300 managers            p50 %.2f ms   p99 %.2f ms", board[board.count / 2], board[board.count * 99 / 100]))
    print(String(format: "a manager's card                                 p50 %.2f ms   p99 %.2f ms", card[card.count / 2], card[card.count * 99 / 100]))
    for (path, milliseconds) in report.pages {
        let sorted = milliseconds.sorted()
        print(String(format: "dashboard page %@ p50 %.2f ms   p99 %.2f ms", path.padding(toLength: 34, withPad: " ", startingAt: 0), sorted[sorted.count / 2], sorted[sorted.count * 99 / 100]))
    }
    print(String(format: "full recompute of the year from the event log     %10.1f s   (%d events)", report.recomputeSeconds, report.recomputeEvents))
    print("peak resident memory (after the KPI part)        \(peakRSSMiB())")
}

// MARK: Notifications: event to delivery at a local webhook; the evening digest for 300 managers

if !arguments.contains("--skip-notifications") {
    let count = arguments.firstIndex(of: "--notifications").flatMap { Int(arguments[$0 + 1]) } ?? 10_000
    let delivered = Atomic<Int>(0)
    let router = Router()
    router.post("hook") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1 << 16)
        delivered.add(1, ordering: .relaxed)
        return Response(status: .ok)
    }
    let receiverPort = AsyncValue<Int>()
    let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                               onServerRunning: { receiverPort.set($0.localAddress?.port ?? 0) }, logger: Logger(label: "bench-receiver"))
    let receiverTask = Task { try await receiver.runService(gracefulShutdownSignals: []) }
    let hook = "http://127.0.0.1:\(await receiverPort.value)/hook"
    let dir = try TemporaryDirectory("bench-notifications")
    let upstream = try await ServiceHarness.start(ServiceDefinition(defaults: .deals, publishes: [StreamName.deals, StreamName.accounting]),
                                                  defaults: .deals, dir: dir, name: "upstream")
    var configuration = NotificationsConfiguration()
    configuration.quietEnabled = false
    configuration.channels.chatWebhookURL = hook
    configuration.workerInterval = .milliseconds(20)
    configuration.digestInterval = .seconds(3600)
    let notifications = try await ServiceHarness.start(NotificationsService.definition(configuration), defaults: .notifications, dir: dir,
                                                       sources: [await upstream.source], consumes: [StreamName.deals, StreamName.accounting])
    let outbox = upstream.app.context.outbox
    // 300 managers without Telegram or e-mail: each one's message goes to the department chat.
    try upstream.database.write { db in
        for index in 0..<300 {
            _ = try outbox.append(ManagerUpserted(managerId: "m\(index)", name: "Менеджер \(index)", teamId: nil, role: "manager", extensions: [],
                                                  phones: [], email: nil, telegramChatId: nil, active: true), stream: StreamName.deals, in: db)
        }
    }
    let started = DispatchTime.now().uptimeNanoseconds
    try upstream.database.write { db in
        for index in 0..<count {
            let deal = DealState(dealId: "d\(index)", title: "Сделка \(index)", clientId: "c\(index % 1000)", managerId: "m\(index % 300)",
                                 amount: Money(kopecks: 100_000_00), category: nil, region: nil, segment: nil, source: nil, pipelineId: "main",
                                 stageId: "proposal", department: "sales", probability: 50, status: .lost, isRepeatSale: false, problem: false,
                                 lossReason: "price", expectedCloseDate: nil, createdAt: Date(), closedAt: Date(), version: 2)
            _ = try outbox.append(DealLost(deal: deal, fromStageId: "proposal", reason: "price", authorId: nil), stream: StreamName.deals, in: db)
        }
    }
    // When the rules had stored every message (the consumer's half) beside when the webhook had
    // them all (the delivery's half), so a slow figure says which half to look at.
    var storedSeconds: Double?
    while delivered.load(ordering: .relaxed) < count && DispatchTime.now().uptimeNanoseconds - started < 300_000_000_000 {
        try await Task.sleep(for: .milliseconds(10))
        if storedSeconds == nil,
           try notifications.database.read({ try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM notification WHERE rule = 'deal.lost'") ?? 0 }) >= count {
            storedSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
    }
    let deliverySeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    print("")
    print("notifications: \(count) deal.lost events for 300 managers, each to the department chat webhook on 127.0.0.1")
    print("notifications stored by the rules, event → row   \(rate(count, storedSeconds ?? deliverySeconds))")
    print("notifications delivered, event → webhook         \(rate(delivered.load(ordering: .relaxed), deliverySeconds))   (\(delivered.load(ordering: .relaxed)) of \(count))")
    // The evening digest: 3,000 payments of one day over 300 managers' clients.
    let database = notifications.database
    try database.write { db in
        for index in 0..<3_000 {
            try db.execute(sql: "INSERT INTO dir_client(id, name, managerId) VALUES (?, ?, ?)", arguments: ["c\(index)", "Клиент \(index)", "m\(index % 300)"])
            try db.execute(sql: """
                INSERT INTO day_payment(paymentId, receivedOn, amount, currency, clientId, managerId, payerName, revision)
                VALUES (?, '2026-11-20', ?, 'RUB', ?, ?, 'Плательщик', 1)
                """, arguments: ["p\(index)", Int64(index + 1) * 1_000, "c\(index)", "m\(index % 300)"])
        }
    }
    let digests = Digests(configuration: configuration)
    let digestStart = DispatchTime.now().uptimeNanoseconds
    try database.write { db in try digests.evening(day: "2026-11-20", db) }
    let digestSeconds = Double(DispatchTime.now().uptimeNanoseconds - digestStart) / 1e9
    print(String(format: "evening digest, 300 managers, 3,000 payments     %10.3f s", digestSeconds))
    await notifications.stop()
    await upstream.stop()
    receiverTask.cancel()
    dir.remove()
}

// MARK: Deals: stage changes over HTTP, each with its history line and event written

if !arguments.contains("--skip-deals") {
    let moves = arguments.firstIndex(of: "--deal-moves").flatMap { Int(arguments[$0 + 1]) } ?? 10_000
    let deals = try await ServiceHarness.start(DealsService.definition(), defaults: .deals, dir: try TemporaryDirectory("bench-deals"))
    try await deals.call("POST", "/managers", json: ["id": "m1", "name": "Анна"])
    let client = try await deals.call("POST", "/clients", json: ["name": "Ромашка", "managerId": "m1"])
    let clientId = client.json["id"] as! String
    let workers = arguments.firstIndex(of: "--deal-clients").flatMap { Int(arguments[$0 + 1]) } ?? 16
    var dealIds: [String] = []
    for _ in 0..<workers {
        let deal = try await deals.call("POST", "/deals", json: ["title": "bench", "clientId": clientId, "managerId": "m1",
                                                                  "amount": ["kopecks": 100, "currency": "RUB"]])
        dealIds.append(deal.json["dealId"] as! String)
    }
    let startHead = try await deals.head(StreamName.deals)
    let perWorker = moves / workers
    let started = DispatchTime.now().uptimeNanoseconds
    // One thread and one keep-alive connection per client, so the load generator stays cheap.
    let token = deals.tokens["admin"]!
    let ids = dealIds
    let port = UInt16(deals.port)
    let results = Mutex<[UInt64]>([])
    let failures = Atomic<Int>(0)
    let threads = (0..<workers).map { worker in
        Thread {
            guard let client = try? RawHTTPClient(port: port) else { failures.add(1, ordering: .relaxed); return }
            var samples: [UInt64] = []
            var version = 1
            for step in 0..<perWorker {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let body = "{\"stageId\":\"\(step % 2 == 0 ? "qualified" : "new")\",\"version\":\(version)}"
                guard let (status, _) = try? client.request("POST", "/deals/\(ids[worker])/move", token: token, body: body), status == 200 else {
                    failures.add(1, ordering: .relaxed)
                    break
                }
                samples.append(DispatchTime.now().uptimeNanoseconds - t0)
                version += 1
            }
            results.withLock { $0 += samples }
        }
    }
    for thread in threads { thread.start() }
    while results.withLock({ $0.count }) + failures.load(ordering: .relaxed) * perWorker < perWorker * workers {
        try await Task.sleep(for: .milliseconds(20))
    }
    let latencies = results.withLock { $0 }.sorted()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    let written = try await deals.head(StreamName.deals) - startHead
    print("")
    print("deals: \(latencies.count) stage changes over HTTP by \(workers) concurrent keep-alive clients (\(failures.load(ordering: .relaxed)) failed)")
    print(String(format: "stage changes with history and event           %10.0f /s   p50 %.2f ms   p99 %.2f ms   (%lld events written)",
                 Double(latencies.count) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99), written))
    await deals.stop()
    deals.dir.remove()
}
