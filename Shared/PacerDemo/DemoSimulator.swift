import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// Plays a month of a sales department into the running services through their public
/// interfaces — the deals API (history stamped with `Pacer-Occurred-At`), calls pushed as JSON
/// and as Asterisk CDR, meetings and proposals as activities, the month's payments as a
/// 1CClientBankExchange file in Windows-1251, plans with one correction, a bonus scheme, and
/// approvals waiting for the head. It never touches a database.
struct DemoSimulator {
    var deals: DemoClient
    var telephony: DemoClient
    var accounting: DemoClient
    var kpi: DemoClient
    var notifications: DemoClient
    var days: Int
    var zone: TimeZone
    var random: DemoRandom
    var log: @Sendable (String) -> Void

    static let companyAccount = "40702810900000012345"
    static let companyInn = "7701234560"
    static let companyName = "ООО «Пейсер Продажи»"

    struct Login { var id: String; var name: String; var role: String; var token: String }

    enum Action {
        case create(deal: Int), move(deal: Int, stage: String), win(deal: Int), lose(deal: Int, reason: String)
        case flag(deal: Int), invoice(deal: Int), task(deal: Int, dueAt: Date)
    }

    struct PlannedDeal {
        var clientIndex: Int
        var title: String
        var amount: Int64
        var category: String
        var createdAt: Date
        var expectedClose: String
        var id = ""
        var version = 1
        var invoiceNumber: String?
        var invoiceIssued: Date?
        var invoiceDueDays = 10
        var stage = "new"
        var status = "open"
    }

    // MARK: Calendar

    func localDay(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: date)
    }

    func at(dayOffset: Int, hour: Int, minute: Int, from base: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let day = calendar.date(byAdding: .day, value: dayOffset, to: calendar.startOfDay(for: base))!
        return day.addingTimeInterval(Double(hour * 3600 + minute * 60))
    }

    func isWorkingDay(_ date: Date) -> Bool {
        let weekday = localDay(date).weekday ?? 2
        return weekday != 1 && weekday != 7
    }

    func isoDay(_ date: Date) -> String {
        let c = localDay(date)
        return "\(c.year!)-\(String(c.month!).paddingLeft(2))-\(String(c.day!).paddingLeft(2))"
    }

    func ruDay(_ date: Date) -> String {
        let c = localDay(date)
        return "\(String(c.day!).paddingLeft(2)).\(String(c.month!).paddingLeft(2)).\(c.year!)"
    }

    func cdrTime(_ date: Date) -> String {
        let c = localDay(date)
        return "\(isoDay(date)) \(String(c.hour!).paddingLeft(2)):\(String(c.minute!).paddingLeft(2)):\(String(c.second!).paddingLeft(2))"
    }

    // MARK: Run

    mutating func run() async throws -> [Login] {
        let now = Date()
        var department = DemoDepartment(random: &random)
        let logins = try await people(department)
        log("people: a head and \(department.managers.count) managers in 3 teams, with logins in all five services")

        let first = now.addingTimeInterval(-Double(days) * 86_400)
        for index in department.clients.indices {
            let client = department.clients[index]
            let created = at(dayOffset: -random.next(60), hour: 10, minute: random.next(60), from: first)
            let reply = try await deals.object(.POST, "/clients", json: [
                "kind": "company", "name": client.name, "inn": client.inn, "phones": [client.phone], "emails": ["info@\(client.inn).example.ru"],
                "managerId": client.managerId, "segment": client.segment, "region": client.region, "source": client.source,
            ], at: created)
            department.clients[index].id = reply["id"] as? String ?? ""
        }
        log("clients: \(department.clients.count)")

        let (plannedDeals, proposals) = try await month(department, first: first, now: now)
        log("deals: \(plannedDeals.count) — won \(plannedDeals.filter { $0.status == "won" }.count), lost \(plannedDeals.filter { $0.status == "lost" }.count)")

        // Calls match managers by extension and clients by number: telephony must know them first.
        try await telephony.waitCaughtUp(on: "deals", timeout: .seconds(120))
        let calls = try await callsAndTouches(department, first: first, now: now, deals: plannedDeals, proposals: proposals)
        log("calls: \(calls.json) pushed as JSON, \(calls.cdr) as Asterisk CDR; \(calls.activities) meetings and proposals")

        try await accounting.waitCaughtUp(on: "deals", timeout: .seconds(120))
        let paid = try await statement(department, deals: plannedDeals, first: first, now: now)
        log("payments: a 1C statement in Windows-1251 with \(paid) documents")

        let headToken = logins.first { $0.role == "head" }!.token
        try await plans(department, headToken: headToken, now: now)
        try await approvals(department, deals: plannedDeals, logins: logins)
        for stream in ["deals", "telephony", "accounting"] { try await kpi.waitCaughtUp(on: stream, timeout: .seconds(180)) }
        return logins
    }

    /// Managers in pacer-deals, and one token per person registered in every service — the same
    /// token logs into the dashboard and authorises what the dashboard forwards to pacer-deals.
    mutating func people(_ department: DemoDepartment) async throws -> [Login] {
        var logins: [Login] = []
        for person in [department.head] + department.managers {
            var body: [String: Any] = ["id": person.id, "name": person.name, "role": person.role, "extensions": [person.extensionNumber],
                                       "phones": [person.phone], "email": "\(person.id)@pacer.example"]
            if let team = person.teamId { body["teamId"] = team }
            if let region = person.region { body["regions"] = [region] }
            try await deals.send(.POST, "/managers", json: body)
            let token = "pct_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            for service in [deals, telephony, accounting, kpi, notifications] {
                try await service.send(.PUT, "/admin/users/\(person.id)", json: ["name": person.name, "role": person.role, "managerId": person.id])
                try await service.send(.POST, "/admin/users/\(person.id)/tokens", json: ["token": token, "label": "demo"])
            }
            logins.append(Login(id: person.id, name: person.name, role: person.role, token: token))
        }
        // The PBX and 1C push with integration tokens of their own.
        telephony.token = try await integration(telephony, id: "pbx", name: "АТС", role: "integration:telephony")
        accounting.token = try await integration(accounting, id: "onec", name: "1С:Бухгалтерия", role: "integration:accounting")
        return logins
    }

    func integration(_ service: DemoClient, id: String, name: String, role: String) async throws -> String {
        try await service.send(.PUT, "/admin/users/\(id)", json: ["name": name, "role": role])
        return try await service.object(.POST, "/admin/users/\(id)/tokens", json: ["label": "demo"])["token"] as? String ?? ""
    }
}
