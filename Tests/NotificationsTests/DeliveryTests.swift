import Contracts
import Foundation
import GRDB
import Messaging
@testable import Notifications
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// pacer-notifications consuming an upstream's events over real sockets, delivering to a local
/// HTTP server (chat webhook and Telegram API) and a real SMTP server.
struct Desk {
    let upstream: ServiceHarness
    let notifications: ServiceHarness
    let receiver: FakeReceiver
    let smtp: SMTPSink
    let configuration: NotificationsConfiguration

    static func start(receiverDown: Bool, inDoubt: [ChannelKind: InDoubtPolicy] = [:]) async throws -> Desk {
        let dir = try TemporaryDirectory("notifications")
        let receiver = try await FakeReceiver.start(down: receiverDown)
        let smtp = try SMTPSink.start(dir: dir)
        let upstream = try await ServiceHarness.start(
            ServiceDefinition(defaults: .deals, publishes: [StreamName.deals, StreamName.accounting, StreamName.kpi]),
            defaults: .deals, dir: dir, name: "upstream")
        var configuration = NotificationsConfiguration()
        configuration.quietEnabled = false
        configuration.retryBase = .milliseconds(50)
        configuration.maxAttempts = 1000
        configuration.workerInterval = .milliseconds(50)
        configuration.digestInterval = .seconds(3600)
        configuration.inDoubt = inDoubt
        configuration.channels.chatWebhookURL = "http://127.0.0.1:\(receiver.port)/hook"
        configuration.channels.telegramToken = "T"
        configuration.channels.telegramAPI = "http://127.0.0.1:\(receiver.port)"
        configuration.channels.smtpHost = "127.0.0.1"
        configuration.channels.smtpPort = smtp.port
        configuration.channels.smtpFrom = "pacer@example.com"
        configuration.channels.smtpStartTLS = false
        let notifications = try await ServiceHarness.start(NotificationsService.definition(configuration), defaults: .notifications, dir: dir,
                                                           sources: [await upstream.source], consumes: [StreamName.deals, StreamName.accounting, StreamName.kpi])
        return Desk(upstream: upstream, notifications: notifications, receiver: receiver, smtp: smtp, configuration: configuration)
    }

    func stop() async {
        await notifications.stop()
        await upstream.stop()
        receiver.stop()
        smtp.stop()
        upstream.dir.remove()
    }

    func publish<P: EventPayload>(_ payload: P, _ stream: String) async throws {
        let outbox = upstream.app.context.outbox
        try await upstream.database.write { db in _ = try outbox.append(payload, stream: stream, in: db) }
    }

    func synced() async throws -> Bool {
        var heads: [String: Int64] = [:]
        for stream in [StreamName.deals, StreamName.accounting, StreamName.kpi] { heads[stream] = try await upstream.head(stream) }
        return await eventually {
            heads.allSatisfy { stream, head in notifications.app.subscriber?.status.applied(publisher: "upstream", stream: stream) == head }
        }
    }

    /// Анна (Telegram 111), Борис (e-mail only), the head Глава (Telegram 999), Вера (Telegram `bad`).
    func seedDirectory() async throws {
        let people: [(String, String, String, String?, String?)] = [
            ("m1", "Анна", "manager", nil, "111"), ("m2", "Борис", "manager", "boris@example.com", nil),
            ("h", "Глава", "head", "head@example.com", "999"), ("m3", "Вера", "manager", nil, "bad"),
        ]
        for (id, name, role, email, chat) in people {
            try await publish(ManagerUpserted(managerId: id, name: name, teamId: nil, role: role, extensions: [], phones: [], email: email,
                                              telegramChatId: chat, active: true), StreamName.deals)
        }
        for (id, name, manager) in [("c1", "Ромашка", "m1"), ("c2", "Лютик", "m2")] {
            try await publish(ClientUpserted(clientId: id, kind: "company", name: name, inn: nil, kpp: nil, phones: [], emails: [], managerId: manager,
                                             segment: nil, region: nil, source: nil), StreamName.deals)
        }
    }
}

func dealState(_ id: String, manager: String, client: String, status: DealStatus = .open, problem: Bool = false) -> DealState {
    DealState(dealId: id, title: "Поставка \(id)", clientId: client, managerId: manager, amount: Money(kopecks: 150_000_00), category: nil, region: nil,
              segment: nil, source: nil, pipelineId: "main", stageId: "proposal", department: "sales", probability: 50, status: status,
              isRepeatSale: false, problem: problem, lossReason: status == .lost ? "price" : nil, expectedCloseDate: nil, createdAt: Date(),
              closedAt: status == .open ? nil : Date(), version: 2)
}

@Suite("pacer-notifications: delivered exactly once, in order, to real servers")
struct DeliveryTests {
    @Test("with the chat and Telegram down for a while, every message arrives once and in order per recipient; e-mail goes through SMTP")
    func downThenBack() async throws {
        let desk = try await Desk.start(receiverDown: true)
        defer { Task { await desk.stop() } }
        try await desk.seedDirectory()
        try await desk.publish(DealLost(deal: dealState("d1", manager: "m1", client: "c1", status: .lost), fromStageId: "proposal", reason: "price", authorId: "m1"), StreamName.deals)
        try await desk.publish(DealFlaggedProblem(deal: dealState("d2", manager: "m2", client: "c2", problem: true), problem: true, comment: "клиент молчит", authorId: "m2"), StreamName.deals)
        try await desk.publish(DealLost(deal: dealState("d3", manager: "m2", client: "c2", status: .lost), fromStageId: "proposal", reason: "price", authorId: "m2"), StreamName.deals)
        try await desk.publish(PaymentReceived(payment: PaymentState(
            paymentId: "p1", number: "1", documentDate: "2026-11-20", receivedOn: "2026-11-20", amount: Money(kopecks: 60_000_00), payerName: "ООО Ромашка",
            payerInn: nil, payerAccount: nil, purpose: "", clientId: "c1", dealId: "d1", managerId: "m1", allocations: [], unallocated: Money(kopecks: 0),
            matchedBy: "invoice-number", revision: 1)), StreamName.accounting)
        try await desk.publish(ApprovalRequested(approvalId: "a1", dealId: "d1", requesterId: "m1", subject: "Договор", amount: Money(kopecks: 150_000_00),
                                                 attachmentName: "dogovor.pdf"), StreamName.deals)
        #expect(try await desk.synced())
        // Borís has no Telegram: his message goes by e-mail while the HTTP side is down.
        #expect(await eventually { desk.smtp.messages.count == 1 })
        let mail = desk.smtp.messages[0]
        #expect(mail["to"] as? [String] == ["boris@example.com"])
        #expect(mail["subject"] as? String == "Сделка проиграна: Поставка d3")
        #expect((mail["body"] as? String)?.contains("Борис: сделка «Поставка d3» (Лютик) на 150\u{00A0}000,00\u{00A0}₽ проиграна") == true)
        // Retries pile up while the receiver is down; nothing is delivered there.
        #expect(await eventually {
            (try? await desk.notifications.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM notification WHERE attempts >= 2 AND status = 'pending'") ?? 0 }) ?? 0 >= 2
        })
        #expect(desk.receiver.messages.isEmpty)
        desk.receiver.set(down: false)
        #expect(await eventually {
            (try? await desk.notifications.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM notification WHERE status IN ('pending', 'sending')") ?? 0 }) == 0
        })
        let received = desk.receiver.messages
        let head = received.filter { $0.to == "999" }.map { $0.text.components(separatedBy: "\n").first ?? "" }
        #expect(head == ["Сделка проиграна: Поставка d1", "Проблемная сделка: Поставка d2", "Сделка проиграна: Поставка d3", "Нужно согласование: Договор"])
        let anna = received.filter { $0.to == "111" }.map { $0.text.components(separatedBy: "\n").first ?? "" }
        #expect(anna == ["Сделка проиграна: Поставка d1", "Оплата от Ромашка"])
        #expect(received.count == 6)
        #expect(received.first { $0.text.hasPrefix("Нужно согласование") }?.text.contains("http://127.0.0.1:8084/approvals/a1") == true)
        let events = try await desk.notifications.events(StreamName.notifications)
        #expect(events.filter { $0.0 == "notification.sent" }.count == 7)
        #expect(Set(events.compactMap { $0.1["idempotencyKey"] as? String }).count == 7)

        // The same causes again (a replay, a re-sent event) are not told twice.
        try await desk.publish(PaymentMatched(payment: PaymentState(
            paymentId: "p1", number: "1", documentDate: "2026-11-20", receivedOn: "2026-11-20", amount: Money(kopecks: 60_000_00), payerName: "ООО Ромашка",
            payerInn: nil, payerAccount: nil, purpose: "", clientId: "c1", dealId: "d1", managerId: "m1", allocations: [], unallocated: Money(kopecks: 0),
            matchedBy: "manual", revision: 2)), StreamName.accounting)
        #expect(try await desk.synced())
        try await Task.sleep(for: .milliseconds(300))
        #expect(desk.receiver.messages.count == 6)

        // A payment for a client and deal this service has not heard of yet: accounting names them.
        try await desk.publish(PaymentReceived(payment: PaymentState(
            paymentId: "p2", number: "2", documentDate: "2026-11-21", receivedOn: "2026-11-21", amount: Money(kopecks: 1_000_00), payerName: "ИП Плательщик",
            payerInn: nil, payerAccount: nil, purpose: "", clientId: "c9", dealId: "d9", managerId: "m1", allocations: [], unallocated: Money(kopecks: 0),
            matchedBy: "invoice-number", revision: 1, clientName: "ООО Новый клиент", dealTitle: "Новая сделка")), StreamName.accounting)
        #expect(try await desk.synced())
        #expect(await eventually { desk.receiver.messages.count == 7 })
        #expect(desk.receiver.messages.last?.text.hasSuffix("Поступила оплата 1\u{00A0}000,00\u{00A0}₽ от ООО Новый клиент по сделке «Новая сделка», 2026-11-21.") == true)
    }

    @Test("a refused recipient lands in the failed list and can be retried; an escalation is called off when the task is done")
    func failedAndCancelled() async throws {
        let desk = try await Desk.start(receiverDown: false)
        defer { Task { await desk.stop() } }
        try await desk.seedDirectory()
        try await desk.publish(TaskOverdue(taskId: "t1", kind: "call", title: "Позвонить Лютику", assigneeId: "m3", dealId: nil, dueAt: Date()), StreamName.deals)
        try await desk.publish(TaskOverdue(taskId: "t2", kind: "call", title: "Отправить КП", assigneeId: "m1", dealId: nil, dueAt: Date()), StreamName.deals)
        #expect(try await desk.synced())
        #expect(await eventually { (try? await desk.notifications.call("GET", "/notifications?status=failed", as: "head").array.count) == 1 })
        let failed = try await desk.notifications.call("GET", "/notifications?status=failed", as: "head").array[0]
        #expect(failed["recipient"] as? String == "m3")
        #expect(failed["attempts"] as? Int == 1)
        #expect((failed["lastError"] as? String)?.contains("chat not found") == true)
        let events = try await desk.notifications.events(StreamName.notifications)
        #expect(events.filter { $0.0 == "notification.failed" }.count == 1)
        #expect(try await desk.notifications.call("POST", "/notifications/\(failed["id"]!)/retry", as: "anna").status == 403)
        let retried = try await desk.notifications.call("POST", "/notifications/\(failed["id"]!)/retry", as: "head")
        #expect(retried.json["status"] as? String == "pending")
        // The escalations to the head wait an hour; completing the task calls its own off.
        let pending = try await desk.notifications.database.read {
            try String.fetchAll($0, sql: "SELECT idempotencyKey FROM notification WHERE rule = 'task.escalation' AND status = 'pending' ORDER BY position")
        }
        #expect(pending.count == 2)
        try await desk.publish(TaskCompleted(taskId: "t2", kind: "call", assigneeId: "m1", dealId: nil, clientId: nil, completedAt: Date()), StreamName.deals)
        #expect(try await desk.synced())
        let cancelled = try await desk.notifications.database.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM notification WHERE rule = 'task.escalation' AND status = 'cancelled'")
        }
        #expect(cancelled == 1)
        #expect(await eventually { desk.receiver.messages.contains { $0.to == "111" && $0.text.hasPrefix("Просрочена задача: Отправить КП") } })
        #expect(try await desk.notifications.call("GET", "/notifications", as: "anna").array.allSatisfy { $0["recipient"] as? String == "m1" })
        #expect(try await desk.notifications.call("GET", "/notifications", as: "pbx").status == 403)
    }

    @Test("a message is `sending` while its channel has it; one left so by a stop is sent again as a redelivery, or held in doubt until a head retries it")
    func inDoubt() async throws {
        let desk = try await Desk.start(receiverDown: false, inDoubt: [.telegram: .hold])
        defer { Task { await desk.stop() } }
        try await desk.seedDirectory()
        #expect(try await desk.synced())
        let database = desk.notifications.database
        let seen = FakeReceiver.State(down: false)
        desk.receiver.onReceive { key in
            let status = try? await database.read { try String.fetchOne($0, sql: "SELECT status FROM notification WHERE id = ?", arguments: [key]) }
            seen.append(.init(channel: "probe", to: key, text: status ?? "?"))
        }
        // An ordinary message: claimed before it goes out, sent once, under its id as the key.
        let store = NotificationStore(configuration: desk.configuration)
        let first = try await database.write { db in
            try store.enqueue(rule: "test", cause: "ordinary", targets: [.init(recipient: "department", channel: .chat, address: "")],
                              subject: "", text: "первое", urgent: true, db)
        }
        #expect(await eventually { desk.receiver.messages.count == 1 })
        #expect(desk.receiver.messages == [.init(channel: "chat", to: "hook", text: "первое", key: first[0], redelivery: false)])
        #expect(seen.messages == [.init(channel: "probe", to: first[0], text: "sending")])
        #expect(await eventually {
            (try? await database.read { try String.fetchOne($0, sql: "SELECT status FROM notification WHERE id = ?", arguments: [first[0]]) }) == "sent"
        })

        // What a process killed mid-send leaves behind: two messages `sending`, answers unknown.
        let left = try await database.write { db -> [String] in
            let ids = try store.enqueue(rule: "test", cause: "crash", targets: [.init(recipient: "department", channel: .chat, address: ""),
                                                                                .init(recipient: "m1", channel: .telegram, address: "111")],
                                        subject: "", text: "второе", urgent: true, db)
            try db.execute(sql: "UPDATE notification SET status = 'sending' WHERE id IN (?, ?)", arguments: [ids[0], ids[1]])
            return ids
        }
        // The chat resends (the default): same key, marked as a redelivery. Telegram holds.
        #expect(await eventually { desk.receiver.messages.count == 2 })
        #expect(desk.receiver.messages.last == .init(channel: "chat", to: "hook", text: "второе", key: left[0], redelivery: true))
        let held = try await desk.notifications.call("GET", "/notifications?status=in-doubt", as: "head").array
        #expect(held.map { $0["id"] as? String } == [left[1]])
        #expect((held.first?["lastError"] as? String)?.hasPrefix("in doubt") == true)
        try await Task.sleep(for: .milliseconds(300))
        #expect(desk.receiver.messages.count == 2)

        // The head decides it goes out: once, as a redelivery.
        let retried = try await desk.notifications.call("POST", "/notifications/\(left[1])/retry", as: "head")
        #expect(retried.json["status"] as? String == "pending")
        #expect(await eventually { desk.receiver.messages.count == 3 })
        #expect(desk.receiver.messages.last == .init(channel: "telegram", to: "111", text: "второе", key: left[1], redelivery: true))
        #expect(try await desk.notifications.call("POST", "/notifications/\(left[1])/retry", as: "head").status == 404)
        #expect(try await desk.notifications.call("GET", "/notifications?status=in-doubt", as: "head").array.isEmpty)
    }

    @Test("the evening digest lists exactly the day's payments by manager and client, with the total")
    func eveningDigest() async throws {
        let desk = try await Desk.start(receiverDown: false)
        defer { Task { await desk.stop() } }
        try await desk.seedDirectory()
        let payments: [(String, String, String?, String?, Int64)] = [
            ("p1", "2026-11-20", "c1", "m1", 60_000_00), ("p2", "2026-11-20", "c2", "m2", 25_000_50), ("p3", "2026-11-20", nil, nil, 1_000_00),
            ("p4", "2026-11-19", "c1", "m1", 99_000_00),
        ]
        for (id, day, client, manager, kopecks) in payments {
            try await desk.publish(PaymentReceived(payment: PaymentState(
                paymentId: id, number: id, documentDate: day, receivedOn: day, amount: Money(kopecks: kopecks), payerName: "ИП Сидоров",
                payerInn: nil, payerAccount: nil, purpose: "", clientId: client, dealId: nil, managerId: manager, allocations: [],
                unallocated: Money(kopecks: 0), matchedBy: manager == nil ? nil : "inn", revision: 1)), StreamName.accounting)
        }
        #expect(try await desk.synced())
        let app = desk.notifications.app
        let scheduler = Digests(configuration: desk.configuration)
        try await app.context.database.write { db in try scheduler.evening(day: "2026-11-20", db) }
        // (The morning digest of today may be there too: the scheduler's first check runs at start.)
        #expect(await eventually { desk.receiver.messages.contains { $0.to == "hook" && $0.text.hasPrefix("*Оплаты") } })
        let digest = desk.receiver.messages.first { $0.to == "hook" && $0.text.hasPrefix("*Оплаты") }!.text
        #expect(digest == """
            *Оплаты за 2026-11-20*
            Анна:
              Ромашка — 60\u{00A0}000,00\u{00A0}₽
            Борис:
              Лютик — 25\u{00A0}000,50\u{00A0}₽
            не разнесено:
              ИП Сидоров — 1\u{00A0}000,00\u{00A0}₽
            Итого: 86\u{00A0}000,50\u{00A0}₽ (3 платежей)
            """)
        // Once a day: the same day again enqueues nothing new.
        try await app.context.database.write { db in try scheduler.evening(day: "2026-11-20", db) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(desk.receiver.messages.filter { $0.to == "hook" && $0.text.hasPrefix("*Оплаты") }.count == 1)
    }
}
