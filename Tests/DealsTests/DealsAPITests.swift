import Contracts
import Deals
import Foundation
import GRDB
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("pacer-deals over real HTTP")
struct DealsAPITests {
    @Test("a deal's life emits exactly the events it should, with its full state")
    func lifecycleEvents() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (clientId, dealId) = try await deals.seed()
        let start = try await deals.head()
        #expect(try await deals.call("POST", "/deals/\(dealId)/move", as: "anna", json: ["stageId": "proposal", "version": 1]).status == 200)
        #expect(try await deals.call("PATCH", "/deals/\(dealId)", as: "anna", json: ["version": 2, "amount": ["kopecks": 160_000_00, "currency": "RUB"]]).status == 200)
        #expect(try await deals.call("POST", "/deals/\(dealId)/flag", as: "anna", json: ["problem": true, "comment": "юристы тянут", "version": 3]).status == 200)
        #expect(try await deals.call("POST", "/deals/\(dealId)/reassign", as: "head", json: ["managerId": "m2", "version": 4]).status == 200)
        let won = try await deals.call("POST", "/deals/\(dealId)/win", as: "boris", json: ["version": 5])
        #expect(won.status == 200)
        #expect(won.json["status"] as? String == "won")
        #expect(won.json["version"] as? Int == 6)
        #expect(try await deals.call("POST", "/deals/\(dealId)/reopen", as: "head", json: ["version": 6]).status == 200)

        let events = try await deals.events(after: start)
        #expect(events.map(\.0) == ["deal.stage_changed", "deal.amount_changed", "deal.flagged_problem", "deal.reassigned", "deal.won", "deal.reopened"])
        let moved = events[0].1
        #expect(moved["fromStageId"] as? String == "new")
        #expect(moved["toStageId"] as? String == "proposal")
        let deal = moved["deal"] as! [String: Any]
        #expect(deal["dealId"] as? String == dealId)
        #expect(deal["clientId"] as? String == clientId)
        #expect(deal["probability"] as? Int == 40)
        #expect(deal["department"] as? String == "sales")
        #expect((deal["amount"] as? [String: Any])?["kopecks"] as? Int == 150_000_00)
        #expect((events[1].1["from"] as? [String: Any])?["kopecks"] as? Int == 150_000_00)
        #expect((events[1].1["to"] as? [String: Any])?["kopecks"] as? Int == 160_000_00)
        #expect(events[2].1["problem"] as? Bool == true)
        #expect(events[2].1["comment"] as? String == "юристы тянут")
        #expect(events[3].1["fromManagerId"] as? String == "m1")
        #expect(events[3].1["toManagerId"] as? String == "m2")
        #expect(events[4].1["fromStageId"] as? String == "proposal")
        #expect((events[4].1["deal"] as? [String: Any])?["managerId"] as? String == "m2")
        #expect((events[4].1["deal"] as? [String: Any])?["status"] as? String == "won")
        #expect(events[5].1["previousStatus"] as? String == "won")
        #expect((events[5].1["deal"] as? [String: Any])?["stageId"] as? String == "proposal")

        let history = try await deals.call("GET", "/deals/\(dealId)/history", as: "head")
        #expect(history.array.map { $0["kind"] as? String } == ["created", "stage_changed", "amount_changed", "flagged", "reassigned", "won", "reopened"])
        await deals.stop()
    }

    @Test("directory changes are events too: managers, clients, contacts")
    func directoryEvents() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (clientId, _) = try await deals.seed()
        try await deals.call("POST", "/clients/\(clientId)/contacts", as: "anna", json: ["name": "Иван", "phones": ["89161112233"]])
        let events = try await deals.events()
        #expect(events.map(\.0) == ["manager.upserted", "manager.upserted", "manager.upserted", "client.upserted", "deal.created", "contact.added"])
        #expect(events[1].1["phones"] as? [String] == ["+79161234567"])
        #expect(events[1].1["extensions"] as? [String] == ["101"])
        #expect(events[3].1["inn"] as? String == "7707083893")
        #expect(events[3].1["phones"] as? [String] == ["+74951234567"])
        #expect(events[4].1["authorId"] as? String == "anna")
        #expect(events[5].1["phones"] as? [String] == ["+79161112233"])
        // Saving a manager unchanged emits nothing.
        let before = try await deals.head()
        try await deals.call("PUT", "/managers/m2", json: ["name": "Борис", "extensions": ["102"]])
        #expect(try await deals.head() == before)
        await deals.stop()
    }

    @Test("illegal moves and stale versions are refused and change nothing")
    func illegalMoves() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (_, dealId) = try await deals.seed()
        let start = try await deals.head()
        let closing = try await deals.call("POST", "/deals/\(dealId)/move", as: "anna", json: ["stageId": "won", "version": 1])
        #expect(closing.status == 422)
        #expect(closing.json["field"] as? String == "stageId")
        let unknownReason = try await deals.call("POST", "/deals/\(dealId)/lose", as: "anna", json: ["reason": "weather", "version": 1])
        #expect(unknownReason.status == 422)
        #expect(unknownReason.json["field"] as? String == "reason")
        #expect(try await deals.call("POST", "/deals/\(dealId)/lose", as: "anna", json: ["reason": "price", "version": 1]).status == 200)
        let movedLost = try await deals.call("POST", "/deals/\(dealId)/move", as: "anna", json: ["stageId": "proposal", "version": 2])
        #expect(movedLost.status == 409)
        #expect(try await deals.call("POST", "/deals/\(dealId)/win", as: "anna", json: ["version": 2]).status == 409)
        let stale = try await deals.call("POST", "/deals/\(dealId)/reopen", as: "anna", json: ["version": 1])
        #expect(stale.status == 409)
        #expect(stale.json["field"] as? String == "version")
        #expect(try await deals.events(after: start).map(\.0) == ["deal.lost"])
        let state = try await deals.call("GET", "/deals/\(dealId)", as: "anna")
        #expect(state.json["status"] as? String == "lost")
        #expect(state.json["lossReason"] as? String == "price")
        #expect(state.json["version"] as? Int == 2)
        await deals.stop()
    }

    @Test("bad input is a 422 problem naming the field")
    func badInput() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (clientId, _) = try await deals.seed()
        let cases: [(String, String, [String: Any], String)] = [
            ("POST", "/deals", ["clientId": clientId, "amount": ["kopecks": 1]], "title"),
            ("POST", "/deals", ["title": "x", "clientId": clientId, "amount": ["kopecks": "много"]], "amount.kopecks"),
            ("POST", "/deals", ["title": "x", "clientId": clientId, "amount": ["kopecks": -5, "currency": "RUB"]], "amount.kopecks"),
            ("POST", "/deals", ["title": "x", "clientId": "nobody", "amount": ["kopecks": 5, "currency": "RUB"]], "clientId"),
            ("POST", "/deals", ["title": "x", "clientId": clientId, "amount": ["kopecks": 5, "currency": "RUB"], "expectedCloseDate": "2026-02-30"], "expectedCloseDate"),
            ("POST", "/clients", ["name": "ИП Петров", "phones": ["12"]], "phones[0]"),
            ("POST", "/clients", ["name": "ИП Петров", "inn": "1234567890"], "inn"),
            ("POST", "/tasks", ["kind": "call", "title": "позвонить", "dueAt": "завтра"], "dueAt"),
            ("POST", "/tasks", ["kind": "dance", "title": "x", "dueAt": "2026-11-23T10:00:00+03:00"], "kind"),
        ]
        let start = try await deals.head()
        for (method, path, body, field) in cases {
            let reply = try await deals.call(method, path, as: "anna", json: body)
            #expect(reply.status == 422, "\(path) \(body)")
            #expect(reply.json["field"] as? String == field, "\(reply.text)")
        }
        let garbage = try await deals.call("POST", "/deals", as: "anna", raw: "{not json")
        #expect(garbage.status == 400)
        #expect(try await deals.head() == start)
        await deals.stop()
    }

    @Test("roles: who may see and do what")
    func access() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (_, dealId) = try await deals.seed()
        #expect(try await deals.call("GET", "/deals", as: nil).status == 401)
        #expect(try await deals.call("GET", "/deals", as: "pct_forged").status == 401)
        #expect(try await deals.call("GET", "/deals", as: "pbx").status == 403)
        #expect(try await deals.call("GET", "/deals/\(dealId)", as: "anna").status == 200)
        #expect(try await deals.call("GET", "/deals/\(dealId)", as: "boris").status == 403)
        #expect(try await deals.call("POST", "/deals/\(dealId)/move", as: "boris", json: ["stageId": "proposal", "version": 1]).status == 403)
        #expect(try await deals.call("POST", "/deals/\(dealId)/reassign", as: "anna", json: ["managerId": "m2", "version": 1]).status == 403)
        #expect(try await deals.call("POST", "/managers", as: "anna", json: ["name": "Я"]).status == 403)
        #expect(try await deals.call("POST", "/pipelines", as: "head", json: ["id": "p", "name": "p", "stages": []]).status == 403)
        let borisList = try await deals.call("GET", "/deals", as: "boris")
        #expect((borisList.json["items"] as? [Any])?.count == 0)
        let headList = try await deals.call("GET", "/deals", as: "head")
        #expect((headList.json["items"] as? [Any])?.count == 1)
        let forOther = try await deals.call("POST", "/deals", as: "boris", json: ["title": "чужая", "clientId": "x", "managerId": "m1",
                                                                                    "amount": ["kopecks": 1, "currency": "RUB"]])
        #expect(forOther.status == 403)
        // A token revoked over HTTP stops working at once, though it was just used (and remembered).
        #expect(try await deals.call("DELETE", "/admin/users/anna/tokens").status == 200)
        #expect(try await deals.call("GET", "/deals/\(dealId)", as: "anna").status == 401)
        await deals.stop()
    }

    @Test("data and the event sequence survive a restart")
    func restart() async throws {
        let dir = try TemporaryDirectory("deals-restart")
        defer { dir.remove() }
        var deals = try await DealsHarness.start(dir: dir)
        let (_, dealId) = try await deals.seed()
        let head = try await deals.head()
        await deals.stop()
        deals = try await DealsHarness.start(dir: dir)
        let state = try await deals.call("GET", "/deals/\(dealId)", as: "anna")
        #expect(state.status == 200)
        #expect(state.json["title"] as? String == "Поставка")
        #expect(try await deals.call("POST", "/deals/\(dealId)/move", as: "anna", json: ["stageId": "qualified", "version": 1]).status == 200)
        #expect(try await deals.head() == head + 1)
        await deals.stop()
    }

    @Test("an overdue task is reported once, however often the scheduler looks")
    func overdueOnce() async throws {
        let deals = try await DealsHarness.start(overdueInterval: .milliseconds(50))
        defer { deals.dir.remove() }
        let (_, dealId) = try await deals.seed()
        let past = try await deals.call("POST", "/tasks", as: "anna", json: ["kind": "call", "title": "перезвонить", "dealId": dealId,
                                                                              "dueAt": "2026-01-01T09:00:00+03:00"])
        #expect(past.status == 201)
        try await deals.call("POST", "/tasks", as: "anna", json: ["kind": "meeting", "title": "встреча", "dueAt": "2099-01-01T09:00:00Z"])
        #expect(try await eventually { try await deals.events().contains { $0.0 == "task.overdue" } })
        try await Task.sleep(for: .milliseconds(300))
        let overdue = try await deals.events().filter { $0.0 == "task.overdue" }
        #expect(overdue.count == 1)
        #expect(overdue.first?.1["taskId"] as? String == past.json["id"] as? String)
        #expect(overdue.first?.1["assigneeId"] as? String == "m1")
        await deals.stop()
    }

    @Test("leads go to the region's manager, else round-robin")
    func leadAssignment() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        _ = try await deals.seed()
        try await deals.call("POST", "/managers", json: ["id": "m3", "name": "Вера"])
        var assigned: [String] = []
        for region in ["Казань", "Казань", "Казань", "Казань", "Москва"] {
            let lead = try await deals.call("POST", "/leads", as: "head", json: ["name": "Лид", "phone": "+7 843 000-00-00", "region": region])
            #expect(lead.status == 201)
            assigned.append(lead.json["managerId"] as? String ?? "-")
        }
        #expect(assigned == ["m1", "m2", "m3", "m1", "m1"])
        let rules = try await deals.events().filter { $0.0 == "lead.assigned" }.map { $0.1["rule"] as? String }
        #expect(rules == ["round_robin", "round_robin", "round_robin", "round_robin", "region"])
        await deals.stop()
    }

    @Test("invoices and schedules: instalments must add up to the kopeck")
    func invoicesAndSchedules() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (_, dealId) = try await deals.seed()
        let invoice = try await deals.call("POST", "/deals/\(dealId)/invoices", as: "anna", json: [
            "number": "15", "issuedOn": "2026-11-10", "dueOn": "2026-11-20", "amount": ["kopecks": 150_000_00, "currency": "RUB"]])
        #expect(invoice.status == 201)
        let invoiceId = invoice.json["id"] as! String
        #expect(try await deals.call("POST", "/deals/\(dealId)/invoices", as: "anna", json: [
            "number": "15", "issuedOn": "2026-11-10", "dueOn": "2026-11-20", "amount": ["kopecks": 1, "currency": "RUB"]]).status == 409)
        let short = try await deals.call("PUT", "/deals/\(dealId)/schedule", as: "anna", json: ["invoiceId": invoiceId, "instalments": [
            ["dueOn": "2026-11-20", "amount": ["kopecks": 100_000_00, "currency": "RUB"]],
            ["dueOn": "2026-12-20", "amount": ["kopecks": 49_999_99, "currency": "RUB"]]]])
        #expect(short.status == 422)
        #expect(short.json["field"] as? String == "instalments")
        let ok = try await deals.call("PUT", "/deals/\(dealId)/schedule", as: "anna", json: ["invoiceId": invoiceId, "instalments": [
            ["dueOn": "2026-11-20", "amount": ["kopecks": 100_000_00, "currency": "RUB"]],
            ["dueOn": "2026-12-20", "amount": ["kopecks": 50_000_00, "currency": "RUB"]]]])
        #expect(ok.status == 200)
        let events = try await deals.events().filter { ["invoice.issued", "payment_schedule.set"].contains($0.0) }
        #expect(events.map(\.0) == ["invoice.issued", "payment_schedule.set"])
        #expect(events[0].1["dueOn"] as? String == "2026-11-20")
        #expect((events[1].1["instalments"] as? [[String: Any]])?.count == 2)
        await deals.stop()
    }

    @Test("approvals: a manager asks, the head decides once")
    func approvals() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (_, dealId) = try await deals.seed()
        let pdf = Data("%PDF-1.4 договор".utf8).base64EncodedString()
        let asked = try await deals.call("POST", "/deals/\(dealId)/approvals", as: "anna", json: [
            "subject": "Договор поставки", "attachmentName": "contract.pdf", "attachmentBase64": pdf])
        #expect(asked.status == 201)
        let id = asked.json["id"] as! String
        #expect(asked.json["attachmentBytes"] as? Int == Data(base64Encoded: pdf)!.count)
        let file = try await deals.call("GET", "/approvals/\(id)/attachment", as: "anna")
        #expect(file.body == Data(base64Encoded: pdf)!)
        #expect(try await deals.call("GET", "/approvals/\(id)/attachment", as: "boris").status == 403)
        #expect(try await deals.call("POST", "/approvals/\(id)/decide", as: "anna", json: ["approved": true]).status == 403)
        let decided = try await deals.call("POST", "/approvals/\(id)/decide", as: "head", json: ["approved": false, "comment": "скидка велика"])
        #expect(decided.json["status"] as? String == "rejected")
        #expect(try await deals.call("POST", "/approvals/\(id)/decide", as: "head", json: ["approved": true]).status == 409)
        let events = try await deals.events().filter { $0.0.hasPrefix("approval.") }
        #expect(events.map(\.0) == ["approval.requested", "approval.decided"])
        #expect(events[1].1["approved"] as? Bool == false)
        #expect(events[1].1["deciderId"] as? String == "head")
        await deals.stop()
    }
}

@Suite("The demo department")
struct DemoTests {
    @Test("seeds once, through the real commands, with a consistent pipeline")
    func seedsOnce() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        #expect(try DealsService.seedDemo(deals.app.context))
        #expect(try !DealsService.seedDemo(deals.app.context))
        let list = try await deals.call("GET", "/deals?limit=500", as: "head")
        let items = list.json["items"] as! [[String: Any]]
        #expect(items.count == 60)
        let statuses = Set(items.compactMap { $0["status"] as? String })
        #expect(statuses == ["open", "won", "lost"])
        let events = try await deals.events()
        #expect(events.filter { $0.0 == "deal.created" }.count == 60)
        #expect(events.filter { $0.0 == "manager.upserted" }.count == 6)
        // Every won deal went through deal.won, every lost one through deal.lost.
        #expect(events.filter { $0.0 == "deal.won" }.count == items.filter { $0["status"] as? String == "won" }.count)
        #expect(events.filter { $0.0 == "deal.lost" }.count == items.filter { $0["status"] as? String == "lost" }.count)
        await deals.stop()
    }
}

@Suite("Bulk CSV import")
struct CSVImportTests {
    @Test("good rows are imported, bad ones reported by line and kept, and a second import imports nothing")
    func clientsAndDeals() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        _ = try await deals.seed()
        let clients = """
        name,inn,phones,managerId,segment,region
        ООО «Вектор»,7736050003,8 495 111-22-33;+7 916 000 00 01,m1,smb,Москва
        ИП Сидоров,1234567890,,m1,smb,Казань
        ООО «Север»,,89161234500,m2,enterprise,Мурманск
        ООО «Юг»,,not a phone,m2,smb,Сочи
        """
        let first = try await deals.call("POST", "/import/clients", as: "head", raw: clients, contentType: "text/csv")
        #expect(first.status == 200)
        #expect(first.json["rows"] as? Int == 4)
        #expect(first.json["imported"] as? Int == 2)
        let rejected = first.json["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.map { $0["line"] as? Int } == [3, 5])
        #expect((rejected.first?["reason"] as? String)?.hasPrefix("inn") == true)
        let again = try await deals.call("POST", "/import/clients", as: "head", raw: String(clients.split(separator: "\n").prefix(2).joined(separator: "\n")), contentType: "text/csv")
        #expect(again.json["duplicates"] as? Int == 1)
        #expect(again.json["imported"] as? Int == 0)

        let dealsCSV = """
        externalId,title,clientInn,managerId,amount,stageId,expectedCloseDate
        crm-1,Поставка станков,7736050003,m1,1234567.89,proposal,2026-12-20
        crm-2,Сервис,7736050003,m1,много,,
        crm-3,Лицензии,0000000000,m1,100,,
        """
        let imported = try await deals.call("POST", "/import/deals", as: "head", raw: dealsCSV, contentType: "text/csv")
        #expect(imported.json["imported"] as? Int == 1)
        #expect((imported.json["rejected"] as? [[String: Any]])?.map { $0["line"] as? Int } == [3, 4])
        let repeated = try await deals.call("POST", "/import/deals", as: "head", raw: dealsCSV, contentType: "text/csv")
        #expect(repeated.json["imported"] as? Int == 0)
        #expect(repeated.json["duplicates"] as? Int == 1)
        let created = try await deals.events().filter { $0.0 == "deal.created" }.last?.1["deal"] as? [String: Any]
        #expect((created?["amount"] as? [String: Any])?["kopecks"] as? Int == 123_456_789)
        #expect(created?["stageId"] as? String == "proposal")
        let kept = try await deals.call("GET", "/import/rejected", as: "head")
        #expect(kept.array.count == 6)
        #expect(try await deals.call("POST", "/import/deals", as: "head", raw: "title\nx", contentType: "text/csv").json["field"] as? String == "header")
        await deals.stop()
    }
}
