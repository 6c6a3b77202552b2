@testable import Accounting
import Contracts
import Deals
import Foundation
import GRDB
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// pacer-deals and pacer-accounting on real sockets: clients, deals and invoices reach
/// accounting over the bus, statements come in over HTTP.
struct Books {
    let deals: ServiceHarness
    let accounting: ServiceHarness
    static let own = "40702810900000000001"

    static func start() async throws -> Books {
        let dir = try TemporaryDirectory("accounting")
        let deals = try await ServiceHarness.start(DealsService.definition(), defaults: .deals, dir: dir)
        var configuration = AccountingConfiguration()
        configuration.companyAccounts = ["40702810900000000002"]
        // The receivables test runs the check itself.
        configuration.receivablesInterval = .seconds(3600)
        let accounting = try await ServiceHarness.start(AccountingService.definition(configuration), defaults: .accounting, dir: dir,
                                                        sources: [await deals.source])
        return Books(deals: deals, accounting: accounting)
    }

    func synced() async throws -> Bool {
        let head = try await deals.head(StreamName.deals)
        return await eventually { accounting.app.subscriber?.status.applied(publisher: "deals", stream: StreamName.deals) == head }
    }

    /// m1 with client Ромашка (INN 7719617469) and invoice 15 for 100 000.00; m2 with client Лютик
    /// (INN 7707083893) and invoices 16 (50 000.00) and 17 (30 000.00).
    func seed() async throws -> (romashka: String, lutik: String, deal1: String, deal2: String) {
        try await deals.call("POST", "/managers", json: ["id": "m1", "name": "Анна"])
        try await deals.call("POST", "/managers", json: ["id": "m2", "name": "Борис"])
        let romashka = try await deals.call("POST", "/clients", json: ["name": "Ромашка", "inn": "7719617469", "managerId": "m1"]).json["id"] as! String
        let lutik = try await deals.call("POST", "/clients", json: ["name": "Лютик", "inn": "7707083893", "managerId": "m2"]).json["id"] as! String
        let deal1 = try await deals.call("POST", "/deals", json: ["title": "Поставка", "clientId": romashka, "managerId": "m1",
                                                                   "amount": ["kopecks": 100_000_00, "currency": "RUB"]]).json["dealId"] as! String
        let deal2 = try await deals.call("POST", "/deals", json: ["title": "Монтаж", "clientId": lutik, "managerId": "m2",
                                                                   "amount": ["kopecks": 80_000_00, "currency": "RUB"]]).json["dealId"] as! String
        try await invoice(deal1, "15", 100_000_00, due: "2026-11-16")
        try await invoice(deal2, "16", 50_000_00, due: "2026-11-20")
        try await invoice(deal2, "17", 30_000_00, due: "2026-11-20")
        #expect(try await synced())
        return (romashka, lutik, deal1, deal2)
    }

    func invoice(_ deal: String, _ number: String, _ kopecks: Int64, due: String) async throws {
        let reply = try await deals.call("POST", "/deals/\(deal)/invoices", json: [
            "number": number, "issuedOn": "2026-11-02", "dueOn": due, "amount": ["kopecks": kopecks, "currency": "RUB"]])
        #expect(reply.status == 201)
    }

    func stop() async {
        await accounting.stop()
        await deals.stop()
        deals.dir.remove()
    }

    /// A statement for the company's account with the given documents.
    static func statement(_ documents: [String]) -> String {
        (["1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", "РасчСчет=\(own)"] + documents + ["КонецФайла"]).joined(separator: "\r\n") + "\r\n"
    }

    static func incoming(_ number: String, _ amount: String, inn: String, purpose: String, day: String = "18.11.2026") -> String {
        """
        СекцияДокумент=Платежное поручение\r\nНомер=\(number)\r\nДата=\(day)\r\nСумма=\(amount)\r\nПлательщикСчет=4070281000000000\(inn.suffix(4))\r
        ПлательщикИНН=\(inn)\r\nПлательщик1=Payer \(inn)\r\nПолучательСчет=\(own)\r\nДатаПоступило=\(day)\r\nПолучатель1=Pacer\r
        НазначениеПлатежа=\(purpose)\r\nКонецДокумента
        """
    }
}

@Suite("pacer-accounting with pacer-deals over the bus")
struct AccountingServiceTests {
    @Test("a statement is matched by invoice number and INN — partial, over- and multi-invoice payments; a re-import counts nothing twice")
    func matching() async throws {
        let books = try await Books.start()
        defer { Task { await books.stop() } }
        let (romashka, lutik, deal1, deal2) = try await books.seed()
        let file = Books.statement([
            Books.incoming("101", "60000.00", inn: "7719617469", purpose: "Оплата по счету № 15 от 02.11.2026"),
            Books.incoming("102", "50000", inn: "7719617469", purpose: "Доплата по сч.15"),
            Books.incoming("103", "80000.00", inn: "7707083893", purpose: "Оплата по счетам №16, 17"),
            Books.incoming("104", "1500.50", inn: "7736050003", purpose: "Оплата за товар"),
            """
            СекцияДокумент=Платежное поручение\r\nНомер=7\r\nДата=18.11.2026\r\nСумма=999.00\r\nПлательщикСчет=\(Books.own)\r
            ДатаСписано=18.11.2026\r\nПолучательСчет=40702810000000009999\r\nНазначениеПлатежа=Аренда\r\nКонецДокумента
            """,
            """
            СекцияДокумент=Мемориальный ордер\r\nНомер=8\r\nДата=18.11.2026\r\nСумма=5000.00\r\nПлательщикСчет=\(Books.own)\r
            ПолучательСчет=40702810900000000002\r\nНазначениеПлатежа=Перевод между своими счетами\r\nКонецДокумента
            """,
        ])
        let reply = try await books.accounting.call("POST", "/statements?fileName=kl_to_1c.txt", as: "onec", raw: file, contentType: "text/plain")
        #expect(reply.status == 200)
        let summary = reply.json
        #expect(summary["documents"] as? Int == 6)
        #expect(summary["incoming"] as? Int == 4)
        #expect(summary["outgoing"] as? Int == 1)
        #expect(summary["transfers"] as? Int == 1)
        #expect(summary["matched"] as? Int == 3)
        #expect(summary["unmatched"] as? Int == 1)
        #expect(summary["duplicates"] as? Int == 0)
        #expect((summary["rejected"] as? [Any])?.count == 0)
        #expect(summary["encoding"] as? String == "UTF-8")

        let events = try await books.accounting.events(StreamName.accounting)
        #expect(events.map(\.0) == ["payment.received", "payment.received", "invoice.paid", "payment.received", "invoice.paid", "invoice.paid",
                                    "payment.received", "payment.unmatched"])
        func payment(_ index: Int) -> [String: Any] { events[index].1["payment"] as! [String: Any] }
        func kopecks(_ value: Any?) -> Int64? { ((value as? [String: Any])?["kopecks"] as? NSNumber)?.int64Value }
        let first = payment(0)
        #expect(first["clientId"] as? String == romashka)
        #expect(first["dealId"] as? String == deal1)
        #expect(first["managerId"] as? String == "m1")
        #expect(first["matchedBy"] as? String == "invoice-number")
        #expect(kopecks((first["allocations"] as! [[String: Any]])[0]["amount"]) == 60_000_00)
        let second = payment(1)
        #expect(kopecks((second["allocations"] as! [[String: Any]])[0]["amount"]) == 40_000_00)
        #expect(kopecks(second["unallocated"]) == 10_000_00)
        #expect(events[2].1["number"] as? String == "15")
        #expect(events[2].1["paidOn"] as? String == "2026-11-18")
        let third = payment(3)
        #expect((third["allocations"] as! [[String: Any]]).map { kopecks($0["amount"]) } == [50_000_00, 30_000_00])
        #expect(third["clientId"] as? String == lutik)
        #expect(third["dealId"] as? String == deal2)
        #expect(third["managerId"] as? String == "m2")
        #expect(payment(6)["clientId"] == nil)
        #expect(kopecks(payment(6)["amount"]) == 1500_50)

        // The same file again, and an overlapping one: nothing counted twice.
        let head = try await books.accounting.head(StreamName.accounting)
        let again = try await books.accounting.call("POST", "/statements", as: "onec", raw: file)
        #expect(again.json["duplicates"] as? Int == 6)
        let overlapping = try await books.accounting.call("POST", "/statements", as: "onec", raw: Books.statement([
            Books.incoming("103", "80000.00", inn: "7707083893", purpose: "Оплата по счетам №16, 17"),
            Books.incoming("105", "20000.00", inn: "7707083893", purpose: "Оплата по счету № 18"),
        ]))
        #expect(overlapping.json["duplicates"] as? Int == 1)
        #expect(overlapping.json["matched"] as? Int == 1)
        let afterOverlap = try await books.accounting.events(StreamName.accounting, after: head)
        #expect(afterOverlap.map(\.0) == ["payment.received"])
        // Invoice 18 does not exist yet: the payment is known by its payer only, whole amount unallocated.
        let waiting = afterOverlap[0].1["payment"] as! [String: Any]
        #expect(waiting["matchedBy"] as? String == "inn")
        #expect(kopecks(waiting["unallocated"]) == 20_000_00)

        // Invoice 18 arrives from deals: the waiting payment is matched to it.
        try await books.invoice(deal2, "18", 20_000_00, due: "2026-11-30")
        #expect(try await books.synced())
        let rematched = try await books.accounting.events(StreamName.accounting, after: head + 1)
        #expect(rematched.map(\.0) == ["payment.matched", "invoice.paid"])
        let matched = rematched[0].1["payment"] as! [String: Any]
        #expect(matched["matchedBy"] as? String == "invoice-number")
        #expect(matched["revision"] as? Int == 2)
        #expect(kopecks(matched["unallocated"]) == 0)

        // Who sees what.
        let anna = try await books.accounting.call("GET", "/payments", as: "anna")
        #expect(anna.array.map { $0["number"] as? String } == ["101", "102"] || anna.array.map { $0["number"] as? String } == ["102", "101"])
        let boris = try await books.accounting.call("GET", "/payments", as: "boris")
        #expect(Set(boris.array.compactMap { $0["number"] as? String }) == ["103", "105"])
        #expect(try await books.accounting.call("GET", "/payments", as: "pbx").status == 403)
        #expect(try await books.accounting.call("POST", "/statements", as: "anna", raw: file).status == 403)
        #expect(try await books.accounting.call("GET", "/payments?direction=outgoing", as: "anna").status == 403)
        let all = try await books.accounting.call("GET", "/payments?direction=all", as: "head")
        #expect(all.array.count == 7)
        let paid = try await books.accounting.call("GET", "/invoices?status=paid", as: "head")
        #expect(paid.array.compactMap { $0["number"] as? String }.sorted() == ["15", "16", "17", "18"])

        // A document as the bank wrote it, every key with its line, read again from the kept file.
        let firstId = try #require(first["paymentId"] as? String)
        let document = try await books.accounting.call("GET", "/payments/\(firstId)/document", as: "anna")
        #expect(document.status == 200)
        #expect(document.json["fileName"] as? String == "kl_to_1c.txt")
        #expect((document.json["fields"] as? [[String: Any]])?.map { "\($0["line"] as? Int ?? 0) \($0["key"] as? String ?? "")=\($0["value"] as? String ?? "")" } == [
            "5 СекцияДокумент=Платежное поручение", "6 Номер=101", "7 Дата=18.11.2026", "8 Сумма=60000.00", "9 ПлательщикСчет=40702810000000007469",
            "10 ПлательщикИНН=7719617469", "11 Плательщик1=Payer 7719617469", "12 ПолучательСчет=\(Books.own)", "13 ДатаПоступило=18.11.2026",
            "14 Получатель1=Pacer", "15 НазначениеПлатежа=Оплата по счету № 15 от 02.11.2026",
        ])
        let secondId = try #require(second["paymentId"] as? String)
        let secondDocument = try await books.accounting.call("GET", "/payments/\(secondId)/document", as: "head")
        #expect((secondDocument.json["fields"] as? [[String: Any]])?.prefix(2).map { "\($0["line"] as? Int ?? 0) \($0["value"] as? String ?? "")" }
                == ["17 Платежное поручение", "18 102"])
        #expect(try await books.accounting.call("GET", "/payments/\(firstId)/document", as: "boris").status == 403)
    }

    @Test("a payment naming an invoice still on its way moves onto it when it arrives, and the invoice it held goes to the payment naming that one")
    func lateInvoice() async throws {
        let books = try await Books.start()
        defer { Task { await books.stop() } }
        let (_, _, _, deal2) = try await books.seed()
        // Лютик owes 16 (50 000.00) and 17 (30 000.00). 201 names invoice 19, unknown yet, so it is
        // matched by INN onto 17 (the exact amount); 202 names 17, already covered, so it waits.
        let file = Books.statement([
            Books.incoming("201", "30000.00", inn: "7707083893", purpose: "Оплата по счету № 19"),
            Books.incoming("202", "30000.00", inn: "7707083893", purpose: "Оплата по счету № 17"),
        ])
        #expect(try await books.accounting.call("POST", "/statements", as: "onec", raw: file).json["matched"] as? Int == 2)
        func invoices() async throws -> [String: Int64] {
            let list = try await books.accounting.call("GET", "/invoices?limit=1000", as: "head").array
            return Dictionary(uniqueKeysWithValues: list.map {
                ($0["number"] as! String, (($0["outstanding"] as! [String: Any])["kopecks"] as! NSNumber).int64Value)
            })
        }
        #expect(try await invoices() == ["15": 100_000_00, "16": 50_000_00, "17": 0])

        let head = try await books.accounting.head(StreamName.accounting)
        try await books.invoice(deal2, "19", 30_000_00, due: "2026-11-30")
        #expect(try await books.synced())
        #expect(try await invoices() == ["15": 100_000_00, "16": 50_000_00, "17": 0, "19": 0])
        let moved = try await books.accounting.events(StreamName.accounting, after: head)
        #expect(moved.map(\.0) == ["payment.matched", "invoice.paid", "payment.matched", "invoice.paid"])
        func allocated(_ event: (String, [String: Any])) -> [String] {
            ((event.1["payment"] as! [String: Any])["allocations"] as! [[String: Any]]).compactMap { $0["invoiceId"] as? String }
        }
        let ids = try await books.accounting.call("GET", "/invoices?limit=1000", as: "head").array.reduce(into: [String: String]()) {
            $0[$1["number"] as! String] = $1["invoiceId"] as? String
        }
        #expect((moved[0].1["payment"] as! [String: Any])["number"] as? String == "201")
        #expect(allocated(moved[0]) == [ids["19"]!])
        #expect(moved[1].1["number"] as? String == "19")
        #expect((moved[2].1["payment"] as! [String: Any])["number"] as? String == "202")
        #expect(allocated(moved[2]) == [ids["17"]!])
        #expect(moved[3].1["number"] as? String == "17")
        let payments = try await books.accounting.call("GET", "/payments?limit=100", as: "head").array
        #expect(payments.allSatisfy { (($0["unallocated"] as! [String: Any])["kopecks"] as! NSNumber).int64Value == 0 })

        // 16 is overdue and announced so. 203 names invoice 20, unknown yet: by INN it pays 16 off
        // (invoice.paid), then 20 arrives and the money moves there, all before the next check —
        // which must announce 16 overdue again, whole, not think nothing changed.
        let app = books.accounting.app
        let check = { try await ReceivableScheduler.check(app.context.database, outbox: app.context.outbox, zone: TimeZone(identifier: "Europe/Moscow")!,
                                                          now: Timestamp.parse("2026-11-22T09:00:00Z")!) }
        _ = try await check()
        _ = try await books.accounting.call("POST", "/statements", as: "onec", raw: Books.statement([
            Books.incoming("203", "50000.00", inn: "7707083893", purpose: "Оплата по счету № 20")]))
        #expect(try await invoices()["16"] == 0)
        try await books.invoice(deal2, "20", 50_000_00, due: "2026-11-30")
        #expect(try await books.synced())
        #expect(try await invoices() == ["15": 100_000_00, "16": 50_000_00, "17": 0, "19": 0, "20": 0])
        let before = try await books.accounting.head(StreamName.accounting)
        _ = try await check()
        let announced = try await books.accounting.events(StreamName.accounting, after: before)
        #expect(announced.map(\.0) == ["receivable.overdue"])
        let item = announced.first?.1["receivable"] as? [String: Any]
        #expect(item?["invoiceNumber"] as? String == "16")
        #expect(((item?["outstanding"] as? [String: Any])?["kopecks"] as? NSNumber)?.int64Value == 50_000_00)
    }

    @Test("an unmatched payment is matched by hand, and the match sticks on re-import")
    func manualMatch() async throws {
        let books = try await Books.start()
        defer { Task { await books.stop() } }
        let (romashka, _, deal1, _) = try await books.seed()
        let file = Books.statement([Books.incoming("201", "1500.50", inn: "7736050003", purpose: "Оплата за товар")])
        #expect(try await books.accounting.call("POST", "/statements", as: "onec", raw: file).json["unmatched"] as? Int == 1)
        let unmatched = try await books.accounting.call("GET", "/payments?status=unmatched", as: "head")
        #expect(unmatched.array.count == 1)
        let id = unmatched.array[0]["paymentId"] as! String
        #expect(try await books.accounting.call("POST", "/payments/\(id)/match", as: "anna", json: [:]).status == 403)
        let bad = try await books.accounting.call("POST", "/payments/\(id)/match", as: "head", json: ["invoices": [["invoiceId": "nope"]]])
        #expect(bad.status == 422)
        #expect(bad.json["field"] as? String == "invoices[0].invoiceId")
        let invoiceId = try await books.accounting.call("GET", "/invoices?status=open", as: "head").array.first { $0["number"] as? String == "15" }?["invoiceId"] as! String
        let manual = try await books.accounting.call("POST", "/payments/\(id)/match", as: "head", json: ["invoices": [["invoiceId": invoiceId]]])
        #expect(manual.status == 200)
        #expect(manual.json["clientId"] as? String == romashka)
        #expect(manual.json["dealId"] as? String == deal1)
        #expect(manual.json["matchedBy"] as? String == "manual")
        let head = try await books.accounting.head(StreamName.accounting)
        #expect(try await books.accounting.call("POST", "/statements", as: "onec", raw: file).json["duplicates"] as? Int == 1)
        #expect(try await books.accounting.head(StreamName.accounting) == head)
        let view = try await books.accounting.call("GET", "/payments/\(id)", as: "anna")
        #expect(view.status == 200)
        #expect(view.json["manual"] as? Bool == true)
        #expect(try await books.accounting.call("GET", "/payments/\(id)", as: "boris").status == 403)
        #expect(try await books.accounting.call("GET", "/payments?status=unmatched", as: "head").array.isEmpty)
    }

    @Test("a truncated upload keeps the good documents and reports the cut; a file that is no statement is refused")
    func badInput() async throws {
        let books = try await Books.start()
        defer { Task { await books.stop() } }
        let file = Books.statement([Books.incoming("301", "10.00", inn: "7736050003", purpose: "x"),
                                    Books.incoming("302", "abc", inn: "7736050003", purpose: "y")])
        let cut = String(file.prefix(file.count - 60))
        let reply = try await books.accounting.call("POST", "/statements?fileName=../../etc/passwd", as: "onec", raw: cut)
        #expect(reply.status == 200)
        #expect(reply.json["documents"] as? Int == 1)
        #expect(reply.json["complete"] as? Bool == false)
        #expect(reply.json["fileName"] as? String == "passwd")
        let rejected = reply.json["rejected"] as! [[String: Any]]
        #expect(rejected.count == 1)
        #expect(rejected[0]["firstLine"] as? Int == 17)
        #expect(rejected[0]["reason"] as? String == "the file ends inside the document that starts at line 17: no КонецДокумента (truncated?)")
        let kept = try await books.accounting.call("GET", "/rejected", as: "head")
        #expect(kept.array.first?["line"] as? String == "17")
        #expect((kept.array.first?["raw"] as? String)?.hasPrefix("СекцияДокумент=Платежное поручение\nНомер=302") == true)
        let folder = URL(fileURLWithPath: books.accounting.dir.path).appendingPathComponent("accounting-statements")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }.count == 1)

        let junk = try await books.accounting.call("POST", "/statements", as: "onec", raw: "hello\nworld\n")
        #expect(junk.status == 422)
        #expect(junk.json["field"] as? String == "body")
        #expect(try await books.accounting.call("GET", "/statements", as: "head").array.count == 1)
    }

    @Test("the JSON push: payments and 1C invoices, item by item, idempotent")
    func jsonPush() async throws {
        let books = try await Books.start()
        defer { Task { await books.stop() } }
        _ = try await books.seed()
        let invoices = try await books.accounting.call("POST", "/invoices", as: "onec", json: ["invoices": [
            ["number": "ТД00-000123", "issuedOn": "2026-11-10", "dueOn": "2026-11-25", "amount": "12000.00", "clientInn": "7719617469"],
            ["number": "X", "issuedOn": "2026-11-10", "dueOn": "2026-11-25", "amount": 12.5, "clientInn": "7719617469"],
        ]])
        #expect(invoices.json["stored"] as? Int == 1)
        #expect(((invoices.json["rejected"] as? [[String: Any]])?.first)?["field"] as? String == "invoices[1].amount")
        let payment: [String: Any] = ["number": "77", "date": "2026-11-19", "amount": ["kopecks": 12_000_00, "currency": "RUB"],
                                      "payerInn": "7719617469", "payerName": "Ромашка", "payerAccount": "40702810000000007469",
                                      "payeeAccount": Books.own, "receivedOn": "2026-11-19", "purpose": "Оплата сч. 123"]
        let first = try await books.accounting.call("POST", "/payments", as: "onec", json: ["payments": [payment, ["number": "78"]]])
        #expect(first.status == 200)
        #expect(first.json["stored"] as? Int == 1)
        #expect(first.json["matched"] as? Int == 1)
        #expect(((first.json["rejected"] as? [[String: Any]])?.first)?["field"] as? String == "payments[1].date")
        let retry = try await books.accounting.call("POST", "/payments", as: "onec", json: payment)
        #expect(retry.json["duplicates"] as? Int == 1)
        let single = try await books.accounting.call("POST", "/payments", as: "onec", json: ["number": "79", "date": "2026-13-01", "amount": "1"])
        #expect(single.status == 422)
        #expect(single.json["field"] as? String == "payments[0].date")
        #expect(try await books.accounting.call("POST", "/payments", as: "pbx", json: payment).status == 403)
        let paid = try await books.accounting.call("GET", "/invoices?status=paid", as: "head")
        #expect(paid.array.map { $0["number"] as? String } == ["ТД00-000123"])
        #expect(paid.array.first?["managerId"] as? String == "m1")
        // What was pushed is kept with the payment, in the push's own terms.
        let stored = try await books.accounting.call("GET", "/payments", as: "head")
        let id = try #require(stored.array.first?["paymentId"] as? String)
        let document = try await books.accounting.call("GET", "/payments/\(id)/document", as: "head")
        #expect(document.json["source"] as? String == "api")
        #expect((document.json["fields"] as? [[String: Any]])?.map { "\($0["key"] as? String ?? "")=\($0["value"] as? String ?? "")" } == [
            "number=77", "date=2026-11-19", "amount=12000.00", "currency=RUB", "receivedOn=2026-11-19", "payerName=Ромашка",
            "payerInn=7719617469", "payerAccount=40702810000000007469", "payeeAccount=\(Books.own)", "purpose=Оплата сч. 123",
        ])
        #expect(try await books.accounting.call("GET", "/payments/pay-nothing/document", as: "head").status == 404)
    }

    @Test("receivables: overdue in red, due this month in yellow, each announced once")
    func receivables() async throws {
        let books = try await Books.start()
        defer { Task { await books.stop() } }
        let zone = TimeZone(identifier: "Europe/Moscow")!
        let today = CalendarDay.of(Date(), in: zone)
        let (_, _, deal1, deal2) = try await books.seed()
        try await books.deals.call("POST", "/deals/\(deal1)/invoices", json: [
            "number": "40", "issuedOn": CalendarDay.adding(-20, to: today)!, "dueOn": CalendarDay.adding(-10, to: today)!, "amount": ["kopecks": 1_000_00, "currency": "RUB"]])
        try await books.deals.call("POST", "/deals/\(deal2)/invoices", json: [
            "number": "41", "issuedOn": today, "dueOn": today, "amount": ["kopecks": 2_000_00, "currency": "RUB"]])
        try await books.deals.call("POST", "/deals/\(deal2)/invoices", json: [
            "number": "42", "issuedOn": today, "dueOn": CalendarDay.adding(45, to: today)!, "amount": ["kopecks": 3_000_00, "currency": "RUB"]])
        #expect(try await books.synced())
        // Pay half of 40 so its outstanding is what is left.
        _ = try await books.accounting.call("POST", "/statements", as: "onec", raw: Books.statement([
            Books.incoming("401", "500.00", inn: "7719617469", purpose: "Оплата по счету 40")]))
        let report = try await books.accounting.call("GET", "/receivables?on=\(today)", as: "head")
        let items = report.json["items"] as! [[String: Any]]
        func item(_ number: String) -> [String: Any]? { items.first { ($0["receivable"] as? [String: Any])?["invoiceNumber"] as? String == number } }
        #expect(item("40")?["state"] as? String == "overdue")
        #expect(item("40")?["color"] as? String == "red")
        #expect(item("40")?["daysOverdue"] as? Int == 10)
        #expect(item("40")?["bucket"] as? String == "1-30")
        #expect(((item("40")?["receivable"] as? [String: Any])?["outstanding"] as? [String: Any])?["kopecks"] as? Int == 500_00)
        #expect(item("41")?["color"] as? String == "yellow")
        #expect(item("42")?["state"] as? String == "upcoming")
        let totals = report.json["totals"] as! [String: Any]
        // The seed's invoices 15, 16 and 17 (due 16 and 20 November 2026) are overdue too.
        #expect((totals["overdue"] as? [String: Any])?["kopecks"] as? Int == 100_000_00 + 80_000_00 + 500_00)
        #expect((totals["due"] as? [String: Any])?["kopecks"] as? Int == 2_000_00)
        let anna = try await books.accounting.call("GET", "/receivables?on=\(today)", as: "anna")
        #expect((anna.json["items"] as? [[String: Any]])?.compactMap { ($0["receivable"] as? [String: Any])?["managerId"] as? String }.allSatisfy { $0 == "m1" } == true)

        let head = try await books.accounting.head(StreamName.accounting)
        let app = books.accounting.app
        let counts = try await ReceivableScheduler.check(app.context.database, outbox: app.context.outbox, zone: zone)
        // 15, 16, 17 of the seed fell due in November 2026 and 40 is overdue; 41 is due.
        let late = items.filter { $0["state"] as? String == "overdue" }.count
        let due = items.filter { $0["state"] as? String == "due" }.count
        #expect(counts.0 == due && counts.1 == late)
        let again = try await ReceivableScheduler.check(app.context.database, outbox: app.context.outbox, zone: zone)
        #expect(again.0 == 0 && again.1 == 0)
        let events = try await books.accounting.events(StreamName.accounting, after: head)
        #expect(events.filter { $0.0 == "receivable.overdue" }.count == late)
        #expect(events.filter { $0.0 == "receivable.due" }.count == due)
        #expect(events.contains { $0.0 == "receivable.overdue" && ($0.1["receivable"] as? [String: Any])?["invoiceNumber"] as? String == "40" })
        #expect(!events.contains { $0.0 == "receivable.changed" })

        // Money after the announcement: 200 more on 40 (still overdue) is told once as
        // `receivable.changed` with what is left, so the read side does not go stale; 41 paid off
        // is told by its `invoice.paid`, not a second time.
        let before = try await books.accounting.head(StreamName.accounting)
        _ = try await books.accounting.call("POST", "/statements", as: "onec", raw: Books.statement([
            Books.incoming("402", "200.00", inn: "7719617469", purpose: "Оплата по счету 40"),
            Books.incoming("403", "2000.00", inn: "7719617469", purpose: "Оплата по счету 41")]))
        let moved = try await ReceivableScheduler.check(app.context.database, outbox: app.context.outbox, zone: zone)
        #expect(moved.0 == 0 && moved.1 == 0)
        let changed = try await books.accounting.events(StreamName.accounting, after: before).filter { $0.0 == "receivable.changed" }
        let left = Dictionary(uniqueKeysWithValues: changed.map {
            let item = $0.1["receivable"] as! [String: Any]
            return (item["invoiceNumber"] as! String, (item["outstanding"] as! [String: Any])["kopecks"] as! Int)
        })
        #expect(left == ["40": 300_00])
        #expect(try await books.accounting.events(StreamName.accounting, after: before).contains {
            $0.0 == "invoice.paid" && $0.1["number"] as? String == "41"
        })
        _ = try await ReceivableScheduler.check(app.context.database, outbox: app.context.outbox, zone: zone)
        #expect(try await books.accounting.events(StreamName.accounting, after: before).filter { $0.0 == "receivable.changed" }.count == 1)
    }
}
