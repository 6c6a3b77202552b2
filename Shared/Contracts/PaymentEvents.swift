import Foundation

// Events published by pacer-accounting on the `accounting` stream.

/// Which way money moved, decided from the company's own accounts and the statement's dates.
public enum PaymentDirection: String, Codable, Sendable, CaseIterable {
    /// Into one of the company's accounts: revenue.
    case incoming
    /// Out of one of the company's accounts: an expense.
    case outgoing
    /// Between two of the company's own accounts: neither revenue nor expense.
    case transfer
    /// Neither account is the company's and no date tells: kept, never counted.
    case unknown
}

/// A part of a payment put against an invoice (or, without an invoice, against a deal or only
/// the client).
public struct Allocation: Codable, Hashable, Sendable {
    public var invoiceId: String?
    public var dealId: String?
    public var amount: Money
    public init(invoiceId: String?, dealId: String?, amount: Money) {
        self.invoiceId = invoiceId; self.dealId = dealId; self.amount = amount
    }
}

/// An incoming payment as it stands: who paid, and what it was matched to. Every accounting
/// event about a payment carries the whole state, so a consumer replaces what it had.
public struct PaymentState: Codable, Hashable, Sendable {
    public var paymentId: String
    /// The bank document's number and date (`Номер`, `Дата`).
    public var number: String
    public var documentDate: String    // YYYY-MM-DD
    /// The day the money reached the company (`ДатаПоступило`, else the document date).
    public var receivedOn: String      // YYYY-MM-DD
    public var amount: Money
    public var payerName: String
    public var payerInn: String?
    public var payerAccount: String?
    public var purpose: String
    public var clientId: String?
    public var dealId: String?
    public var managerId: String?
    public var allocations: [Allocation]
    /// What no invoice took: an over-payment, or a payment known only by its client.
    public var unallocated: Money
    /// `invoice-number`, `inn`, `manual`, or nil while unmatched.
    public var matchedBy: String?
    /// Grows with each change of the match.
    public var revision: Int
    /// The client's name and the deal's title as accounting knows them, so a consumer can word a
    /// message about the payment without having heard of the client or deal itself yet.
    public var clientName: String?
    public var dealTitle: String?

    public init(paymentId: String, number: String, documentDate: String, receivedOn: String, amount: Money, payerName: String,
                payerInn: String?, payerAccount: String?, purpose: String, clientId: String?, dealId: String?, managerId: String?,
                allocations: [Allocation], unallocated: Money, matchedBy: String?, revision: Int, clientName: String? = nil, dealTitle: String? = nil) {
        self.paymentId = paymentId; self.number = number; self.documentDate = documentDate; self.receivedOn = receivedOn
        self.amount = amount; self.payerName = payerName; self.payerInn = payerInn; self.payerAccount = payerAccount
        self.purpose = purpose; self.clientId = clientId; self.dealId = dealId; self.managerId = managerId
        self.allocations = allocations; self.unallocated = unallocated; self.matchedBy = matchedBy; self.revision = revision
        self.clientName = clientName; self.dealTitle = dealTitle
    }
}

/// An incoming payment seen for the first time, with the match found at once (if any).
public struct PaymentReceived: EventPayload, Hashable {
    public static let eventType: EventType = "payment.received"
    public var payment: PaymentState
    public init(payment: PaymentState) { self.payment = payment }
}

/// A received payment was matched later or matched again (a new invoice or client appeared, or
/// accounting matched it by hand): the state replaces the previous one.
public struct PaymentMatched: EventPayload, Hashable {
    public static let eventType: EventType = "payment.matched"
    public var payment: PaymentState
    public init(payment: PaymentState) { self.payment = payment }
}

/// An incoming payment nobody could be found for — on arrival, or after a manual unmatch. It waits
/// in `GET /payments?status=unmatched` for someone to match it.
public struct PaymentUnmatched: EventPayload, Hashable {
    public static let eventType: EventType = "payment.unmatched"
    public var payment: PaymentState
    public var reason: String
    public init(payment: PaymentState, reason: String) { self.payment = payment; self.reason = reason }
}

/// An invoice is paid in full.
public struct InvoicePaid: EventPayload, Hashable {
    public static let eventType: EventType = "invoice.paid"
    public var invoiceId: String
    public var number: String
    public var dealId: String?
    public var clientId: String?
    public var managerId: String?
    public var amount: Money
    public var paidOn: String          // YYYY-MM-DD: the day of the payment that completed it
    public init(invoiceId: String, number: String, dealId: String?, clientId: String?, managerId: String?, amount: Money, paidOn: String) {
        self.invoiceId = invoiceId; self.number = number; self.dealId = dealId; self.clientId = clientId
        self.managerId = managerId; self.amount = amount; self.paidOn = paidOn
    }
}

/// One expected payment: an invoice, or one instalment of a payment schedule.
public struct ReceivableItem: Codable, Hashable, Sendable {
    /// `inv:<invoiceId>`, `inv:<invoiceId>#<n>` or `deal:<dealId>#<n>` for instalments.
    public var receivableId: String
    public var invoiceId: String?
    public var invoiceNumber: String?
    public var dealId: String?
    public var clientId: String?
    public var managerId: String?
    public var dueOn: String           // YYYY-MM-DD
    public var amount: Money
    public var outstanding: Money
    public init(receivableId: String, invoiceId: String?, invoiceNumber: String?, dealId: String?, clientId: String?,
                managerId: String?, dueOn: String, amount: Money, outstanding: Money) {
        self.receivableId = receivableId; self.invoiceId = invoiceId; self.invoiceNumber = invoiceNumber; self.dealId = dealId
        self.clientId = clientId; self.managerId = managerId; self.dueOn = dueOn; self.amount = amount; self.outstanding = outstanding
    }
}

/// An expected payment falls due in the current period (yellow): once per item and period.
public struct ReceivableDue: EventPayload, Hashable {
    public static let eventType: EventType = "receivable.due"
    public var receivable: ReceivableItem
    public init(receivable: ReceivableItem) { self.receivable = receivable }
}

/// An expected payment is past its due date and not fully paid (red): once per item.
public struct ReceivableOverdue: EventPayload, Hashable {
    public static let eventType: EventType = "receivable.overdue"
    public var receivable: ReceivableItem
    public var daysOverdue: Int
    public init(receivable: ReceivableItem, daysOverdue: Int) { self.receivable = receivable; self.daysOverdue = daysOverdue }
}

/// What is left of an item already announced as due or overdue has changed — a partial payment,
/// an unmatch, or paid off (outstanding zero): once per change.
public struct ReceivableChanged: EventPayload, Hashable {
    public static let eventType: EventType = "receivable.changed"
    public var receivable: ReceivableItem
    public init(receivable: ReceivableItem) { self.receivable = receivable }
}

/// `SNAPSHOT accounting`: every incoming payment as it stands.
public struct AccountingSnapshotItem: Codable, Hashable, Sendable {
    public var kind: String            // payment
    public var payment: PaymentState?
    public init(kind: String, payment: PaymentState?) { self.kind = kind; self.payment = payment }
}
