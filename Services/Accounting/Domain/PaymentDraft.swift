import Contracts
import Crypto
import Foundation

/// A bank document on its way in — from a statement file or the JSON push — before it is
/// deduplicated, given a direction and matched.
struct PaymentDraft: Sendable {
    var kind: String
    var number: String
    var documentDate: String
    var amount: Int64
    var currency = "RUB"
    var receivedOn: String?
    var debitedOn: String?
    var payerName: String
    var payerInn: String?
    var payerKpp: String?
    var payerAccount: String?
    var payeeName: String
    var payeeInn: String?
    var payeeAccount: String?
    var purpose: String
    /// Set by a sender that knows better than the accounts (the JSON push may say).
    var direction: PaymentDirection?
    /// Every field the bank wrote, as a JSON array of `[key, value]`.
    var fields: String
    var source: String
    var importId: Int64?
    var line: Int?

    init(document: BankDocument, source: String, importId: Int64?) {
        kind = document.kind
        number = document.number
        documentDate = document.date
        amount = document.amountKopecks
        receivedOn = document.receivedOn
        debitedOn = document.debitedOn
        payerName = document.payerName
        payerInn = document.payerInn
        payerKpp = document.payerKpp
        payerAccount = document.payerAccount
        payeeName = document.payeeName
        payeeInn = document.payeeInn
        payeeAccount = document.payeeAccount
        purpose = document.purpose
        var out: [UInt8] = [0x5B]
        for (index, field) in document.fields.enumerated() {
            if index > 0 { out.append(0x2C) }
            out.append(0x5B)
            EnvelopeWriter.appendJSONString(field.key, to: &out)
            out.append(0x2C)
            EnvelopeWriter.appendJSONString(field.value, to: &out)
            out.append(0x5D)
        }
        out.append(0x5D)
        fields = String(decoding: out, as: UTF8.self)
        self.source = source
        self.importId = importId
        line = document.firstLine
    }

    init(kind: String, number: String, documentDate: String, amount: Int64, receivedOn: String?, debitedOn: String?, payerName: String,
         payerInn: String?, payerKpp: String?, payerAccount: String?, payeeName: String, payeeInn: String?, payeeAccount: String?,
         purpose: String, direction: PaymentDirection?, fields: String, source: String) {
        self.kind = kind; self.number = number; self.documentDate = documentDate; self.amount = amount
        self.receivedOn = receivedOn; self.debitedOn = debitedOn; self.payerName = payerName; self.payerInn = payerInn
        self.payerKpp = payerKpp; self.payerAccount = payerAccount; self.payeeName = payeeName; self.payeeInn = payeeInn
        self.payeeAccount = payeeAccount; self.purpose = purpose; self.direction = direction; self.fields = fields; self.source = source
    }

    /// Number, date, amount and both accounts — the same for a document whichever file or push
    /// brings it, so overlapping statements count it once.
    var identity: String {
        [number, documentDate, String(amount), payerAccount ?? payerInn ?? "", payeeAccount ?? payeeInn ?? ""].joined(separator: "|")
    }

    /// A stable id derived from the identity: `pay-` and 20 hex digits of its SHA-256.
    var paymentId: String {
        Hex.lowercase(SHA256.hash(data: Data(identity.utf8)).prefix(10), prefix: "pay-")
    }

    func direction(ownAccounts: Set<String>) -> PaymentDirection {
        if let direction { return direction }
        let payerOwn = payerAccount.map(ownAccounts.contains) ?? false
        let payeeOwn = payeeAccount.map(ownAccounts.contains) ?? false
        switch (payerOwn, payeeOwn) {
        case (true, true): return .transfer
        case (false, true): return .incoming
        case (true, false): return .outgoing
        case (false, false):
            switch (receivedOn != nil, debitedOn != nil) {
            case (true, true): return .transfer
            case (true, false): return .incoming
            case (false, true): return .outgoing
            case (false, false): return .unknown
            }
        }
    }
}
