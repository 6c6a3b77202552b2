import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// A realistic department for `make run`: a head, five managers, clients across regions and
/// segments, and three months of deals moving through the pipeline — created through the same
/// commands as real input, so every row has its events and history.
enum DemoDepartment {
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Seeds when the database has no managers yet. Returns whether it did.
    static func seedIfEmpty(_ database: DatabasePool, outbox: OutboxStore, now: Date = Date()) throws -> Bool {
        try database.write { db in
            guard try ManagerRecord.fetchCount(db) == 0 else { return false }
            try seed(db, outbox: outbox, now: now)
            return true
        }
    }

    static func seed(_ db: Database, outbox: OutboxStore, now: Date) throws {
        var random = Generator(state: 2026)
        let day = 86_400.0
        var commands = DealsCommands(outbox: outbox, author: nil, correlationId: "demo", now: now.addingTimeInterval(-95 * day))
        let people: [(String, String, String, [String], String)] = [
            ("head", "Ольга Смирнова", "head", ["100"], "+79160000100"),
            ("anna", "Анна Петрова", "manager", ["101"], "+79160000101"),
            ("boris", "Борис Иванов", "manager", ["102"], "+79160000102"),
            ("vera", "Вера Кузнецова", "manager", ["103"], "+79160000103"),
            ("gleb", "Глеб Соколов", "manager", ["104"], "+79160000104"),
            ("dina", "Дина Морозова", "manager", ["105"], "+79160000105"),
        ]
        let regions = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск"]
        for (index, person) in people.enumerated() {
            _ = try commands.upsertManager(ManagerRecord(
                id: person.0, name: person.1, teamId: "sales-1", role: person.2, extensions: person.3, phones: [person.4],
                email: "\(person.0)@demo.pacer", telegramChatId: nil, regions: index == 0 ? [] : [regions[index - 1]], active: true), db)
            if try TokenStore.userCount(db) < 50 {
                try TokenStore.addUser(id: person.0, name: person.1, role: person.2 == "head" ? .head : .manager, managerId: person.0, db)
            }
        }
        let managers = people.dropFirst().map(\.0)
        let names = ["Ромашка", "Вектор", "СтройМаш", "Альфа-Трейд", "Север", "ТехноПарк", "Медиана", "Гранит", "Орион", "Балтика",
                     "Уралсталь", "Восход", "Лидер", "Мегаполис", "Кристалл", "Прогресс", "Фаворит", "Сибирь", "Волна", "Зенит",
                     "Полюс", "Феникс", "Горизонт", "Созвездие"]
        let segments = ["smb", "enterprise", "government"]
        let sources = ["website", "referral", "cold_call", "exhibition"]
        let categories = ["equipment", "software", "service"]
        var clients: [ClientRecord] = []
        for (index, name) in names.enumerated() {
            let manager = managers[index % managers.count]
            clients.append(try commands.createClient(.init(
                kind: "company", name: "ООО «\(name)»", inn: nil, kpp: nil, phones: [String(format: "+7495%07d", 1_000_000 + index * 7919)],
                emails: ["info@\(index).demo"], managerId: manager, segment: segments[index % 3],
                region: regions[managers.firstIndex(of: manager)!], source: sources[index % 4]), db))
        }
        let reasons = ["price", "competitor", "no_budget", "no_response"]
        let openStages = ["new", "qualified", "proposal", "negotiation", "contract"]
        for index in 0..<60 {
            let client = clients[index % clients.count]
            let createdDaysAgo = 90 - index * 3 / 2
            commands.now = now.addingTimeInterval(-Double(createdDaysAgo) * day + Double(random.next(8 * 3600)))
            let amount = Int64(50_000 + random.next(1_950_000)) * 100
            var deal = try commands.createDeal(.init(
                title: "\(categories[index % 3] == "software" ? "Лицензии" : categories[index % 3] == "service" ? "Сервис" : "Поставка") для \(client.name)",
                clientId: client.id, managerId: client.managerId!, amount: Money(kopecks: amount), category: categories[index % 3],
                region: nil, segment: nil, source: nil, pipelineId: "sales", stageId: nil,
                expectedCloseDate: dateString(now.addingTimeInterval(Double(random.next(60) - 10) * day))), db)
            // Move it along: older deals got further.
            let steps = min(openStages.count - 1, random.next(max(1, createdDaysAgo / 12) + 1))
            for step in 0..<steps {
                commands.now = commands.now.addingTimeInterval(Double(1 + random.next(6)) * day)
                guard commands.now < now else { break }
                deal = try commands.move(deal.id, to: openStages[step + 1], version: deal.version, db)
            }
            commands.now = commands.now.addingTimeInterval(Double(1 + random.next(5)) * day)
            guard commands.now < now else { continue }
            switch random.next(10) {
            case 0...3 where createdDaysAgo > 10:
                deal = try commands.win(deal.id, version: deal.version, db)
            case 4...5 where createdDaysAgo > 10:
                deal = try commands.lose(deal.id, reason: reasons[random.next(reasons.count)], comment: nil, version: deal.version, db)
            case 6:
                deal = try commands.flag(deal.id, problem: true, comment: "Клиент тянет с ответом", version: deal.version, db)
            default:
                break
            }
            if deal.status == .won || random.next(3) == 0 {
                let issued = commands.now
                _ = try commands.issueInvoice(dealId: deal.id, number: "Д-\(1000 + index)", issuedOn: dateString(issued),
                                              dueOn: dateString(issued.addingTimeInterval(Double(5 + random.next(20)) * day)),
                                              amount: deal.amount, db)
            }
            if deal.status == .open {
                commands.now = now.addingTimeInterval(-Double(random.next(3)) * day)
                _ = try commands.createTask(kind: ["call", "meeting", "proposal"][random.next(3)], title: "Следующий шаг по сделке",
                                            assigneeId: deal.managerId, dealId: deal.id, clientId: deal.clientId,
                                            dueAt: now.addingTimeInterval(Double(random.next(7 * 24) - 48) * 3600), db)
            }
        }
    }

    static func dateString(_ date: Date) -> String {
        String(Timestamp.format(date).prefix(10))
    }
}
