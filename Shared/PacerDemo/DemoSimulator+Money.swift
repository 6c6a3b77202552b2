import Foundation
import NIOHTTP1

/// Calls and touches from the PBX, the month's bank statement from 1C, plans and approvals.
extension DemoSimulator {
    /// Each manager's working days: outgoing and incoming calls with their clients (and a few
    /// numbers nobody knows). Even days go to Pacer as a JSON batch, odd days as the PBX's
    /// Master.csv (`cdr_csv` with uniqueid and userfield), as the two kinds of PBX do.
    mutating func callsAndTouches(_ department: DemoDepartment, first: Date, now: Date,
                                  deals planned: [PlannedDeal], proposals: [(Date, Int)]) async throws -> (json: Int, cdr: Int, activities: Int) {
        var jsonCalls = 0, cdrCalls = 0, activities = 0
        let latest = now.addingTimeInterval(-120)
        for offset in 0...days {
            let day = at(dayOffset: offset, hour: 9, minute: 0, from: first)
            guard day < latest, isWorkingDay(day) else { continue }
            var batch: [[String: Any]] = []
            var cdr = ""
            for (managerIndex, manager) in department.managers.enumerated() {
                let mine = department.clients.filter { $0.managerId == manager.id }
                // A few managers talk a lot and sell little; the activity page should catch them.
                let count = managerIndex % 7 == 3 ? 14 + random.next(6) : 3 + random.next(9)
                for call in 0..<count {
                    let started = day.addingTimeInterval(Double(random.next(9 * 3600)))
                    guard started < latest else { continue }
                    let client = mine.isEmpty || random.chance(15) ? "+7926\(String(3_000_000 + random.next(999_999)).paddingLeft(7))"
                                                                    : mine[random.next(mine.count)].phone
                    let outgoing = random.chance(70)
                    let answered = random.chance(75)
                    let talk = answered ? 20 + random.next(880) : 0
                    let ring = 5 + random.next(20)
                    let id = "demo-\(offset)-\(manager.id)-\(call)"
                    if offset % 2 == 0 {
                        var body: [String: Any] = [
                            "callId": id, "direction": outgoing ? "outgoing" : "incoming", "from": outgoing ? manager.extensionNumber : client,
                            "to": outgoing ? client : manager.extensionNumber, "extension": manager.extensionNumber,
                            "startedAt": DemoClock.stamp(started), "endedAt": DemoClock.stamp(started.addingTimeInterval(Double(ring + talk))),
                            "durationSeconds": ring + talk, "billableSeconds": talk, "status": answered ? "ANSWERED" : "NO ANSWER",
                        ]
                        if answered {
                            body["answeredAt"] = DemoClock.stamp(started.addingTimeInterval(Double(ring)))
                            body["recordingURL"] = "https://pbx.example.ru/records/\(id).mp3"
                        }
                        batch.append(body)
                        jsonCalls += 1
                    } else {
                        let digits = client.hasPrefix("+7") ? "8" + client.dropFirst(2) : client
                        let channel = "SIP/\(manager.extensionNumber)-\(String(offset * 1000 + call, radix: 16).paddingLeft(8))"
                        let trunk = "SIP/trunk-\(String(offset * 1000 + call + 500, radix: 16).paddingLeft(8))"
                        let unique = "\(Int(started.timeIntervalSince1970)).\(managerIndex * 100 + call)"
                        let fields = [
                            "", outgoing ? manager.extensionNumber : String(digits), outgoing ? String(digits) : manager.extensionNumber,
                            outgoing ? "from-internal" : "from-trunk",
                            outgoing ? "\"\"\"\(manager.name)\"\" <\(manager.extensionNumber)>\"" : "\"\(digits)\" <\(digits)>",
                            outgoing ? channel : trunk, outgoing ? trunk : channel, "Dial", outgoing ? "SIP/trunk/\(digits),60" : "SIP/\(manager.extensionNumber),30",
                            cdrTime(started), answered ? cdrTime(started.addingTimeInterval(Double(ring))) : "",
                            cdrTime(started.addingTimeInterval(Double(ring + talk))), String(ring + talk), String(talk),
                            answered ? "ANSWERED" : "NO ANSWER", "DOCUMENTATION", unique, "",
                        ]
                        cdr += fields.enumerated().map { index, value in
                            // Asterisk quotes text fields; the clid above is already quoted, times are empty when unanswered.
                            if index == 4 || [12, 13].contains(index) || (index == 10 && value.isEmpty) { return value }
                            return "\"\(value)\""
                        }.joined(separator: ",") + "\n"
                        cdrCalls += 1
                    }
                }
            }
            if !batch.isEmpty { try await telephony.send(.POST, "/calls", json: ["calls": batch]) }
            if !cdr.isEmpty {
                try await telephony.send(.POST, "/cdr?timeZone=\(zone.identifier)", body: Array(cdr.utf8), contentType: "text/csv")
            }
            // Meetings: about one in three days per manager.
            for manager in department.managers where random.chance(30) {
                let mine = department.clients.filter { $0.managerId == manager.id }
                guard let client = mine.isEmpty ? nil : mine[random.next(mine.count)] else { continue }
                let when = day.addingTimeInterval(Double(3600 + random.next(7 * 3600)))
                guard when < latest else { continue }
                try await telephony.send(.POST, "/activities", json: [
                    "activityId": "demo-meeting-\(offset)-\(manager.id)", "kind": "meeting", "managerId": manager.id, "clientId": client.id,
                    "at": DemoClock.stamp(when), "note": "Встреча в офисе клиента",
                ])
                activities += 1
            }
        }
        activities += try await proposalsSent(department, deals: planned, proposals: proposals, now: latest)
        return (jsonCalls, cdrCalls, activities)
    }

    /// Proposals (КП) sent: one activity per deal that reached the proposal stage.
    func proposalsSent(_ department: DemoDepartment, deals planned: [PlannedDeal], proposals: [(Date, Int)], now: Date) async throws -> Int {
        var sent = 0
        for (when, index) in proposals where when < now {
            let deal = planned[index]
            let client = department.clients[deal.clientIndex]
            try await telephony.send(.POST, "/activities", json: [
                "activityId": "demo-proposal-\(deal.id)", "kind": "proposal", "managerId": client.managerId, "clientId": client.id,
                "dealId": deal.id, "at": DemoClock.stamp(when), "note": "КП отправлено по почте",
            ])
            sent += 1
        }
        return sent
    }
}
