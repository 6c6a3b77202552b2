import Foundation

// Events published by pacer-accounting on the `accounting` stream.

public struct PaymentReceived: EventPayload, Hashable {
    public static let eventType: EventType = "payment.received"
    public var paymentId: String
    public var amount: Money
    public var receivedOn: String      // YYYY-MM-DD
    public var payerName: String
    public var payerInn: String?
    public var purpose: String
    public var clientId: String?
    public var invoiceId: String?
    public var dealId: String?
    public var managerId: String?
    public init(paymentId: String, amount: Money, receivedOn: String, payerName: String, payerInn: String?,
                purpose: String, clientId: String?, invoiceId: String?, dealId: String?, managerId: String?) {
        self.paymentId = paymentId; self.amount = amount; self.receivedOn = receivedOn; self.payerName = payerName
        self.payerInn = payerInn; self.purpose = purpose; self.clientId = clientId; self.invoiceId = invoiceId
        self.dealId = dealId; self.managerId = managerId
    }
}

public enum ReceivableState: String, Codable, Sendable { case dueThisPeriod = "due", overdue, paid }

public struct ReceivableChanged: EventPayload, Hashable {
    public static let eventType: EventType = "receivable.changed"
    public var invoiceId: String
    public var clientId: String
    public var managerId: String?
    public var outstanding: Money
    public var dueOn: String
    public var state: ReceivableState
    public init(invoiceId: String, clientId: String, managerId: String?, outstanding: Money, dueOn: String, state: ReceivableState) {
        self.invoiceId = invoiceId; self.clientId = clientId; self.managerId = managerId
        self.outstanding = outstanding; self.dueOn = dueOn; self.state = state
    }
}
