import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import KPI
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// Stands in for pacer-deals behind the approvals page: records what it was asked, or refuses.
actor RecordingDecider: ApprovalDecider {
    struct Decision: Equatable { var approvalId: String; var approved: Bool; var comment: String?; var token: String }
    var decisions: [Decision] = []
    var refusal: DecisionRefused?

    func refuse(_ refusal: DecisionRefused?) { self.refusal = refusal }

    func decide(approvalId: String, approved: Bool, comment: String?, token: String) async throws {
        if let refusal { throw refusal }
        decisions.append(Decision(approvalId: approvalId, approved: approved, comment: comment, token: token))
    }
}

/// A browser's requests without a browser: cookies by hand, redirects not followed.
final class WebClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let port: Int
    var cookie: String?
    private lazy var session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)

    init(port: Int) { self.port = port }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    struct Page { var status: Int; var location: String?; var setCookie: String?; var html: String }

    func get(_ path: String) async throws -> Page { try await send("GET", path, form: nil) }

    func post(_ path: String, _ form: [(String, String)]) async throws -> Page { try await send("POST", path, form: form) }

    func send(_ method: String, _ path: String, form: [(String, String)]?) async throws -> Page {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        return Page(status: http.statusCode, location: http.value(forHTTPHeaderField: "Location"),
                    setCookie: http.value(forHTTPHeaderField: "Set-Cookie"), html: String(decoding: data, as: UTF8.self))
    }

    /// Logs in with a token as the login form does; keeps the session cookie.
    func login(_ token: String) async throws -> Page {
        let page = try await post("/login", [("token", token)])
        if let setCookie = page.setCookie, let pair = setCookie.split(separator: ";").first { cookie = String(pair) }
        return page
    }
}

extension Upstream {
    func publishNow<P: EventPayload>(_ payload: P, _ stream: String, minutesAgo: Double = 60) async throws {
        let outbox = publisher.app.context.outbox
        try await publisher.database.write { db in
            _ = try outbox.append(payload, stream: stream, occurredAt: Date().addingTimeInterval(-minutesAgo * 60), in: db)
        }
    }

    /// Managers m1 (Анна) and m2 (Борис), head h; a deal of m1 won an hour ago for 123 456,78 ₽;
    /// an answered call of m1; an approval of m1 waiting; an overdue receivable of m1.
    func seedDepartment() async throws {
        for (id, name, role) in [("m1", "Анна", "manager"), ("m2", "Борис", "manager"), ("h", "Глава", "head")] {
            try await publishNow(ManagerUpserted(managerId: id, name: name, teamId: "t1", role: role, extensions: [], phones: [], email: nil,
                                                 telegramChatId: nil, active: true), StreamName.deals, minutesAgo: 120)
        }
        let now = Date()
        let won = DealState(dealId: "d1", title: "Поставка <станков>", clientId: "c1", managerId: "m1", amount: Money(kopecks: 123_456_78),
                            category: nil, region: nil, segment: nil, source: nil, pipelineId: "main", stageId: "new", department: "sales",
                            probability: 10, status: .won, isRepeatSale: false, problem: false, lossReason: nil, expectedCloseDate: nil,
                            createdAt: now.addingTimeInterval(-7200), closedAt: now.addingTimeInterval(-3600), version: 2)
        try await publishNow(DealWon(deal: won, fromStageId: "new", authorId: nil), StreamName.deals)
        var answered = call("call-1", manager: "m1", direction: .outgoing, answered: true, billable: 125, at: "2026-01-01 10:00")
        answered.startedAt = now.addingTimeInterval(-1800)
        try await publishNow(CallRecorded(call: answered), StreamName.telephony)
        try await publishNow(ApprovalRequested(approvalId: "ap-1", dealId: "d1", requesterId: "m1", subject: "Скидка 7%",
                                               amount: Money(kopecks: 123_456_78), attachmentName: "Договор.pdf"), StreamName.deals)
        let item = ReceivableItem(receivableId: "inv:i1", invoiceId: "i1", invoiceNumber: "СЧ-1", dealId: "d1", clientId: "c1", managerId: "m1",
                                  dueOn: CalendarDay.adding(-3, to: CalendarDay.of(now, in: Upstream.zone))!, amount: Money(kopecks: 100_000_00),
                                  outstanding: Money(kopecks: 100_000_00))
        try await publishNow(ReceivableOverdue(receivable: item, daysOverdue: 3), StreamName.accounting)
    }
}

@Suite("pacer-kpi: the dashboard over real HTTP")
struct DashboardTests {
    @Test("login by token, what each role may open, and the API's figures on the pages")
    func rolesAndFigures() async throws {
        let up = try await Upstream.start(decider: RecordingDecider())
        defer { Task { await up.stop() } }
        try await up.seedDepartment()
        #expect(try await up.synced())
        let web = WebClient(port: up.kpi.port)

        let anonymous = try await web.get("/")
        #expect(anonymous.status == 303)
        #expect(anonymous.location == "/login")
        let bad = try await web.login("pct_nonsense")
        #expect(bad.status == 401)
        #expect(bad.html.contains("id=\"login-error\""))
        #expect(try await web.login(up.kpi.tokens["pbx"]!).status == 401)

        let head = try await web.login(up.kpi.tokens["head"]!)
        #expect(head.status == 303)
        #expect(head.location == "/")
        #expect(head.setCookie?.contains("HttpOnly") == true)
        #expect(head.setCookie?.contains("SameSite=Strict") == true)
        let overview = try await web.get("/")
        #expect(overview.status == 200)
        #expect(overview.html.contains("<div class=\"card\" data-metric=\"won_amount\"><div><b>Выручка (выигранные)</b></div><div class=\"big\" data-role=\"fact\" data-value=\"12345678\">123\u{202F}456,78\u{00A0}₽</div>"))
        #expect(overview.html.contains("data-metric=\"calls\"><div><b>Звонки</b></div><div class=\"big\" data-role=\"fact\" data-value=\"1\">"))
        let board = try await web.get("/ui/leaderboard")
        #expect(board.html.contains("<tr data-manager=\"m1\"><td data-role=\"rank\">1</td>"))
        #expect(board.html.contains("<td class=\"num\" data-metric=\"talk_seconds\" data-value=\"125\">0\u{00A0}ч 02\u{00A0}мин</td>"))
        let receivables = try await web.get("/ui/receivables")
        #expect(receivables.html.contains("id=\"receivables-overdue\" data-value=\"10000000\""))
        let card = try await web.get("/ui/managers/m1")
        #expect(card.html.contains("<h1>Анна</h1>"))
        // Names from events are escaped, never markup.
        #expect(card.html.contains("Поставка &lt;станков&gt;"))
        #expect(!card.html.contains("<станков>"))
        for page in ["/ui/funnel", "/ui/activity", "/ui/attention", "/ui/approvals", "/ui/plans", "/ui/bonus", "/ui/managers/m2"] {
            #expect(try await web.get(page).status == 200, "\(page)")
        }
        #expect(try await web.get("/ui/managers/nobody").status == 404)

        // A partial payment after the announcement reaches the page through receivable.changed.
        let smaller = ReceivableItem(receivableId: "inv:i1", invoiceId: "i1", invoiceNumber: "СЧ-1", dealId: "d1", clientId: "c1", managerId: "m1",
                                     dueOn: "2026-01-01", amount: Money(kopecks: 100_000_00), outstanding: Money(kopecks: 40_000_00))
        try await up.publishNow(ReceivableChanged(receivable: smaller), StreamName.accounting)
        #expect(try await up.synced())
        #expect(try await web.get("/ui/receivables").html.contains("id=\"receivables-overdue\" data-value=\"4000000\""))

        let anna = WebClient(port: up.kpi.port)
        let landed = try await anna.login(up.kpi.tokens["anna"]!)
        #expect(landed.location == "/ui/managers/m1")
        #expect(try await anna.get("/ui/managers/m1").status == 200)
        #expect(try await anna.get("/ui/leaderboard").status == 200)
        #expect(try await anna.get("/").location == "/ui/managers/m1")
        for page in ["/ui/managers/m2", "/ui/approvals", "/ui/receivables", "/ui/funnel", "/ui/plans", "/ui/bonus"] {
            let refused = try await anna.get(page)
            #expect(refused.status == 403, "\(page)")
            #expect(refused.html.contains("id=\"forbidden\""))
            #expect(!refused.html.contains("Борис"))
        }
        #expect(try await anna.post("/ui/plans", [("subject", "company"), ("metric", "calls"), ("target", "10"), ("period", "2026-11")]).status == 403)

        // A revoked token ends the session on the next page.
        try await up.kpi.database.write { try TokenStore.revoke(userId: "head", $0) }
        #expect(try await web.get("/").location == "/login")
    }

    @Test("the pages name clients and deals from their events, and count a manager's touches on deals in the period")
    func namesAndTouchesOnDeals() async throws {
        let up = try await Upstream.start(decider: RecordingDecider())
        defer { Task { await up.stop() } }
        try await up.seedDepartment()
        try await up.publishNow(ClientUpserted(clientId: "c1", kind: "company", name: "ООО «Ромашка» & Ко", inn: nil, kpp: nil, phones: [],
                                               emails: [], managerId: "m1", segment: nil, region: nil, source: nil), StreamName.deals)
        // Two calls of m1 on deal d1 a minute ago: an outgoing one counts, an internal one does not;
        // the seeded call has no deal.
        for (id, direction) in [("call-deal", CallDirection.outgoing), ("call-internal", .internal)] {
            var onDeal = call(id, manager: "m1", direction: direction, answered: true, billable: 30, at: "2026-01-01 10:00")
            onDeal.clientId = "c1"
            onDeal.dealId = "d1"
            onDeal.startedAt = Date().addingTimeInterval(-60)
            try await up.publishNow(CallRecorded(call: onDeal), StreamName.telephony)
        }
        #expect(try await up.synced())
        let web = WebClient(port: up.kpi.port)
        _ = try await web.login(up.kpi.tokens["head"]!)

        let receivables = try await web.get("/ui/receivables")
        #expect(receivables.html.contains("<tr class=\"overdue\" data-receivable=\"inv:i1\" data-kind=\"overdue\"><td>ООО «Ромашка» &amp; Ко</td><td>Анна</td>"))
        let card = try await web.get("/ui/managers/m1")
        #expect(card.html.contains("<tr data-deal=\"d1\"><td>Поставка &lt;станков&gt;</td><td>ООО «Ромашка» &amp; Ко</td>"))
        #expect(card.html.contains("<tr data-call=\"call-deal\">"))
        #expect(card.html.components(separatedBy: "<td>ООО «Ромашка» &amp; Ко</td><td class=\"hide-sm\">").count == 3)
        // The seeded call has no client: it shows the number called.
        #expect(card.html.contains("<td>+74951234567</td>"))
        let activity = try await web.get("/ui/activity")
        #expect(activity.html.contains("data-role=\"on-deals\" data-value=\"1\">1</td></tr>"))
        #expect(activity.html.components(separatedBy: "data-role=\"on-deals\" data-value=\"0\"").count == 2)
    }

    @Test("an approval decided on the page goes to pacer-deals with the head's own token; a refusal is shown")
    func approvals() async throws {
        let decider = RecordingDecider()
        let up = try await Upstream.start(decider: decider)
        defer { Task { await up.stop() } }
        try await up.seedDepartment()
        #expect(try await up.synced())
        let web = WebClient(port: up.kpi.port)
        _ = try await web.login(up.kpi.tokens["head"]!)
        let page = try await web.get("/ui/approvals")
        #expect(page.html.contains("<tr data-approval=\"ap-1\"><td>Скидка 7%<div class=\"small muted\">Файл: Договор.pdf</div></td><td>Поставка &lt;станков&gt;</td><td>Анна</td>"))
        let done = try await web.post("/ui/approvals/ap-1/decide", [("comment", "Согласовано, в работу"), ("decision", "approve")])
        #expect(done.status == 303)
        #expect(done.location == "/ui/approvals?done=approved")
        #expect(await decider.decisions == [.init(approvalId: "ap-1", approved: true, comment: "Согласовано, в работу", token: up.kpi.tokens["head"]!)])
        #expect(try await web.get("/ui/approvals?done=approved").html.contains("<p class=\"notice\" id=\"notice\">Согласовано</p>"))

        await decider.refuse(DecisionRefused(status: 409, detail: "approval ap-1 is already approved"))
        let refused = try await web.post("/ui/approvals/ap-1/decide", [("decision", "reject")])
        #expect(refused.status == 422)
        #expect(refused.html.contains("approval ap-1 is already approved"))
        #expect(try await web.post("/ui/approvals/ap-1/decide", [("decision", "maybe")]).status == 422)

        let anna = WebClient(port: up.kpi.port)
        _ = try await anna.login(up.kpi.tokens["anna"]!)
        #expect(try await anna.post("/ui/approvals/ap-1/decide", [("decision", "approve")]).status == 403)
        #expect(await decider.decisions.count == 1)

        // The decision's event removes the row.
        try await up.publishNow(ApprovalDecided(approvalId: "ap-1", dealId: "d1", requesterId: "m1", approved: true, comment: "ok", deciderId: "h"),
                                StreamName.deals, minutesAgo: 0)
        #expect(try await up.synced())
        let after = try await web.get("/ui/approvals")
        #expect(!after.html.contains("<tr data-approval=\"ap-1\"><td>Скидка"))
        #expect(after.html.contains("<tr data-approval=\"ap-1\" data-status=\"approved\">"))
    }

    @Test("plans and bonus schemes are edited on the page, with the correction's history")
    func plansAndSchemes() async throws {
        let up = try await Upstream.start(decider: RecordingDecider())
        defer { Task { await up.stop() } }
        try await up.seedDepartment()
        #expect(try await up.synced())
        let web = WebClient(port: up.kpi.port)
        _ = try await web.login(up.kpi.tokens["head"]!)
        let created = try await web.post("/ui/plans", [("period", "2026-11"), ("subject", "manager:m1"), ("metric", "won_amount"),
                                                       ("target", "1 500 000,50")])
        #expect(created.status == 303)
        #expect(created.location == "/ui/plans?period=2026-11&saved=1")
        let plans = try await up.kpi.call("GET", "/plans?period=2026-11", as: "head")
        #expect(plans.array.count == 1)
        let plan = try #require(plans.array.first?["plan"] as? [String: Any])
        #expect(plan["target"] as? Int == 150_000_050)
        #expect(plan["subjectId"] as? String == "m1")
        let id = try #require(plan["id"] as? String)
        let corrected = try await web.post("/ui/plans/\(id)", [("version", "1"), ("target", "1200000"), ("reason", "отпуск")])
        #expect(corrected.status == 303)
        let history = try await up.kpi.call("GET", "/plans/\(id)/history", as: "head")
        #expect(history.array.map { $0["to"] as? Int } == [150_000_050, 120_000_000])
        #expect(history.array.last?["reason"] as? String == "отпуск")
        #expect(history.array.last?["by"] as? String == "head")
        let stale = try await web.post("/ui/plans/\(id)", [("version", "1"), ("target", "1300000")])
        #expect(stale.status == 409)
        let garbled = try await web.post("/ui/plans", [("period", "2026-11"), ("subject", "company"), ("metric", "calls"), ("target", "12,5")])
        #expect(garbled.status == 422)
        #expect(garbled.html.contains("Ошибка: target must be a whole number"))
        #expect(try await web.post("/ui/plans", [("period", "2026-13"), ("subject", "company"), ("metric", "calls"), ("target", "5")]).status == 422)

        let scheme = #"{"shares":[{"metric":"cash_received","basisPoints":300}],"bands":[],"kpis":[]}"#
        let saved = try await web.post("/ui/bonus/manager", [("json", scheme)])
        #expect(saved.location == "/ui/bonus?saved=1")
        let schemes = try await up.kpi.call("GET", "/bonus-schemes", as: "head")
        #expect(((schemes.json["manager"] as? [String: Any])?["shares"] as? [[String: Any]])?.first?["basisPoints"] as? Int == 300)
        let wrong = try await web.post("/ui/bonus/manager", [("json", #"{"shares":[{"metric":"cash_received","basisPoints":20000}],"bands":[],"kpis":[]}"#)])
        #expect(wrong.status == 422)
        #expect(wrong.html.contains("shares[0].basisPoints"))
        #expect(try await web.post("/ui/bonus/manager", [("json", "{")]).status == 422)
    }

    @Test("the language switch keeps to this site; the stamp moves when an event arrives")
    func languageAndStamp() async throws {
        let up = try await Upstream.start(decider: RecordingDecider())
        defer { Task { await up.stop() } }
        let web = WebClient(port: up.kpi.port)
        #expect(try await web.get("/ui/stamp").status == 401)
        _ = try await web.login(up.kpi.tokens["head"]!)
        let outside = try await web.get("/ui/lang?to=en&back=//evil.example/x")
        #expect(outside.location == "/")
        let english = try await web.get("/ui/lang?to=en&back=/ui/funnel")
        #expect(english.location == "/ui/funnel")
        #expect(english.setCookie?.hasPrefix("pacer_lang=en") == true)
        web.cookie = (web.cookie ?? "") + "; pacer_lang=en"
        #expect(try await web.get("/ui/funnel").html.contains("<h1>Funnel</h1>"))
        let before = try await web.get("/ui/stamp").html
        try await up.seedDepartment()
        #expect(try await up.synced())
        let after = try await web.get("/ui/stamp").html
        #expect(before != after)
    }

    @Test("targets typed in the form become exact kopecks or counts", arguments: [
        ("1 500 000,50", Metric.wonAmount, Int64(150_000_050)), ("1500000.5", .wonAmount, 150_000_050), ("99", .cashReceived, 9_900),
        ("1\u{00A0}000 ₽", .wonAmount, 100_000), ("12", .calls, 12), ("3600", .talkSeconds, 3_600),
    ])
    func amounts(text: String, metric: Metric, expected: Int64) throws {
        #expect(try WebForm.amount(text, metric: metric) == expected)
    }

    @Test("targets that are not numbers are refused", arguments: ["", "-5", "1,5", "abc", "1.234", "1e6"])
    func badAmounts(text: String) {
        #expect(throws: Problem.self) { try WebForm.amount(text, metric: text == "1,5" ? .calls : .wonAmount) }
    }
}
