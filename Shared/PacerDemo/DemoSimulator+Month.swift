import Foundation
import NIOHTTP1

/// The month itself: leads, deals moving through the stages, losses with reasons, invoices,
/// tasks — all in the order they happened, each stamped with its moment.
extension DemoSimulator {
    mutating func month(_ department: DemoDepartment, first: Date, now: Date) async throws -> ([PlannedDeal], [(Date, Int)]) {
        var planned: [PlannedDeal] = []
        var timeline: [(Date, Action)] = []
        var proposals: [(Date, Int)] = []
        let latest = now.addingTimeInterval(-600)
        var leads = 0
        for offset in 0...days {
            let day = at(dayOffset: offset, hour: 9, minute: 0, from: first)
            guard day < latest, isWorkingDay(day) else { continue }
            for _ in 0..<(1 + random.next(3)) {
                let when = day.addingTimeInterval(Double(random.next(8 * 3600)))
                guard when < latest else { continue }
                let region = DemoDepartment.regions[random.next(DemoDepartment.regions.count)]
                let lead = try await deals.object(.POST, "/leads", json: [
                    "name": "Заявка с сайта №\(1000 + leads)", "phone": "+7903\(String(1_000_000 + leads * 3_571).paddingLeft(7))",
                    "source": DemoDepartment.sources[random.next(DemoDepartment.sources.count)], "region": region,
                    "segment": DemoDepartment.segments[random.next(3)],
                ], at: when)
                leads += 1
                if lead["managerId"] as? String == nil, let id = lead["id"] as? String {
                    let manager = department.managers[random.next(department.managers.count)]
                    try await deals.send(.POST, "/leads/\(id)/assign", json: ["managerId": manager.id], at: min(when.addingTimeInterval(1800), latest))
                }
            }
            for _ in 0..<(3 + random.next(3)) {
                let clientIndex = random.next(department.clients.count)
                let (category, title) = DemoDepartment.categories[random.next(3)]
                let created = day.addingTimeInterval(Double(random.next(8 * 3600)))
                guard created < latest else { continue }
                let index = planned.count
                planned.append(PlannedDeal(clientIndex: clientIndex, title: "\(title) — \(department.clients[clientIndex].name)",
                                           amount: Int64(80 + random.next(2_400)) * 1_000_00, category: category, createdAt: created,
                                           expectedClose: isoDay(created.addingTimeInterval(Double(10 + random.next(30)) * 86_400))))
                timeline.append((created, .create(deal: index)))
                let roll = random.next(100)
                let outcome = roll < 38 ? "won" : (roll < 63 ? "lost" : "open")
                let stages = outcome == "won" ? 4 : (outcome == "lost" ? random.next(4) : random.next(5))
                var moment = created
                for stage in DemoDepartment.openStages.dropFirst().prefix(stages) {
                    moment = moment.addingTimeInterval(Double(1 + random.next(3)) * 86_400 + Double(random.next(4 * 3600)))
                    guard moment < latest else { break }
                    timeline.append((moment, .move(deal: index, stage: stage)))
                    if stage == "proposal" { proposals.append((moment.addingTimeInterval(900), index)) }
                }
                moment = moment.addingTimeInterval(Double(1 + random.next(4)) * 86_400)
                if moment < latest {
                    switch outcome {
                    case "won":
                        timeline.append((moment, .win(deal: index)))
                        if moment.addingTimeInterval(3600) < latest { timeline.append((moment.addingTimeInterval(3600), .invoice(deal: index))) }
                    case "lost":
                        timeline.append((moment, .lose(deal: index, reason: DemoDepartment.lossReasons[random.next(DemoDepartment.lossReasons.count)])))
                    default:
                        if random.chance(12) { timeline.append((moment, .flag(deal: index))) }
                        // A follow-up call due two days on: the older ones are overdue by now.
                        timeline.append((moment, .task(deal: index, dueAt: moment.addingTimeInterval(2 * 86_400))))
                    }
                } else if outcome == "open" {
                    timeline.append((latest, .task(deal: index, dueAt: now.addingTimeInterval(Double(1 + random.next(5)) * 86_400))))
                }
            }
        }
        timeline.sort { $0.0 < $1.0 }
        var invoices = 0
        for (moment, action) in timeline {
            switch action {
            case .create(let index):
                let deal = planned[index]
                let client = department.clients[deal.clientIndex]
                let reply = try await deals.object(.POST, "/deals", json: [
                    "title": deal.title, "clientId": client.id, "managerId": client.managerId, "amount": ["kopecks": deal.amount, "currency": "RUB"],
                    "category": deal.category, "region": client.region, "segment": client.segment, "source": client.source,
                    "expectedCloseDate": deal.expectedClose,
                ], at: moment)
                planned[index].id = reply["dealId"] as? String ?? ""
                planned[index].version = reply["version"] as? Int ?? 1
            case .move(let index, let stage):
                planned[index].version = try await deals.object(.POST, "/deals/\(planned[index].id)/move",
                                                                json: ["stageId": stage, "version": planned[index].version], at: moment)["version"] as? Int ?? 0
                planned[index].stage = stage
            case .win(let index):
                planned[index].version = try await deals.object(.POST, "/deals/\(planned[index].id)/win",
                                                                json: ["version": planned[index].version], at: moment)["version"] as? Int ?? 0
                planned[index].status = "won"
            case .lose(let index, let reason):
                planned[index].version = try await deals.object(.POST, "/deals/\(planned[index].id)/lose",
                                                                json: ["reason": reason, "comment": "со слов клиента", "version": planned[index].version],
                                                                at: moment)["version"] as? Int ?? 0
                planned[index].status = "lost"
            case .flag(let index):
                planned[index].version = try await deals.object(.POST, "/deals/\(planned[index].id)/flag",
                                                                json: ["problem": true, "comment": "Юристы клиента затягивают договор",
                                                                       "version": planned[index].version], at: moment)["version"] as? Int ?? 0
            case .invoice(let index):
                invoices += 1
                let number = "СЧ-\(String(invoices).paddingLeft(4))"
                let due = 7 + random.next(8)
                try await deals.send(.POST, "/deals/\(planned[index].id)/invoices", json: [
                    "number": number, "issuedOn": isoDay(moment), "dueOn": isoDay(moment.addingTimeInterval(Double(due) * 86_400)),
                    "amount": ["kopecks": planned[index].amount, "currency": "RUB"],
                ], at: moment)
                planned[index].invoiceNumber = number
                planned[index].invoiceIssued = moment
                planned[index].invoiceDueDays = due
            case .task(let index, let dueAt):
                let client = department.clients[planned[index].clientIndex]
                try await deals.send(.POST, "/tasks", json: [
                    "kind": "call", "title": "Перезвонить: \(client.name)", "assigneeId": client.managerId, "dealId": planned[index].id,
                    "dueAt": DemoClock.stamp(dueAt),
                ], at: moment)
            }
        }
        return (planned, proposals)
    }
}
