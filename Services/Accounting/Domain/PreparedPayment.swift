import Contracts
import Foundation

/// A bank document decided on — its direction, its match, the invoices that match paid and the
/// payloads of its events, in order — and not yet written. An import prepares its documents on
/// its reading thread (`ImportPreparer`), so that its writer only writes rows.
struct PreparedPayment: Sendable {
    struct Event: Sendable {
        var type: EventType
        var schemaVersion: Int
        var payload: Data
    }

    let draft: PaymentDraft
    let direction: PaymentDirection
    /// The day the money counts on: `ДатаПоступило`, else the document's date.
    let receivedOn: String
    /// Incoming documents only.
    let match: Match?
    let events: [Event]
}
