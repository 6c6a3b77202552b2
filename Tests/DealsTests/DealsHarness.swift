import Contracts
import Deals
import Foundation
import ServiceKit
import ServiceTestSupport
import TestSupport

/// pacer-deals under test: a `ServiceHarness` with the deals stream as the default.
typealias DealsHarness = ServiceHarness

extension ServiceHarness {
    static func start(dir: TemporaryDirectory? = nil, overdueInterval: Duration = .seconds(30)) async throws -> ServiceHarness {
        try await start(DealsService.definition(overdueInterval: overdueInterval), defaults: .deals, dir: dir)
    }

    func events(after seq: Int64 = 0) async throws -> [(String, [String: Any])] {
        try await events(StreamName.deals, after: seq)
    }

    func head() async throws -> Int64 { try await head(StreamName.deals) }

    /// Managers m1 and m2 and head h, a client of m1, and a deal of m1 in stage `new`.
    func seed() async throws -> (clientId: String, dealId: String) {
        try await call("POST", "/managers", json: ["id": "h", "name": "Ольга", "role": "head"])
        try await call("POST", "/managers", json: ["id": "m1", "name": "Анна", "extensions": ["101"], "phones": ["8 (916) 123-45-67"], "regions": ["Москва"]])
        try await call("POST", "/managers", json: ["id": "m2", "name": "Борис", "extensions": ["102"]])
        let client = try await call("POST", "/clients", json: ["name": "ООО «Ромашка»", "inn": "7707083893", "managerId": "m1",
                                                                "phones": ["+7 495 123-45-67"], "segment": "smb", "region": "Москва"])
        let clientId = client.json["id"] as! String
        let deal = try await call("POST", "/deals", as: "anna", json: ["title": "Поставка", "clientId": clientId,
                                                                         "amount": ["kopecks": 150_000_00, "currency": "RUB"], "category": "equipment"])
        return (clientId, deal.json["dealId"] as! String)
    }
}
