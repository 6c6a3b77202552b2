import Contracts
import Foundation
import GRDB
@testable import KPI
import Messaging
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// An upstream that publishes `deals`, `telephony` and `accounting` events with the times the
/// scenario says, and pacer-kpi consuming them over real sockets.
struct Upstream {
    let publisher: ServiceHarness
    let kpi: ServiceHarness
    static let zone = TimeZone(identifier: "Europe/Moscow")!

    /// The tests run the pace check themselves; the service's own runs once at start, then not for
    /// an hour. Approvals decided on the dashboard go to `decider` (nothing answers by default).
    static func start(decider: any ApprovalDecider = DealsHTTPDecider(baseURL: "http://127.0.0.1:9")) async throws -> Upstream {
        let dir = try TemporaryDirectory("kpi")
        let publisher = try await ServiceHarness.start(
            ServiceDefinition(defaults: .deals, publishes: [StreamName.deals, StreamName.telephony, StreamName.accounting]),
            defaults: .deals, dir: dir, name: "upstream")
        var configuration = KPIConfiguration()
        configuration.checkInterval = .seconds(3600)
        let kpi = try await ServiceHarness.start(KPIService.definition(configuration, decider: decider), defaults: .kpi, dir: dir,
                                                 sources: [await publisher.source])
        return Upstream(publisher: publisher, kpi: kpi)
    }

    func stop() async {
        await kpi.stop()
        await publisher.stop()
        publisher.dir.remove()
    }

    /// Moscow wall time → instant.
    static func msk(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    func publish<P: EventPayload>(_ payload: P, _ stream: String, at: String) async throws {
        let outbox = publisher.app.context.outbox
        try await publisher.database.write { db in
            _ = try outbox.append(payload, stream: stream, occurredAt: Upstream.msk(at), in: db)
        }
    }

    func synced() async throws -> Bool {
        var heads: [String: Int64] = [:]
        for stream in [StreamName.deals, StreamName.telephony, StreamName.accounting] { heads[stream] = try await publisher.head(stream) }
        return await eventually {
            heads.allSatisfy { stream, head in kpi.app.subscriber?.status.applied(publisher: "upstream", stream: stream) == head }
        }
    }
}

/// A deal's state as the scenario needs it.
func deal(_ id: String, manager: String, client: String, rub: Int64, stage: String, probability: Int, status: DealStatus = .open,
          created: String, closed: String? = nil, repeatSale: Bool = false, reason: String? = nil, version: Int) -> DealState {
    DealState(dealId: id, title: "Сделка \(id)", clientId: client, managerId: manager, amount: Money(kopecks: rub * 100), category: "equipment",
              region: "Москва", segment: "smb", source: "website", pipelineId: "main", stageId: stage, department: "sales",
              probability: probability, status: status, isRepeatSale: repeatSale, problem: false, lossReason: reason, expectedCloseDate: nil,
              createdAt: Upstream.msk(created), closedAt: closed.map(Upstream.msk), version: version)
}

func call(_ id: String, manager: String?, direction: CallDirection, answered: Bool, billable: Int, at: String, revision: Int = 1) -> CallState {
    CallState(callId: id, revision: revision, direction: direction, from: "101", to: "+74951234567", extension_: "101", managerId: manager,
              clientId: nil, dealId: nil, startedAt: Upstream.msk(at), answeredAt: nil, endedAt: nil, durationSeconds: billable + 5,
              billableSeconds: billable, answered: answered, disposition: answered ? "ANSWERED" : "NO ANSWER", recordingURL: nil, source: "api")
}

func payment(_ id: String, rub: Int64, manager: String?, on day: String, revision: Int = 1, matchedBy: String? = "invoice-number") -> PaymentState {
    PaymentState(paymentId: id, number: id, documentDate: day, receivedOn: day, amount: Money(kopecks: rub * 100), payerName: "Payer",
                 payerInn: nil, payerAccount: nil, purpose: "", clientId: manager == nil ? nil : "c-\(manager!)", dealId: nil, managerId: manager,
                 allocations: [], unallocated: Money(kopecks: 0), matchedBy: matchedBy, revision: revision)
}

@Suite("pacer-kpi: a month of a department, worked out by hand")
struct KPIScenarioTests {
    /// October 2026 for three managers; the expected figures below are counted from the scenario,
    /// not from the service.
    func playOctober(_ up: Upstream) async throws {
        for (id, name, team) in [("m1", "Анна", "t1"), ("m2", "Борис", "t1"), ("m3", "Вера", "t2")] {
            try await up.publish(ManagerUpserted(managerId: id, name: name, teamId: team, role: "manager", extensions: [], phones: [], email: nil,
                                                 telegramChatId: nil, active: true), StreamName.deals, at: "2026-10-01 08:00")
        }
        try await up.publish(ManagerUpserted(managerId: "h", name: "Глава", teamId: nil, role: "head", extensions: [], phones: [], email: nil,
                                             telegramChatId: nil, active: true), StreamName.deals, at: "2026-10-01 08:00")
        for manager in ["m1", "m2", "m3"] {
            try await up.publish(ClientUpserted(clientId: "c-\(manager)", kind: "company", name: "Клиент \(manager)", inn: nil, kpp: nil, phones: [],
                                                emails: [], managerId: manager, segment: "smb", region: "Москва", source: "website"),
                                 StreamName.deals, at: "2026-10-01 09:00")
        }
        // d6: created 30 Sep 23:30 and won 1 Oct 00:30 Moscow — still 30 Sep in UTC, October here.
        try await up.publish(DealCreated(deal: deal("d6", manager: "m1", client: "c-m1", rub: 10_000, stage: "new", probability: 10,
                                                    created: "2026-09-30 23:30", version: 1), authorId: nil), StreamName.deals, at: "2026-09-30 23:30")
        try await up.publish(DealWon(deal: deal("d6", manager: "m1", client: "c-m1", rub: 10_000, stage: "new", probability: 10, status: .won,
                                                created: "2026-09-30 23:30", closed: "2026-10-01 00:30", version: 2), fromStageId: "new", authorId: nil),
                             StreamName.deals, at: "2026-10-01 00:30")
        // d1: new → proposal → won on 12 Oct, 100 000.
        try await up.publish(DealCreated(deal: deal("d1", manager: "m1", client: "c-m1", rub: 100_000, stage: "new", probability: 10,
                                                    created: "2026-10-01 10:00", version: 1), authorId: nil), StreamName.deals, at: "2026-10-01 10:00")
        try await up.publish(DealStageChanged(deal: deal("d1", manager: "m1", client: "c-m1", rub: 100_000, stage: "proposal", probability: 50,
                                                         created: "2026-10-01 10:00", version: 2), fromStageId: "new", toStageId: "proposal", authorId: nil),
                             StreamName.deals, at: "2026-10-05 10:00")
        try await up.publish(DealWon(deal: deal("d1", manager: "m1", client: "c-m1", rub: 100_000, stage: "proposal", probability: 50, status: .won,
                                                created: "2026-10-01 10:00", closed: "2026-10-12 15:00", version: 3), fromStageId: "proposal", authorId: nil),
                             StreamName.deals, at: "2026-10-12 15:00")
        // d2: a repeat sale of 50 000 won on 20 Oct.
        try await up.publish(DealCreated(deal: deal("d2", manager: "m1", client: "c-m1", rub: 50_000, stage: "new", probability: 10,
                                                    created: "2026-10-03 10:00", repeatSale: true, version: 1), authorId: nil), StreamName.deals, at: "2026-10-03 10:00")
        try await up.publish(DealWon(deal: deal("d2", manager: "m1", client: "c-m1", rub: 50_000, stage: "new", probability: 10, status: .won,
                                                created: "2026-10-03 10:00", closed: "2026-10-20 12:00", repeatSale: true, version: 2),
                                     fromStageId: "new", authorId: nil), StreamName.deals, at: "2026-10-20 12:00")
        // d3: m2 loses 70 000 on price at the proposal stage.
        try await up.publish(DealCreated(deal: deal("d3", manager: "m2", client: "c-m2", rub: 70_000, stage: "new", probability: 10,
                                                    created: "2026-10-02 10:00", version: 1), authorId: nil), StreamName.deals, at: "2026-10-02 10:00")
        try await up.publish(DealStageChanged(deal: deal("d3", manager: "m2", client: "c-m2", rub: 70_000, stage: "proposal", probability: 50,
                                                         created: "2026-10-02 10:00", version: 2), fromStageId: "new", toStageId: "proposal", authorId: nil),
                             StreamName.deals, at: "2026-10-06 10:00")
        try await up.publish(DealLost(deal: deal("d3", manager: "m2", client: "c-m2", rub: 70_000, stage: "proposal", probability: 50, status: .lost,
                                                 created: "2026-10-02 10:00", closed: "2026-10-15 10:00", reason: "price", version: 3),
                                      fromStageId: "proposal", reason: "price", authorId: nil), StreamName.deals, at: "2026-10-15 10:00")
        // d4: m2 wins 30 000 on 28 Oct; the head hands the deal to m3 the next day — the win goes with it.
        try await up.publish(DealCreated(deal: deal("d4", manager: "m2", client: "c-m2", rub: 30_000, stage: "new", probability: 10,
                                                    created: "2026-10-04 10:00", version: 1), authorId: nil), StreamName.deals, at: "2026-10-04 10:00")
        try await up.publish(DealWon(deal: deal("d4", manager: "m2", client: "c-m2", rub: 30_000, stage: "new", probability: 10, status: .won,
                                                created: "2026-10-04 10:00", closed: "2026-10-28 10:00", version: 2), fromStageId: "new", authorId: nil),
                             StreamName.deals, at: "2026-10-28 10:00")
        try await up.publish(DealReassigned(deal: deal("d4", manager: "m3", client: "c-m2", rub: 30_000, stage: "new", probability: 10, status: .won,
                                                       created: "2026-10-04 10:00", closed: "2026-10-28 10:00", version: 3),
                                            fromManagerId: "m2", toManagerId: "m3", authorId: "h"), StreamName.deals, at: "2026-10-29 10:00")
        // d5: m3's open deal.
        try await up.publish(DealCreated(deal: deal("d5", manager: "m3", client: "c-m3", rub: 20_000, stage: "new", probability: 10,
                                                    created: "2026-10-10 10:00", version: 1), authorId: nil), StreamName.deals, at: "2026-10-10 10:00")

        // Calls: m1 three outgoing answered (60, 120, 180 s) and one missed incoming; an internal one counts nowhere.
        for (index, seconds) in [60, 120, 180].enumerated() {
            try await up.publish(CallRecorded(call: call("c1-\(index)", manager: "m1", direction: .outgoing, answered: true, billable: seconds,
                                                         at: "2026-10-0\(index + 1) 11:00")), StreamName.telephony, at: "2026-10-0\(index + 1) 11:05")
        }
        try await up.publish(CallRecorded(call: call("c1-miss", manager: "m1", direction: .incoming, answered: false, billable: 0, at: "2026-10-07 11:00")),
                             StreamName.telephony, at: "2026-10-07 11:01")
        try await up.publish(CallRecorded(call: call("c1-int", manager: "m1", direction: .internal, answered: true, billable: 300, at: "2026-10-07 12:00")),
                             StreamName.telephony, at: "2026-10-07 12:05")
        // m2: two incoming answered, 30 s and 90 s; the second is later corrected to 100 s.
        try await up.publish(CallRecorded(call: call("c2-a", manager: "m2", direction: .incoming, answered: true, billable: 30, at: "2026-10-08 11:00")),
                             StreamName.telephony, at: "2026-10-08 11:01")
        try await up.publish(CallRecorded(call: call("c2-b", manager: "m2", direction: .incoming, answered: true, billable: 90, at: "2026-10-08 12:00")),
                             StreamName.telephony, at: "2026-10-08 12:02")
        try await up.publish(CallUpdated(call: call("c2-b", manager: "m2", direction: .incoming, answered: true, billable: 100, at: "2026-10-08 12:00", revision: 2),
                                         changedFields: ["billableSeconds"]), StreamName.telephony, at: "2026-10-08 12:10")
        // m3: one outgoing at 23:30 Moscow on 31 Oct (20:30 UTC) — October here.
        try await up.publish(CallRecorded(call: call("c3-a", manager: "m3", direction: .outgoing, answered: true, billable: 45, at: "2026-10-31 23:30")),
                             StreamName.telephony, at: "2026-10-31 23:31")
        for (id, kind, manager) in [("a1", "meeting", "m1"), ("a2", "proposal", "m1"), ("a3", "proposal", "m1"), ("a4", "meeting", "m2")] {
            try await up.publish(ActivityRecorded(activityId: id, kind: kind, managerId: manager, clientId: nil, dealId: nil, at: Upstream.msk("2026-10-09 15:00"),
                                                  note: nil), StreamName.telephony, at: "2026-10-09 15:00")
        }
        // Payments: m1 60 000 on 13 Oct; 25 000 on 29 Oct first matched to m2, then by hand to m3; 5 000 unmatched;
        // m1 7 000 on 1 Nov (not October).
        try await up.publish(PaymentReceived(payment: payment("p1", rub: 60_000, manager: "m1", on: "2026-10-13")), StreamName.accounting, at: "2026-10-13 12:00")
        try await up.publish(PaymentReceived(payment: payment("p2", rub: 25_000, manager: "m2", on: "2026-10-29")), StreamName.accounting, at: "2026-10-29 12:00")
        try await up.publish(PaymentMatched(payment: payment("p2", rub: 25_000, manager: "m3", on: "2026-10-29", revision: 2, matchedBy: "manual")),
                             StreamName.accounting, at: "2026-10-30 12:00")
        try await up.publish(PaymentReceived(payment: payment("p3", rub: 5_000, manager: nil, on: "2026-10-20", matchedBy: nil)), StreamName.accounting, at: "2026-10-20 12:00")
        try await up.publish(PaymentReceived(payment: payment("p4", rub: 7_000, manager: "m1", on: "2026-11-01")), StreamName.accounting, at: "2026-11-01 12:00")
        #expect(try await up.synced())
    }

    /// The figures of October, counted by hand from `playOctober`.
    static let expected: [String: [String: Int64]] = [
        "m1": ["won_amount": 160_000_00, "won_deals": 3, "first_sales": 2, "repeat_sales": 1, "deals_created": 2, "lost_deals": 0,
               "calls": 4, "calls_outgoing": 3, "calls_incoming": 1, "calls_answered": 3, "calls_missed": 1, "talk_seconds": 360,
               "meetings": 1, "proposals": 2, "emails": 0, "cash_received": 60_000_00, "new_clients": 1, "new_leads": 0, "new_contacts": 0],
        "m2": ["won_amount": 0, "won_deals": 0, "first_sales": 0, "repeat_sales": 0, "deals_created": 1, "lost_deals": 1,
               "calls": 2, "calls_outgoing": 0, "calls_incoming": 2, "calls_answered": 2, "calls_missed": 0, "talk_seconds": 130,
               "meetings": 1, "proposals": 0, "emails": 0, "cash_received": 0, "new_clients": 1, "new_leads": 0, "new_contacts": 0],
        "m3": ["won_amount": 30_000_00, "won_deals": 1, "first_sales": 1, "repeat_sales": 0, "deals_created": 2, "lost_deals": 0,
               "calls": 1, "calls_outgoing": 1, "calls_incoming": 0, "calls_answered": 1, "calls_missed": 0, "talk_seconds": 45,
               "meetings": 0, "proposals": 0, "emails": 0, "cash_received": 25_000_00, "new_clients": 1, "new_leads": 0, "new_contacts": 0],
    ]

    func figures(_ up: Upstream, _ query: String, as user: String = "head") async throws -> [String: Int64] {
        let reply = try await up.kpi.call("GET", "/figures?period=2026-10\(query)", as: user)
        #expect(reply.status == 200)
        return ((reply.json["values"] as? [String: Any]) ?? [:]).mapValues { ($0 as! NSNumber).int64Value }
    }

    @Test("every figure of the month, per manager and for the company, to the kopeck; a recompute gives the same table")
    func october() async throws {
        let up = try await Upstream.start()
        defer { Task { await up.stop() } }
        try await playOctober(up)
        for (manager, values) in Self.expected {
            #expect(try await figures(up, "&managerId=\(manager)") == values, "figures of \(manager)")
        }
        let company = try await figures(up, "")
        for metric in Metric.allCases {
            #expect(company[metric.rawValue] == Self.expected.values.reduce(0) { $0 + ($1[metric.rawValue] ?? 0) }, "company \(metric.rawValue)")
        }
        let team = try await figures(up, "&teamId=t1")
        #expect(team["won_amount"] == 160_000_00)
        #expect(try await figures(up, "&category=equipment")["won_amount"] == 190_000_00)
        #expect(try await figures(up, "&category=services")["won_amount"] == 0)
        #expect(try await figures(up, "&managerId=m1".replacingOccurrences(of: "2026-10", with: ""))["won_amount"] == 160_000_00)
        let november = try await up.kpi.call("GET", "/figures?period=2026-11&managerId=m1", as: "head")
        #expect((november.json["values"] as? [String: Any])?["cash_received"] as? Int == 7_000_00)
        let quarter = try await up.kpi.call("GET", "/figures?period=2026-Q4&managerId=m1", as: "head")
        #expect((quarter.json["values"] as? [String: Any])?["cash_received"] as? Int == 67_000_00)
        let september = try await up.kpi.call("GET", "/figures?period=2026-09&managerId=m1", as: "head")
        #expect((september.json["values"] as? [String: Any])?["deals_created"] as? Int == 1)

        let all = try await up.kpi.call("GET", "/figures?period=2026-10", as: "head")
        // Won in October: d6 10 000, d1 100 000, d2 50 000, d4 30 000 — 190 000 over 4 deals.
        #expect(all.json["averageDeal"] as? Int == 47_500_00)

        let funnelReply = try await up.kpi.call("GET", "/funnel?period=2026-10", as: "head")
        #expect(funnelReply.status == 200, "\(funnelReply.text)")
        let funnel = funnelReply.json
        // Created in October: d1–d5; won d1, d2, d4; lost d3 on price at the proposal stage.
        #expect(funnel["created"] as? Int == 5)
        #expect(funnel["won"] as? Int == 3)
        #expect(funnel["lost"] as? Int == 1)
        #expect(funnel["overallConversion"] as? Double == 60)
        #expect(funnel["lostByReason"] as? [String: Int] == ["price": 1])
        #expect(funnel["lostByStage"] as? [String: Int] == ["proposal": 1])
        let stages = funnel["stages"] as? [[String: Any]] ?? []
        try #require(stages.count == 2)
        #expect(stages.map { $0["stageId"] as? String } == ["new", "proposal"])
        #expect(stages[0]["deals"] as? Int == 5)
        #expect(stages[1]["deals"] as? Int == 2)
        #expect(stages[0]["conversionToNext"] as? Double == 40)
        // d1 spent 4 days in "new", d3 4 days; d2 and d4 closed in "new" after 17 and 24 days.
        #expect(stages[0]["averageDays"] as? Double == 12.3)

        let board = try await up.kpi.call("GET", "/leaderboard?period=2026-10&metric=won_amount", as: "anna")
        #expect(board.status == 200)
        #expect(board.array.map { $0["managerId"] as? String } == ["m1", "m3", "m2"])
        #expect(board.array.map { $0["value"] as? Int } == [160_000_00, 30_000_00, 0])
        #expect(board.array.map { $0["rank"] as? Int } == [1, 2, 3])

        // A closed month frozen: a late call does not move it; unfrozen, it does.
        #expect(try await up.kpi.call("POST", "/frozen-months/2026-10", as: "anna").status == 403)
        #expect(try await up.kpi.call("POST", "/frozen-months/2026-10", as: "head").status == 204)
        #expect(try await up.kpi.call("POST", "/frozen-months/2099-10", as: "head").status == 409)
        try await up.publish(CallRecorded(call: call("c1-late", manager: "m1", direction: .outgoing, answered: true, billable: 10, at: "2026-10-30 11:00")),
                             StreamName.telephony, at: "2026-11-02 09:00")
        #expect(try await up.synced())
        #expect(try await figures(up, "&managerId=m1")["calls"] == 4)
        #expect(try await up.kpi.call("GET", "/frozen-months", as: "anna").text == "[\"2026-10\"]")
        #expect(try await up.kpi.call("DELETE", "/frozen-months/2026-10", as: "head").status == 204)
        #expect(try await figures(up, "&managerId=m1")["calls"] == 5)

        // The same table after a recompute from the stored events.
        let before = try await up.kpi.database.read { try Row.fetchAll($0, sql: "SELECT * FROM agg WHERE value != 0 ORDER BY metric, managerId, day, category, region, segment, source") }
        let recompute = try await up.kpi.call("POST", "/recompute", as: "admin")
        #expect(recompute.status == 200)
        #expect(try await up.kpi.call("POST", "/recompute", as: "head").status == 403)
        let after = try await up.kpi.database.read { try Row.fetchAll($0, sql: "SELECT * FROM agg WHERE value != 0 ORDER BY metric, managerId, day, category, region, segment, source") }
        #expect(before == after)
        #expect(!before.isEmpty)
        // The monthly sums are the daily cells summed by month, kept as events came and rebuilt alike.
        let monthly = "SELECT metric, month, managerId, category, region, segment, source, value FROM agg_month WHERE value != 0 ORDER BY 1, 2, 3, 4, 5, 6, 7"
        let summed = """
            SELECT metric, substr(day, 1, 7) AS month, managerId, category, region, segment, source, SUM(value) AS value FROM agg
            GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING SUM(value) != 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
            """
        let (months, sums) = try await up.kpi.database.read { (try Row.fetchAll($0, sql: monthly), try Row.fetchAll($0, sql: summed)) }
        #expect(months == sums)
        #expect(months.count > 10)
        var late = Self.expected
        late["m1"]!["calls"]! += 1; late["m1"]!["calls_outgoing"]! += 1; late["m1"]!["calls_answered"]! += 1; late["m1"]!["talk_seconds"]! += 10
        for (manager, values) in late {
            #expect(try await figures(up, "&managerId=\(manager)") == values, "figures of \(manager) after the recompute")
        }
    }

    @Test("plans: set, corrected mid-period with history, plan/fact with pace; the rating and cards by role")
    func plans() async throws {
        let up = try await Upstream.start()
        defer { Task { await up.stop() } }
        try await playOctober(up)
        let created = try await up.kpi.call("POST", "/plans", as: "head", json: ["scope": "manager", "subjectId": "m1", "metric": "won_amount",
                                                                                  "period": "2026-10", "target": 200_000_00])
        #expect(created.status == 201)
        let planId = created.json["id"] as! String
        #expect(try await up.kpi.call("POST", "/plans", as: "anna", json: ["scope": "company", "metric": "calls", "period": "2026-10", "target": 1]).status == 403)
        let bad = try await up.kpi.call("POST", "/plans", as: "head", json: ["scope": "manager", "subjectId": "m1", "metric": "won_amount", "period": "2026-13", "target": 1])
        #expect(bad.status == 422)
        #expect(bad.json["field"] as? String == "period")
        let corrected = try await up.kpi.call("PUT", "/plans/\(planId)", as: "head", json: ["target": 150_000_00, "reason": "спад спроса", "version": 1])
        #expect(corrected.json["version"] as? Int == 2)
        #expect(try await up.kpi.call("PUT", "/plans/\(planId)", as: "head", json: ["target": 1, "version": 1]).status == 409)
        let history = try await up.kpi.call("GET", "/plans/\(planId)/history", as: "anna")
        #expect(history.array.map { $0["to"] as? Int } == [200_000_00, 150_000_00])
        #expect(history.array.map { $0["from"] as? Int } == [nil, 200_000_00])
        #expect(history.array.last?["reason"] as? String == "спад спроса")
        #expect(history.array.last?["by"] as? String == "head")

        let team = try await up.kpi.call("POST", "/plans", as: "head", json: ["scope": "team", "subjectId": "t1", "metric": "won_amount",
                                                                               "period": "2026-10", "target": 300_000_00])
        let teamId = team.json["id"] as! String
        // October is over: every working day has passed, so the whole target is expected by now.
        let figure = try await up.kpi.call("GET", "/plans/\(planId)", as: "anna").json
        #expect(figure["fact"] as? Int == 160_000_00)
        #expect(figure["completion"] as? Double == 106.67)
        #expect(figure["remaining"] as? Int == 0)
        #expect(figure["expectedByNow"] as? Int == 150_000_00)
        #expect(figure["status"] as? String == "ahead")
        #expect(figure["workingDays"] as? Int == 22)
        #expect(figure["workingDaysElapsed"] as? Int == 22)
        let teamFigure = try await up.kpi.call("GET", "/plans/\(teamId)", as: "head").json
        #expect(teamFigure["fact"] as? Int == 160_000_00)
        #expect(teamFigure["completion"] as? Double == 53.33)
        #expect(teamFigure["remaining"] as? Int == 140_000_00)
        #expect(teamFigure["status"] as? String == "behind")
        // Holidays change the working days: 4 November-like holidays in October leave 20.
        #expect(try await up.kpi.call("PUT", "/calendar", as: "head", json: ["holidays": ["2026-10-05", "2026-10-06"], "workingWeekends": []]).status == 204)
        #expect((try await up.kpi.call("GET", "/plans/\(planId)", as: "head").json)["workingDays"] as? Int == 20)

        let board = try await up.kpi.call("GET", "/leaderboard?period=2026-10&metric=won_amount&sort=completion", as: "boris")
        #expect(board.array.first?["managerId"] as? String == "m1")
        #expect(board.array.first?["completion"] as? Double == 106.67)

        let card = try await up.kpi.call("GET", "/managers/m1/card?period=2026-10", as: "anna")
        #expect(card.status == 200)
        #expect((card.json["values"] as? [String: Any])?["won_amount"] as? Int == 160_000_00)
        #expect((card.json["rank"] as? [String: Int])?["won_amount"] == 1)
        #expect((card.json["plans"] as? [[String: Any]])?.count == 2)
        #expect(try await up.kpi.call("GET", "/managers/m2/card?period=2026-10", as: "anna").status == 403)
        #expect(try await up.kpi.call("GET", "/managers/m2/card?period=2026-10", as: "head").status == 200)
        #expect(try await up.kpi.call("GET", "/figures?period=2026-10&managerId=m2", as: "anna").status == 403)
        #expect(try await up.kpi.call("GET", "/leaderboard", as: "pbx").status == 403)
        #expect(try await up.kpi.call("GET", "/leaderboard", as: nil).status == 401)

        // The bonus: 5 % of cash received, ×1.2 from 100 % of the won-amount plan, plus 10 000.00 at
        // 100 % of the calls plan (4 of 8 calls: 50 %).
        #expect(try await up.kpi.call("POST", "/plans", as: "head", json: ["scope": "manager", "subjectId": "m1", "metric": "calls",
                                                                            "period": "2026-10", "target": 8]).status == 201)
        let scheme: [String: Any] = ["shares": [["metric": "cash_received", "basisPoints": 500]],
                                     "bands": [["fromCompletion": 0, "multiplierPercent": 50], ["fromCompletion": 100, "multiplierPercent": 120]],
                                     "bandMetric": "won_amount", "kpis": [["metric": "calls", "amount": 10_000_00, "weightPercent": 100]]]
        #expect(try await up.kpi.call("PUT", "/bonus-schemes/manager", as: "anna", json: scheme).status == 403)
        #expect(try await up.kpi.call("PUT", "/bonus-schemes/manager", as: "head", json: scheme).status == 200)
        let bonus = try await up.kpi.call("GET", "/managers/m1/bonus?period=2026-10", as: "anna")
        #expect(bonus.status == 200)
        // 60 000.00 × 5 % = 3 000.00, × 1.2 = 3 600.00; 10 000.00 × 100 % × 50 % = 5 000.00.
        #expect(bonus.json["total"] as? Int == 8_600_00)
        #expect(bonus.json["multiplierPercent"] as? Int == 120)
        let lines = bonus.json["lines"] as? [[String: Any]] ?? []
        #expect(lines.map { $0["kind"] as? String } == ["share", "band", "kpi"])
        #expect(lines.map { $0["amount"] as? Int } == [3_000_00, 600_00, 5_000_00])
        #expect(try await up.kpi.call("GET", "/managers/m2/bonus?period=2026-10", as: "anna").status == 403)
        // Борис has won nothing: the lowest band halves his share, and he has no KPI plans.
        let boris = try await up.kpi.call("GET", "/managers/m2/bonus?period=2026-10", as: "boris")
        #expect(boris.json["total"] as? Int == 0)
    }

    @Test("pace: a plan falling behind is announced once; figures that moved are announced once per check")
    func pace() async throws {
        let up = try await Upstream.start()
        defer { Task { await up.stop() } }
        try await playOctober(up)
        let today = CalendarDay.of(Date(), in: Upstream.zone)
        let month = Period.containing(today, kind: .month).description
        let plan = try await up.kpi.call("POST", "/plans", as: "head", json: ["scope": "manager", "subjectId": "m1", "metric": "won_amount",
                                                                               "period": month, "target": 1_000_000_000_00])
        #expect(plan.status == 201)
        let app = up.kpi.app
        let head = try await up.kpi.head(StreamName.kpi)
        let first = try await PaceWatcher.check(app.context.database, outbox: app.context.outbox, zone: Upstream.zone)
        let second = try await PaceWatcher.check(app.context.database, outbox: app.context.outbox, zone: Upstream.zone)
        let events = try await up.kpi.events(StreamName.kpi, after: head)
        let paces = events.filter { $0.0 == "plan.pace_changed" }
        let (total, elapsed) = WorkCalendar().progress(Period(month)!, today: today)
        if elapsed > 0 {
            // Nothing was won this month: behind as soon as a working day has passed.
            #expect(first.0 == 1 && second.0 == 0)
            #expect(paces.count == 1)
            #expect(paces.first?.1["status"] as? String == "behind")
            #expect(paces.first?.1["managerId"] as? String == "m1")
            #expect((paces.first?.1["expectedByNow"] as? NSNumber)?.int64Value == 1_000_000_000_00 * Int64(elapsed) / Int64(total))
        }
        // The forecast: an open deal of 100 000 at 50 % expected this month; October's 190 000 over the
        // three months before this one for the run-rate.
        let open = DealState(dealId: "d9", title: "Большая поставка", clientId: "c-m1", managerId: "m1", amount: Money(kopecks: 100_000_00),
                             category: nil, region: nil, segment: nil, source: nil, pipelineId: "main", stageId: "proposal", department: "sales",
                             probability: 50, status: .open, isRepeatSale: false, problem: false, lossReason: nil,
                             expectedCloseDate: Period(month)!.lastDay, createdAt: Date(), closedAt: nil, version: 1)
        try await up.publish(DealCreated(deal: open, authorId: nil), StreamName.deals, at: "2026-11-01 10:00")
        #expect(try await up.synced())
        let forecast = try await up.kpi.call("GET", "/forecast", as: "head").json
        let current = (forecast["periods"] as? [[String: Any]])?.first ?? [:]
        #expect(current["period"] as? String == month)
        #expect(current["weightedPipeline"] as? Int == 50_000_00)
        #expect(current["openDeals"] as? Int == 1)
        #expect(current["forecast"] as? Int == (current["wonSoFar"] as? Int ?? -1) + 50_000_00)
        let won = Int64(current["wonSoFar"] as? Int ?? 0)
        let threeMonths = Period(month)!.firstDay <= "2027-01-01" ? Int64(190_000_00) : 0
        #expect((current["runRate"] as? NSNumber)?.int64Value == won + threeMonths / 3 * Int64(total - elapsed) / Int64(max(total, 1)))
        #expect(try await up.kpi.call("GET", "/forecast?managerId=m2", as: "anna").status == 403)

        // Every manager's figures moved while the scenario played: one kpi.changed each, then none.
        #expect(Set(events.filter { $0.0 == "kpi.changed" }.compactMap { $0.1["managerId"] as? String }) == ["m1", "m2", "m3"])
        #expect(second.1 == 0)
    }
}
