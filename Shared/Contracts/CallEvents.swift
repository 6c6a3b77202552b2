import Foundation

// Events published by pacer-telephony on the `telephony` stream.

public enum CallDirection: String, Codable, Sendable { case incoming, outgoing, `internal` }

/// A call as the PBX recorded it, matched to a manager, client and the client's open deal where
/// possible.
public struct CallState: Codable, Hashable, Sendable {
    public var callId: String
    /// 1 when first recorded, +1 each time a later push or a rematch changes it.
    public var revision: Int
    public var direction: CallDirection
    public var from: String
    public var to: String
    /// The manager's extension on the PBX, when the call went through one.
    public var extension_: String?
    public var managerId: String?
    public var clientId: String?
    public var dealId: String?
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var durationSeconds: Int
    public var billableSeconds: Int
    public var answered: Bool
    /// As the PBX said it: ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, cancel, …
    public var disposition: String
    public var recordingURL: String?
    /// Where it came from: api, cdr, zadarma.
    public var source: String

    enum CodingKeys: String, CodingKey {
        case callId, revision, direction, from, to, extension_ = "extension", managerId, clientId, dealId, startedAt, answeredAt,
             endedAt, durationSeconds, billableSeconds, answered, disposition, recordingURL, source
    }

    public init(callId: String, revision: Int, direction: CallDirection, from: String, to: String, extension_: String?,
                managerId: String?, clientId: String?, dealId: String?, startedAt: Date, answeredAt: Date?, endedAt: Date?,
                durationSeconds: Int, billableSeconds: Int, answered: Bool, disposition: String, recordingURL: String?, source: String) {
        self.callId = callId; self.revision = revision; self.direction = direction; self.from = from; self.to = to
        self.extension_ = extension_; self.managerId = managerId; self.clientId = clientId; self.dealId = dealId
        self.startedAt = startedAt; self.answeredAt = answeredAt; self.endedAt = endedAt; self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds; self.answered = answered; self.disposition = disposition
        self.recordingURL = recordingURL; self.source = source
    }
}

public struct CallRecorded: EventPayload, Hashable {
    public static let eventType: EventType = "call.recorded"
    public var call: CallState
    public init(call: CallState) { self.call = call }
}

/// A recorded call changed: a later push added detail (the recording, the end), or the call was
/// matched to a manager or client that appeared after it.
public struct CallUpdated: EventPayload, Hashable {
    public static let eventType: EventType = "call.updated"
    public var call: CallState
    public var changedFields: [String]
    public init(call: CallState, changedFields: [String]) { self.call = call; self.changedFields = changedFields }
}

/// A touch that is not a call: a meeting, a proposal (КП) sent, an e-mail.
public struct ActivityRecorded: EventPayload, Hashable {
    public static let eventType: EventType = "activity.recorded"
    public var activityId: String
    public var kind: String            // meeting | proposal | email | message
    public var managerId: String?
    public var clientId: String?
    public var dealId: String?
    public var at: Date
    public var note: String?
    public init(activityId: String, kind: String, managerId: String?, clientId: String?, dealId: String?, at: Date, note: String?) {
        self.activityId = activityId; self.kind = kind; self.managerId = managerId; self.clientId = clientId
        self.dealId = dealId; self.at = at; self.note = note
    }
}
