import Contracts
import Crypto
import Foundation

/// A bank document on its way in — from a statement file or the JSON push — before it is
/// deduplicated, given a direction and matched.
struct PaymentDraft: Sendable {
    var kind: String
    let number: String
    let documentDate: String
    let amount: Int64
    var currency = "RUB"
    var receivedOn: String?
    var debitedOn: String?
    var payerName: String
    let payerInn: String?
    var payerKpp: String?
    let payerAccount: String?
    var payeeName: String
    let payeeInn: String?
    let payeeAccount: String?
    let purpose: String
    /// The invoice numbers in `purpose`, scanned where the draft is made (for a statement, on its
    /// parsing thread); nil leaves the scan to matching.
    var invoiceNumbers: [String]?
    /// Set by a sender that knows better than the accounts (the JSON push may say).
    var direction: PaymentDirection?
    /// Every field the sender wrote, as a JSON array of `[key, value]` — for pushed documents; a
    /// statement's stay in its kept file (`documentOffset`, `documentLength`) and this is empty.
    var fields: String
    var source: String
    var importId: Int64?
    var line: Int?
    /// The document's bytes in its statement file, as the bank wrote them.
    var documentOffset: Int?
    var documentLength: Int?

    init(document: BankDocument, source: String, importId: Int64?) {
        self.init(kind: document.kind, number: document.number, documentDate: document.date, amount: document.amountKopecks,
                  receivedOn: document.receivedOn, debitedOn: document.debitedOn, payerName: document.payerName,
                  payerInn: document.payerInn, payerKpp: document.payerKpp, payerAccount: document.payerAccount,
                  payeeName: document.payeeName, payeeInn: document.payeeInn, payeeAccount: document.payeeAccount,
                  purpose: document.purpose, direction: nil, fields: "", source: source)
        self.importId = importId
        line = document.firstLine
        documentOffset = document.byteOffset
        documentLength = document.byteLength
        invoiceNumbers = PurposeScanner.invoiceNumbers(in: purpose)
    }

    init(kind: String, number: String, documentDate: String, amount: Int64, receivedOn: String?, debitedOn: String?, payerName: String,
         payerInn: String?, payerKpp: String?, payerAccount: String?, payeeName: String, payeeInn: String?, payeeAccount: String?,
         purpose: String, direction: PaymentDirection?, fields: String, source: String) {
        self.kind = kind; self.number = number; self.documentDate = documentDate; self.amount = amount
        self.receivedOn = receivedOn; self.debitedOn = debitedOn; self.payerName = payerName; self.payerInn = payerInn
        self.payerKpp = payerKpp; self.payerAccount = payerAccount; self.payeeName = payeeName; self.payeeInn = payeeInn
        self.payeeAccount = payeeAccount; self.purpose = purpose; self.direction = direction; self.fields = fields; self.source = source
        identity = Self.identity(number: number, documentDate: documentDate, amount: amount, payer: payerAccount ?? payerInn,
                                 payee: payeeAccount ?? payeeInn)
        paymentId = Self.paymentId(identity: identity)
    }

    /// Number, date, amount and both accounts — the same for a document whichever file or push
    /// brings it, so overlapping statements count it once. Fixed at creation (the fields it is made
    /// of cannot change), on the parsing side of an import rather than its writer's.
    let identity: String

    /// A stable id derived from the identity: `pay-` and 20 hex digits of its SHA-256.
    let paymentId: String

    static func identity(number: String, documentDate: String, amount: Int64, payer: String?, payee: String?) -> String {
        "\(number)|\(documentDate)|\(amount)|\(payer ?? "")|\(payee ?? "")"
    }

    static func paymentId(identity: String) -> String {
        var identity = identity
        let digest = identity.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return digest.withUnsafeBytes { Hex.lowercase(UnsafeRawBufferPointer(rebasing: $0.prefix(10)), prefix: "pay-") }
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
