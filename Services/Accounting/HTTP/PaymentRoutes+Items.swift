import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

extension PaymentRoutes {
    /// The items of a push — `{"<key>": [ … ]}` or one bare object — each decoded and accepted on
    /// its own, so one bad item is reported by index (its field as `<key>[i].field`) and the others
    /// still go in; a push of a single bad item is a 422. `raw(i)` is item i's JSON, kept for review.
    static func push<T: Decodable, U: Sendable>(_ request: Request, key: String, as type: T.Type, accept: (T) throws -> U) async throws
        -> (accepted: [U], rejected: [PushReport.Rejected], raw: @Sendable (Int) -> String) {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 16 << 20) } catch { throw Problem(.contentTooLarge, "request body is larger than 16 MiB") }
        let data = Data(buffer: buffer)
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch { throw Problem(.badRequest, "body is not valid JSON") }
        let objects: [Any]
        if let wrapper = parsed as? [String: Any], let list = wrapper[key] {
            guard let list = list as? [Any] else { throw Problem.invalid(key, "must be an array") }
            objects = list
        } else if parsed is [String: Any] {
            objects = [parsed]
        } else {
            throw Problem.invalid(key, "the body must be an object: {\"\(key)\": [...]} or one item")
        }
        let texts = objects.map { (try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        let decoder = JSONDecoder()
        var accepted: [U] = []
        var rejected: [PushReport.Rejected] = []
        for (index, text) in texts.enumerated() {
            do {
                accepted.append(try accept(try decoder.decode(T.self, from: Data(text.utf8))))
            } catch {
                let problem = (error as? DecodingError).map(Problem.decoding) ?? (error as? Problem) ?? Problem(.badRequest, "\(error)")
                rejected.append(.init(index: index, field: problem.field.map { "\(key)[\(index)].\($0)" }, reason: problem.detail))
            }
        }
        if texts.count == 1, let only = rejected.first { throw Problem.invalid(only.field ?? "\(key)[0]", only.reason) }
        return (accepted, rejected, { index in index < texts.count ? texts[index] : "" })
    }

    /// Keeps the refused items of a push for review (`GET /rejected`).
    static func keep(_ rejected: [PushReport.Rejected], key: String, raw: (Int) -> String, _ db: Database) throws {
        for item in rejected {
            try RejectedInput.record(source: "api:\(key)", line: item.index, reason: item.reason, raw: raw(item.index), db)
        }
    }

    static func draft(_ body: PaymentBody) throws -> PaymentDraft {
        guard !body.number.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("number", "must not be empty") }
        guard CalendarDay.isValid(body.date) else { throw Problem.invalid("date", "must be a date YYYY-MM-DD") }
        guard body.amount.kopecks > 0 else { throw Problem.invalid("amount", "must be positive") }
        for (name, value) in [("receivedOn", body.receivedOn), ("debitedOn", body.debitedOn)] {
            if let value, !CalendarDay.isValid(value) { throw Problem.invalid(name, "must be a date YYYY-MM-DD") }
        }
        for (name, value) in [("payerInn", body.payerInn), ("payeeInn", body.payeeInn)] {
            if let value, !(value.count == 10 || value.count == 12) || !value.allSatisfy(\.isASCIIDigit) {
                throw Problem.invalid(name, "must be 10 or 12 digits")
            }
        }
        guard body.payerAccount != nil || body.payeeAccount != nil || body.direction != nil else {
            throw Problem.invalid("payeeAccount", "payerAccount, payeeAccount or direction is required to tell which way the money went")
        }
        var draft = PaymentDraft(
            kind: body.kind ?? "Платежное поручение", number: body.number.trimmingCharacters(in: .whitespaces), documentDate: body.date,
            amount: body.amount.kopecks, receivedOn: body.receivedOn, debitedOn: body.debitedOn, payerName: body.payerName ?? "",
            payerInn: body.payerInn, payerKpp: body.payerKpp, payerAccount: body.payerAccount, payeeName: body.payeeName ?? "",
            payeeInn: body.payeeInn, payeeAccount: body.payeeAccount, purpose: body.purpose ?? "", direction: body.direction,
            fields: Self.fields(body), source: "api")
        draft.currency = body.amount.currency
        return draft
    }

    /// What was pushed, as `[key, value]` pairs in the body's terms (`GET /payments/{id}/document`).
    static func fields(_ body: PaymentBody) -> String {
        let pairs: [(String, String?)] = [
            ("number", body.number), ("date", body.date), ("amount", Money.decimalString(body.amount.kopecks)), ("currency", body.amount.currency),
            ("kind", body.kind), ("direction", body.direction?.rawValue), ("receivedOn", body.receivedOn), ("debitedOn", body.debitedOn),
            ("payerName", body.payerName), ("payerInn", body.payerInn), ("payerKpp", body.payerKpp), ("payerAccount", body.payerAccount),
            ("payeeName", body.payeeName), ("payeeInn", body.payeeInn), ("payeeAccount", body.payeeAccount), ("purpose", body.purpose),
        ]
        var out: [UInt8] = [0x5B]
        for (key, value) in pairs {
            guard let value else { continue }
            if out.count > 1 { out.append(0x2C) }
            out.append(0x5B)
            EnvelopeWriter.appendJSONString(key, to: &out)
            out.append(0x2C)
            EnvelopeWriter.appendJSONString(value, to: &out)
            out.append(0x5D)
        }
        out.append(0x5D)
        return String(decoding: out, as: UTF8.self)
    }

    static func check(_ body: InvoiceBody) -> Problem? {
        if body.number.trimmingCharacters(in: .whitespaces).isEmpty { return Problem.invalid("number", "must not be empty") }
        if !CalendarDay.isValid(body.issuedOn) { return Problem.invalid("issuedOn", "must be a date YYYY-MM-DD") }
        if !CalendarDay.isValid(body.dueOn) { return Problem.invalid("dueOn", "must be a date YYYY-MM-DD") }
        if body.amount.kopecks <= 0 { return Problem.invalid("amount", "must be positive") }
        if body.clientId == nil && body.clientInn == nil && body.dealId == nil {
            return Problem.invalid("clientInn", "clientInn, clientId or dealId is required to know whose invoice it is")
        }
        return nil
    }

    /// A bank document as the API shows it.
    /// A payment as `scope` (a manager's id; nil for heads, admins and accounting) may see it: a
    /// manager sees incoming payments of their own clients and deals only.
    static func visible(_ id: String, to scope: String?, _ db: Database) throws -> View {
        guard let view = try view(id, db) else { throw Problem.notFound("no payment \(id)") }
        guard let scope else { return view }
        let owners = Set([view.managerId, try view.clientId.flatMap {
            try String.fetchOne(db, sql: "SELECT managerId FROM dir_client WHERE id = ?", arguments: [$0])
        }].compactMap { $0 })
        guard view.direction == PaymentDirection.incoming.rawValue, owners.contains(scope) else {
            throw Problem(.forbidden, "payment \(id) is not of your clients")
        }
        return view
    }

    struct View: Encodable, Sendable {
        var paymentId: String
        var kind: String
        var number: String
        var documentDate: String
        var amount: Money
        var direction: String
        var receivedOn: String?
        var debitedOn: String?
        var payerName: String
        var payerInn: String?
        var payerAccount: String?
        var payeeName: String
        var payeeInn: String?
        var payeeAccount: String?
        var purpose: String
        var clientId: String?
        var dealId: String?
        var managerId: String?
        var allocations: [Allocation]
        var unallocated: Money
        var matchedBy: String?
        var manual: Bool
        var revision: Int
        var source: String
        var importId: Int64?
        var line: Int?
    }

    static func view(_ id: String, _ db: Database) throws -> View? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM payment WHERE id = ?", arguments: [id]) else { return nil }
        let currency: String = row["currency"]
        let allocations = try Row.fetchAll(db, sql: "SELECT invoiceId, dealId, amount FROM allocation WHERE paymentId = ? ORDER BY position",
                                           arguments: [id]).map {
            Allocation(invoiceId: $0["invoiceId"], dealId: $0["dealId"], amount: Money(kopecks: $0["amount"], currency: currency))
        }
        return View(paymentId: id, kind: row["kind"], number: row["number"], documentDate: row["documentDate"],
                    amount: Money(kopecks: row["amount"], currency: currency), direction: row["direction"], receivedOn: row["receivedOn"],
                    debitedOn: row["debitedOn"], payerName: row["payerName"], payerInn: row["payerInn"], payerAccount: row["payerAccount"],
                    payeeName: row["payeeName"], payeeInn: row["payeeInn"], payeeAccount: row["payeeAccount"], purpose: row["purpose"],
                    clientId: row["clientId"], dealId: row["dealId"], managerId: row["managerId"], allocations: allocations,
                    unallocated: Money(kopecks: row["unallocated"], currency: currency), matchedBy: row["matchedBy"], manual: row["manual"],
                    revision: row["revision"], source: row["source"], importId: row["importId"], line: row["line"])
    }
}
