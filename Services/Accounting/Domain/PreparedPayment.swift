import Contracts
import Foundation
import Storage

/// A bank document decided on — its direction, its match, the invoices that match paid and the
/// payloads of its events, in order — and not yet written. An import prepares its documents on
/// its reading thread (`ImportPreparer`), so that its writer only writes rows.
struct PreparedPayment: Sendable {
    struct Event: Sendable {
        var type: EventType
        var schemaVersion: Int
        var payload: Data
        /// Its envelope, when the import's reading thread wrote it (`ImportPreparer`).
        var envelope: PreparedEnvelope?
    }

    let draft: PaymentDraft
    let direction: PaymentDirection
    /// The day the money counts on: `ДатаПоступило`, else the document's date.
    let receivedOn: String
    /// Incoming documents only.
    let match: Match?
    var events: [Event]
}
