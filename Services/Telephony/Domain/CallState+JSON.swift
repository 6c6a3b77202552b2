import Contracts
import Foundation

extension CallState {
    /// The payload JSON of `call.recorded` / `call.updated`, written directly with the bytes
    /// `EventCodec`'s encoder would produce (a test holds the two equal): the encoder was the
    /// largest single cost of importing a call.
    func payloadJSON(changedFields: [String]? = nil) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(512)
        func key(_ name: String) { out.append(0x22); out.append(contentsOf: name.utf8); out.append(contentsOf: "\":".utf8) }
        func string(_ value: String) { EnvelopeWriter.appendJSONString(value, to: &out) }
        func comma() { out.append(0x2C) }
        out.append(contentsOf: "{\"call\":{".utf8)
        key("answered"); out.append(contentsOf: (answered ? "true" : "false").utf8)
        if let answeredAt { comma(); key("answeredAt"); string(Timestamp.format(answeredAt)) }
        comma(); key("billableSeconds"); out.append(contentsOf: String(billableSeconds).utf8)
        comma(); key("callId"); string(callId)
        if let clientId { comma(); key("clientId"); string(clientId) }
        if let dealId { comma(); key("dealId"); string(dealId) }
        comma(); key("direction"); string(direction.rawValue)
        comma(); key("disposition"); string(disposition)
        comma(); key("durationSeconds"); out.append(contentsOf: String(durationSeconds).utf8)
        if let endedAt { comma(); key("endedAt"); string(Timestamp.format(endedAt)) }
        if let extension_ { comma(); key("extension"); string(extension_) }
        comma(); key("from"); string(from)
        if let managerId { comma(); key("managerId"); string(managerId) }
        if let recordingURL { comma(); key("recordingURL"); string(recordingURL) }
        comma(); key("revision"); out.append(contentsOf: String(revision).utf8)
        comma(); key("source"); string(source)
        comma(); key("startedAt"); string(Timestamp.format(startedAt))
        comma(); key("to"); string(to)
        out.append(0x7D)
        if let changedFields {
            out.append(contentsOf: ",\"changedFields\":[".utf8)
            for (index, field) in changedFields.enumerated() {
                if index > 0 { comma() }
                string(field)
            }
            out.append(0x5D)
        }
        out.append(0x7D)
        return Data(out)
    }
}
