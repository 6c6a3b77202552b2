import Contracts
import Foundation
import GRDB

/// What an incoming payment was matched to.
struct Match: Sendable, Equatable {
    struct Part: Sendable, Equatable {
        var invoiceId: String?
        var dealId: String?
        var amount: Int64
    }

    var clientId: String?
    var dealId: String?
    var managerId: String?
    var parts: [Part] = []
    var unallocated: Int64
    var matchedBy: String?
    /// Why nothing was found, for the unmatched list.
    var reason = ""

    var isMatched: Bool { matchedBy != nil }

    static func unmatched(_ amount: Int64, reason: String) -> Match {
        Match(clientId: nil, dealId: nil, managerId: nil, unallocated: amount, matchedBy: nil, reason: reason)
    }

    func allocations(currency: String) -> [Allocation] {
        parts.map { Allocation(invoiceId: $0.invoiceId, dealId: $0.dealId, amount: Money(kopecks: $0.amount, currency: currency)) }
    }
}

/// Where matching reads invoices and clients: the database as it stands (`LiveInvoices`), or an
/// import's `InvoiceBook`, which remembers what it read and what the import has paid since.
protocol InvoiceDirectory {
    /// Invoices whose number's key (`PurposeScanner.key`) or digits (`digitsKey`) is `key`.
    func invoices(numberKey key: String) throws -> [Matcher.Invoice]
    func invoices(digitsKey key: String) throws -> [Matcher.Invoice]
    /// Clients with this INN, by id.
    func clients(inn: String) throws -> [(id: String, managerId: String?)]
    /// Open invoices of the clients with this INN, by due day, issue day and id.
    func openInvoices(inn: String) throws -> [Matcher.Invoice]
}

/// Matching's reads and what it does with a match: pays invoices (each `invoice.paid` the first
/// time one is paid in full) and names the client and deal for the payment's event.
protocol InvoiceLedger: InvoiceDirectory {
    func pay(_ invoiceId: String, _ amount: Int64, on day: String) throws -> InvoicePaid?
    func clientName(_ id: String) throws -> String?
    func dealTitle(_ id: String) throws -> String?
}

/// Finds what a payment pays: first the invoice numbers in its purpose, then the payer's INN to
/// a client and its open invoices (the one whose outstanding equals the amount, else the oldest
/// first). Partial payments leave the rest outstanding; over-payments stay unallocated on the
/// payment; one payment may cover several invoices.
struct Matcher {
    let directory: any InvoiceDirectory

    init(directory: any InvoiceDirectory) { self.directory = directory }
    init(db: Database) { directory = LiveInvoices(db: db) }

    struct Invoice {
        var id: String
        var dealId: String?
        var clientId: String?
        var managerId: String?
        var outstanding: Int64
        var clientInn: String?
        var issuedOn: String
    }

    /// `numbers`: the invoice numbers in `purpose` when already scanned (an import scans them on
    /// its parsing thread); nil scans them here.
    func match(amount: Int64, payerInn: String?, purpose: String, numbers: [String]? = nil, on day: String) throws -> Match {
        var invoices: [Invoice] = []
        for number in numbers ?? PurposeScanner.invoiceNumbers(in: purpose) {
            if let invoice = try invoice(number: number, payerInn: payerInn, on: day), !invoices.contains(where: { $0.id == invoice.id }) {
                invoices.append(invoice)
            }
        }
        if !invoices.isEmpty { return allocate(amount, over: invoices, by: "invoice-number", clientFallback: nil) }
        guard let payerInn else { return .unmatched(amount, reason: "no invoice number in the purpose and no payer INN") }
        guard let client = try directory.clients(inn: payerInn).first else {
            return .unmatched(amount, reason: "no invoice number in the purpose and no client with INN \(payerInn)")
        }
        let open = try directory.openInvoices(inn: payerInn)
        if let exact = open.first(where: { $0.outstanding == amount }) {
            return allocate(amount, over: [exact], by: "inn", clientFallback: client)
        }
        return allocate(amount, over: open, by: "inn", clientFallback: client)
    }

    /// The invoice a number in the purpose names: by the exact number, else by its digits; among
    /// several, the payer's own before others', unpaid before paid, the newest issued by the day.
    private func invoice(number: String, payerInn: String?, on day: String) throws -> Invoice? {
        var found = try directory.invoices(numberKey: PurposeScanner.key(number))
        if found.isEmpty {
            // "123" for an invoice numbered "ТД00-000123" only when the payer confirms it.
            found = try directory.invoices(digitsKey: PurposeScanner.digitsKey(number)).filter { payerInn != nil && $0.clientInn == payerInn }
        }
        func score(_ invoice: Invoice) -> Int {
            (payerInn != nil && invoice.clientInn == payerInn ? 4 : 0) + (invoice.outstanding > 0 ? 2 : 0) + (invoice.issuedOn <= day ? 1 : 0)
        }
        return found.max { (score($0), $0.issuedOn) < (score($1), $1.issuedOn) }
    }

    private func allocate(_ amount: Int64, over invoices: [Invoice], by: String, clientFallback: (id: String, managerId: String?)?) -> Match {
        var remaining = amount
        var parts: [Match.Part] = []
        for invoice in invoices where remaining > 0 && invoice.outstanding > 0 {
            let take = min(remaining, invoice.outstanding)
            parts.append(.init(invoiceId: invoice.id, dealId: invoice.dealId, amount: take))
            remaining -= take
        }
        // Paid invoices named again (a double payment) still tell whose money it is.
        let lead = parts.first.flatMap { part in invoices.first { $0.id == part.invoiceId } } ?? invoices.first
        return Match(clientId: lead?.clientId ?? clientFallback?.id, dealId: lead?.dealId,
                     managerId: lead?.managerId ?? clientFallback?.managerId, parts: parts, unallocated: remaining, matchedBy: by)
    }
}
