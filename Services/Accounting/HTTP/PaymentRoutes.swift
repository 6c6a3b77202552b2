import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The JSON push for a 1C HTTP service (payments and invoices), the payment lists, and manual
/// matching. See `openapi.yaml` beside this folder.
struct PaymentRoutes {
    let context: ServiceContext
    let configuration: AccountingConfiguration

    /// An amount as 1C sends it: a string of rubles (`"1234.50"`) or `{"kopecks": 123450}`.
    /// Floating-point numbers are refused: they cannot hold kopecks exactly.
    struct Amount: Decodable {
        var kopecks: Int64
        var currency = "RUB"

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                guard let kopecks = Money.parseKopecks(text) else {
                    throw DecodingError.typeMismatch(Money.self, .init(codingPath: decoder.codingPath, debugDescription: "not an amount"))
                }
                self.kopecks = kopecks
            } else {
                let money = try container.decode(Money.self)
                kopecks = money.kopecks
                currency = money.currency
            }
        }
    }

    struct PaymentBody: Decodable {
        var number: String
        var date: String
        var amount: Amount
        var kind: String?
        var direction: PaymentDirection?
        var receivedOn: String?
        var debitedOn: String?
        var payerName: String?
        var payerInn: String?
        var payerKpp: String?
        var payerAccount: String?
        var payeeName: String?
        var payeeInn: String?
        var payeeAccount: String?
        var purpose: String?
    }

    struct InvoiceBody: Decodable {
        var number: String
        var issuedOn: String
        var dueOn: String
        var amount: Amount
        var clientId: String?
        var clientInn: String?
        var dealId: String?
    }

    struct PushReport: Encodable {
        struct Rejected: Encodable { var index: Int; var field: String?; var reason: String }
        var stored = 0
        var duplicates = 0
        var matched = 0
        var unmatched = 0
        var rejected: [Rejected] = []
    }

    func register(on router: Router<PacerRequestContext>) {
        router.post("payments") { request, ctx in
            try ctx.require(.accounting, .admin)
            let (drafts, rejected, raw) = try await Self.push(request, key: "payments", as: PaymentBody.self, accept: Self.draft)
            let store = PaymentStore(outbox: context.outbox, correlationId: ctx.id)
            let companyAccounts = configuration.companyAccounts
            let report = try await context.database.write { db in
                var report = PushReport(rejected: rejected)
                let own = companyAccounts.union(try String.fetchAll(db, sql: "SELECT account FROM own_account"))
                for draft in drafts {
                    switch try store.save(draft, ownAccounts: own, db) {
                    case .duplicate: report.duplicates += 1
                    case .stored(let direction, let matched):
                        report.stored += 1
                        if direction == .incoming { if matched { report.matched += 1 } else { report.unmatched += 1 } }
                    }
                }
                try Self.keep(rejected, key: "payments", raw: raw, db)
                return report
            }
            return try jsonResponse(report)
        }

        router.post("invoices") { request, ctx in
            try ctx.require(.accounting, .admin)
            let (invoices, rejected, raw) = try await Self.push(request, key: "invoices", as: InvoiceBody.self) { body in
                if let problem = Self.check(body) { throw problem }
                return body
            }
            let store = PaymentStore(outbox: context.outbox, correlationId: ctx.id)
            let report = try await context.database.write { db in
                var report = PushReport(rejected: rejected)
                for body in invoices {
                    if try store.saveInvoice(number: body.number, issuedOn: body.issuedOn, dueOn: body.dueOn, amount: body.amount.kopecks,
                                             currency: body.amount.currency, clientId: body.clientId, clientInn: body.clientInn,
                                             dealId: body.dealId, db) {
                        report.stored += 1
                    } else { report.duplicates += 1 }
                }
                try Self.keep(rejected, key: "invoices", raw: raw, db)
                return report
            }
            return try jsonResponse(report)
        }

        router.get("payments") { request, ctx in
            let scope = try ctx.paymentScope()
            var sql: SQL = "SELECT id FROM payment WHERE 1"
            let direction = request.query("direction") ?? "incoming"
            guard direction == "all" || PaymentDirection(rawValue: direction) != nil else {
                throw Problem.invalid("direction", "must be incoming, outgoing, transfer, unknown or all")
            }
            if direction != "all" { sql += " AND direction = \(direction)" }
            if let scope {
                guard direction == "incoming" else { throw Problem(.forbidden, "a manager sees incoming payments only") }
                sql += " AND (managerId = \(scope) OR clientId IN (SELECT id FROM dir_client WHERE managerId = \(scope)))"
            } else if let manager = request.query("managerId") {
                sql += " AND managerId = \(manager)"
            }
            switch request.query("status") ?? "all" {
            case "all": break
            case "matched": sql += " AND matchedBy IS NOT NULL"
            case "unmatched": sql += " AND direction = 'incoming' AND matchedBy IS NULL"
            default: throw Problem.invalid("status", "must be matched, unmatched or all")
            }
            if let client = request.query("clientId") { sql += " AND clientId = \(client)" }
            for (name, op) in [("from", ">="), ("to", "<=")] {
                guard let day = request.query(name) else { continue }
                guard CalendarDay.isValid(day) else { throw Problem.invalid(name, "must be a date YYYY-MM-DD") }
                sql += SQL(sql: " AND \(AccountingSchema.paymentDay) \(op) ?", arguments: [day])
            }
            sql += SQL(sql: " ORDER BY \(AccountingSchema.paymentDay) DESC, id LIMIT ?", arguments: [try request.queryInt("limit", default: 100, range: 1...1000)])
            let query = SQLRequest<String>(literal: sql)
            let items = try await context.database.read { db in try query.fetchAll(db).compactMap { try Self.view($0, db) } }
            return try jsonResponse(items)
        }

        router.get("payments/:id") { _, ctx in
            let scope = try ctx.paymentScope()
            let id = try ctx.parameters.require("id")
            return try jsonResponse(try await context.database.read { db in try Self.visible(id, to: scope, db) })
        }

        router.get("payments/:id/document") { _, ctx in
            let scope = try ctx.paymentScope()
            let id = try ctx.parameters.require("id")
            let location = try await context.database.read { db in
                _ = try Self.visible(id, to: scope, db)
                return try StoredDocument.locate(id, db)
            }
            guard let location else { throw Problem.notFound("no payment \(id)") }
            return try jsonResponse(try StoredDocument.read(location))
        }

        router.post("payments/:id/match") { request, ctx in
            try ctx.require(.accounting, .admin, .head)
            let id = try ctx.parameters.require("id")
            struct Body: Decodable {
                struct Part: Decodable { var invoiceId: String; var amount: Amount? }
                var invoices: [Part]?
                var clientId: String?
                var dealId: String?
            }
            let body = try await request.decodeJSON(Body.self, context: ctx)
            let store = PaymentStore(outbox: context.outbox, correlationId: ctx.id)
            let parts = (body.invoices ?? []).map { (id: $0.invoiceId, amount: $0.amount?.kopecks) }
            let state = try await context.database.write { db in
                try store.matchManually(id, invoices: parts, clientId: body.clientId, dealId: body.dealId, db)
            }
            return try jsonResponse(state)
        }

        router.get("invoices") { request, ctx in
            let scope = try ctx.paymentScope()
            var sql: SQL = "SELECT id, number, dealId, clientId, managerId, amount, currency, paid, issuedOn, dueOn, paidOn, source FROM invoice WHERE 1"
            if let scope { sql += " AND managerId = \(scope)" } else if let manager = request.query("managerId") { sql += " AND managerId = \(manager)" }
            switch request.query("status") ?? "all" {
            case "all": break
            case "open": sql += " AND paid < amount"
            case "paid": sql += " AND paid >= amount"
            default: throw Problem.invalid("status", "must be open, paid or all")
            }
            if let client = request.query("clientId") { sql += " AND clientId = \(client)" }
            sql += " ORDER BY dueOn, id LIMIT \(try request.queryInt("limit", default: 100, range: 1...1000))"
            let query = SQLRequest<Row>(literal: sql)
            let items = try await context.database.read { db in
                try query.fetchAll(db).map { row in
                    InvoiceView(invoiceId: row["id"], number: row["number"], dealId: row["dealId"], clientId: row["clientId"], managerId: row["managerId"],
                                amount: Money(kopecks: row["amount"], currency: row["currency"]), paid: Money(kopecks: row["paid"], currency: row["currency"]),
                                outstanding: Money(kopecks: max(0, row["amount"] - (row["paid"] as Int64)), currency: row["currency"]),
                                issuedOn: row["issuedOn"], dueOn: row["dueOn"], paidOn: row["paidOn"], source: row["source"])
                }
            }
            return try jsonResponse(items)
        }
    }

    struct InvoiceView: Encodable, Sendable {
        var invoiceId: String
        var number: String
        var dealId: String?
        var clientId: String?
        var managerId: String?
        var amount: Money
        var paid: Money
        var outstanding: Money
        var issuedOn: String
        var dueOn: String
        var paidOn: String?
        var source: String
    }
}
