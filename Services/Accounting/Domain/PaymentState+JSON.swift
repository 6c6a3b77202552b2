import Contracts
import Foundation

extension PaymentState {
    /// The payload JSON of `payment.received` / `payment.matched` (`{"payment":…}`) and, with a
    /// reason, `payment.unmatched` — the bytes `EventCodec`'s encoder writes (a test holds the two
    /// equal), written directly because the encoder was the largest cost of importing a statement.
    func payloadJSON(reason: String? = nil) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(640)
        func key(_ name: String) { out.append(0x22); out.append(contentsOf: name.utf8); out.append(contentsOf: "\":".utf8) }
        func string(_ value: String) { EnvelopeWriter.appendJSONString(value, to: &out) }
        func money(_ value: Money) {
            out.append(contentsOf: "{\"currency\":".utf8)
            string(value.currency)
            out.append(contentsOf: ",\"kopecks\":".utf8)
            out.append(contentsOf: String(value.kopecks).utf8)
            out.append(0x7D)
        }
        func comma() { out.append(0x2C) }
        out.append(contentsOf: "{\"payment\":{".utf8)
        key("allocations"); out.append(0x5B)
        for (index, allocation) in allocations.enumerated() {
            if index > 0 { comma() }
            out.append(0x7B)
            key("amount"); money(allocation.amount)
            if let dealId = allocation.dealId { comma(); key("dealId"); string(dealId) }
            if let invoiceId = allocation.invoiceId { comma(); key("invoiceId"); string(invoiceId) }
            out.append(0x7D)
        }
        out.append(0x5D)
        comma(); key("amount"); money(amount)
        if let clientId { comma(); key("clientId"); string(clientId) }
        if let clientName { comma(); key("clientName"); string(clientName) }
        if let dealId { comma(); key("dealId"); string(dealId) }
        if let dealTitle { comma(); key("dealTitle"); string(dealTitle) }
        comma(); key("documentDate"); string(documentDate)
        if let managerId { comma(); key("managerId"); string(managerId) }
        if let matchedBy { comma(); key("matchedBy"); string(matchedBy) }
        comma(); key("number"); string(number)
        if let payerAccount { comma(); key("payerAccount"); string(payerAccount) }
        if let payerInn { comma(); key("payerInn"); string(payerInn) }
        comma(); key("payerName"); string(payerName)
        comma(); key("paymentId"); string(paymentId)
        comma(); key("purpose"); string(purpose)
        comma(); key("receivedOn"); string(receivedOn)
        comma(); key("revision"); out.append(contentsOf: String(revision).utf8)
        comma(); key("unallocated"); money(unallocated)
        out.append(0x7D)
        if let reason { comma(); key("reason"); string(reason) }
        out.append(0x7D)
        return Data(out)
    }
}

extension InvoicePaid {
    /// The payload JSON of `invoice.paid`, as `EventCodec` writes it (a test holds the two equal).
    func payloadJSON() -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        func key(_ name: String) { out.append(0x22); out.append(contentsOf: name.utf8); out.append(contentsOf: "\":".utf8) }
        func string(_ value: String) { EnvelopeWriter.appendJSONString(value, to: &out) }
        out.append(0x7B)
        key("amount"); out.append(contentsOf: "{\"currency\":".utf8); string(amount.currency)
        out.append(contentsOf: ",\"kopecks\":\(amount.kopecks)}".utf8)
        if let clientId { out.append(0x2C); key("clientId"); string(clientId) }
        if let dealId { out.append(0x2C); key("dealId"); string(dealId) }
        out.append(0x2C); key("invoiceId"); string(invoiceId)
        if let managerId { out.append(0x2C); key("managerId"); string(managerId) }
        out.append(0x2C); key("number"); string(number)
        out.append(0x2C); key("paidOn"); string(paidOn)
        out.append(0x7D)
        return Data(out)
    }
}
