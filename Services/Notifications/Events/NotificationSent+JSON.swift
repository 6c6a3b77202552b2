import Contracts
import Foundation

extension NotificationSent {
    /// The payload JSON of `notification.sent`, the bytes `EventCodec`'s encoder writes (a test
    /// holds the two equal), written directly: one is recorded per message delivered.
    func payloadJSON() -> Data {
        var out = [UInt8]()
        out.reserveCapacity(200)
        out.append(contentsOf: "{\"attempts\":\(attempts),\"channel\":".utf8)
        EnvelopeWriter.appendJSONString(channel, to: &out)
        out.append(contentsOf: ",\"idempotencyKey\":".utf8)
        EnvelopeWriter.appendJSONString(idempotencyKey, to: &out)
        out.append(contentsOf: ",\"notificationId\":".utf8)
        EnvelopeWriter.appendJSONString(notificationId, to: &out)
        out.append(contentsOf: ",\"recipient\":".utf8)
        EnvelopeWriter.appendJSONString(recipient, to: &out)
        out.append(0x7D)
        return Data(out)
    }
}
