import Foundation
import NIOHTTP1

/// The bank statement, plans with a correction, the bonus scheme, approvals.
extension DemoSimulator {
    /// Most invoices paid in full within their term (some late), some in part, some not at all —
    /// so receivables show red and yellow; one payer pays without naming the invoice (matched by
    /// INN); rent and a supplier go out. All as one 1CClientBankExchange file in Windows-1251.
    mutating func statement(_ department: DemoDepartment, deals planned: [PlannedDeal], first: Date, now: Date) async throws -> Int {
        var statement = BankStatementWriter(account: Self.companyAccount, companyName: Self.companyName, companyInn: Self.companyInn,
                                            from: ruDay(first), to: ruDay(now), openingKopecks: 12_500_000_00)
        var documents: [(Date, BankStatementWriter.Payment)] = []
        var number = 100
        for deal in planned {
            guard let invoice = deal.invoiceNumber, let issued = deal.invoiceIssued else { continue }
            let client = department.clients[deal.clientIndex]
            let roll = random.next(100)
            guard roll < 80 else { continue }                      // unpaid: overdue once its term passes
            let partial = roll >= 68
            let paidOn = issued.addingTimeInterval(Double(1 + random.next(deal.invoiceDueDays + 4)) * 86_400)
            guard paidOn < now.addingTimeInterval(-3600) else { continue }
            let amount = partial ? deal.amount / 2 : deal.amount
            number += 1
            let vat = amount / 6
            let purpose = roll < 8
                ? "Оплата по договору поставки. Сумма \(BankStatementWriter.rubles(amount)) руб., в т.ч. НДС (20%) \(BankStatementWriter.rubles(vat)) руб."
                : "Оплата по счету № \(invoice) от \(ruDay(issued))\(partial ? " (аванс 50%)" : ""). Сумма \(BankStatementWriter.rubles(amount)) руб., в т.ч. НДС (20%) \(BankStatementWriter.rubles(vat)) руб."
            documents.append((paidOn, .init(number: String(number), date: ruDay(paidOn), amountKopecks: amount, payerName: client.name,
                                            payerInn: client.inn, payerAccount: client.account, purpose: purpose, incoming: true)))
        }
        for (offset, (name, inn, amount, purpose)) in [("ООО «Бизнес-Центр Арбат»", "7704123450", Int64(450_000_00), "Арендная плата за офис"),
                                                        ("ООО «ТехноСнаб»", "7725123457", Int64(1_180_000_00), "Оплата по счету 77 за оборудование")].enumerated() {
            let when = at(dayOffset: 3 + offset * 10, hour: 11, minute: 0, from: first)
            number += 1
            documents.append((when, .init(number: String(number), date: ruDay(when), amountKopecks: amount, payerName: name, payerInn: inn,
                                          payerAccount: "4070281000000009\(String(offset).paddingLeft(4))", purpose: purpose, incoming: false)))
        }
        statement.payments = documents.sorted { $0.0 < $1.0 }.map(\.1)
        let bytes = BankStatementWriter.windows1251(statement.text(created: ruDay(now)))
        try await accounting.send(.POST, "/statements?fileName=kl_to_1c.txt", body: bytes, contentType: "text/plain")
        return documents.count
    }

    /// This month's quotas (the head sets them), one corrected mid-month with a
    /// reason, and a bonus scheme for managers.
    func plans(_ department: DemoDepartment, headToken: String, now: Date) async throws {
        let month = String(isoDay(now).prefix(7))
        var total: Int64 = 0
        var firstPlan: (String, Int64, Int)?
        for (index, manager) in department.managers.enumerated() {
            let target = Int64(18 + index % 5 * 3) * 100_000_00
            total += target
            let plan = try await kpi.object(.POST, "/plans", json: ["scope": "manager", "subjectId": manager.id, "metric": "won_amount",
                                                                    "period": month, "target": target], as: headToken)
            if firstPlan == nil { firstPlan = (plan["id"] as? String ?? "", target, plan["version"] as? Int ?? 1) }
            try await kpi.send(.POST, "/plans", json: ["scope": "manager", "subjectId": manager.id, "metric": "calls", "period": month,
                                                       "target": 160 + index % 4 * 20], as: headToken)
        }
        for (period, metric, target) in [(month, "won_amount", total), (month, "cash_received", total * 8 / 10), (month, "calls", Int64(3_800))] {
            try await kpi.send(.POST, "/plans", json: ["scope": "company", "metric": metric, "period": period, "target": target], as: headToken)
        }
        if let (id, target, version) = firstPlan {
            try await kpi.send(.PUT, "/plans/\(id)", json: ["target": target * 85 / 100, "version": version,
                                                            "reason": "Часть клиентов передана новому менеджеру"], as: headToken)
        }
        try await kpi.send(.PUT, "/bonus-schemes/manager", json: [
            "shares": [["metric": "cash_received", "basisPoints": 300]],
            "bands": [["fromCompletion": 0, "multiplierPercent": 50], ["fromCompletion": 80, "multiplierPercent": 100],
                      ["fromCompletion": 110, "multiplierPercent": 120]],
            "bandMetric": "won_amount",
            "kpis": [["metric": "calls", "amount": 10_000_00, "weightPercent": 100, "capPercent": 120]],
        ], as: headToken)
        log("plans: \(department.managers.count * 2 + 3) for \(month), one corrected; a bonus scheme for managers")
    }

    /// Three managers ask the head to approve a contract — with the PDF attached.
    func approvals(_ department: DemoDepartment, deals planned: [PlannedDeal], logins: [Login]) async throws {
        let pdf = Data("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8).base64EncodedString()
        var asked = 0
        for deal in planned where deal.status == "open" && ["contract", "negotiation"].contains(deal.stage) && asked < 3 {
            let manager = department.clients[deal.clientIndex].managerId
            guard let token = logins.first(where: { $0.id == manager })?.token else { continue }
            try await deals.send(.POST, "/deals/\(deal.id)/approvals", json: [
                "subject": "Договор: скидка \(5 + asked * 2)% для \(department.clients[deal.clientIndex].name)",
                "attachmentName": "Договор-\(asked + 1).pdf", "attachmentBase64": pdf,
            ], as: token)
            asked += 1
        }
        log("approvals: \(asked) waiting for the head")
    }
}
