import Contracts
import Foundation
import Testing

@Suite("pacer-deals: history recorded as of when it happened")
struct HistoryImportTests {
    @Test("an admin's Pacer-Occurred-At stamps the deal, its history and its events; others may not backdate")
    func backdating() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (clientId, _) = try await deals.seed()
        let created = "2026-10-05T09:30:00Z", won = "2026-10-20T15:00:00Z"
        // The HTTP API writes whole seconds; events carry milliseconds.
        let deal = try await deals.call("POST", "/deals", json: ["title": "История", "clientId": clientId, "managerId": "m1",
                                               "amount": ["kopecks": 99_000_00, "currency": "RUB"]], headers: ["Pacer-Occurred-At": created])
        #expect(deal.status == 201)
        let dealId = deal.json["dealId"] as! String
        #expect(deal.json["createdAt"] as? String == created)
        let start = try await deals.head()
        let win = try await deals.call("POST", "/deals/\(dealId)/win", json: ["version": 1], headers: ["Pacer-Occurred-At": won])
        #expect(win.status == 200)
        #expect(win.json["closedAt"] as? String == won)
        let events = try await deals.events(after: start)
        #expect(events.map(\.0) == ["deal.won"])
        #expect((events[0].1["deal"] as? [String: Any])?["closedAt"] as? String == "2026-10-20T15:00:00.000Z")
        let history = try await deals.call("GET", "/deals/\(dealId)/history", as: "head")
        #expect(history.array.map { $0["at"] as? String } == [created, won])

        let byHead = try await deals.call("POST", "/deals", as: "head", json: ["title": "x", "clientId": clientId, "managerId": "m1", "amount": ["kopecks": 1, "currency": "RUB"]], headers: ["Pacer-Occurred-At": created])
        #expect(byHead.status == 403)
        let future = try await deals.call("POST", "/deals", json: ["title": "x", "clientId": clientId, "managerId": "m1", "amount": ["kopecks": 1, "currency": "RUB"]], headers: ["Pacer-Occurred-At": "2999-01-01T00:00:00Z"])
        #expect(future.status == 422)
        #expect(future.json["field"] as? String == "Pacer-Occurred-At")
        let garbled = try await deals.call("POST", "/deals", json: ["title": "x", "clientId": clientId, "managerId": "m1", "amount": ["kopecks": 1, "currency": "RUB"]], headers: ["Pacer-Occurred-At": "вчера"])
        #expect(garbled.status == 422)
        #expect(try await deals.head() == start + 1)
        await deals.stop()
    }
}

@Suite("pacer-deals: a create retried after a lost answer")
struct IdempotentCreateTests {
    @Test("the same externalId returns the first deal, once, with no second event")
    func externalId() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        let (clientId, _) = try await deals.seed()
        let body: [String: Any] = ["title": "Повтор", "clientId": clientId, "managerId": "m1", "amount": ["kopecks": 5_00, "currency": "RUB"],
                                   "externalId": "crm-42"]
        let start = try await deals.head()
        let first = try await deals.call("POST", "/deals", json: body)
        let again = try await deals.call("POST", "/deals", json: body)
        #expect(first.status == 201)
        #expect(again.status == 200)
        #expect(again.json["dealId"] as? String == first.json["dealId"] as? String)
        #expect(try await deals.events(after: start).map(\.0) == ["deal.created"])
        #expect(try await deals.call("POST", "/deals", as: "boris", json: body.merging(["managerId": "m2"]) { _, new in new }).status == 403)
        #expect(try await deals.call("POST", "/deals", json: body.merging(["externalId": ""]) { _, new in new }).json["field"] as? String == "externalId")
        await deals.stop()
    }
}
