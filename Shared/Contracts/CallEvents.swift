import Foundation

// Events published by pacer-telephony on the `telephony` stream.

public enum CallDirection: String, Codable, Sendable { case incoming, outgoing, `internal` }

/// A call as the PBX recorded it, matched to a manager and client where possible. Published again
/// (with `revision` + 1) when a later push adds detail, e.g. the recording.
public struct CallRecorded: EventPayload, Hashable {
    public static let eventType: EventType = "call.recorded"
    public var callId: String
    public var revision: Int
    public var direction: CallDirection
    public var from: String
    public var to: String
    public var managerId: String?
    public var clientId: String?
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var durationSeconds: Int
    public var billableSeconds: Int
    public var answered: Bool
    public var recordingURL: String?
    public init(callId: String, revision: Int, direction: CallDirection, from: String, to: String,
                managerId: String?, clientId: String?, startedAt: Date, answeredAt: Date?, endedAt: Date?,
                durationSeconds: Int, billableSeconds: Int, answered: Bool, recordingURL: String?) {
        self.callId = callId; self.revision = revision; self.direction = direction; self.from = from; self.to = to
        self.managerId = managerId; self.clientId = clientId; self.startedAt = startedAt
        self.answeredAt = answeredAt; self.endedAt = endedAt; self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds; self.answered = answered; self.recordingURL = recordingURL
    }
}

/// A touch that is not a call: a meeting, an e-mail, a messenger conversation.
public struct ActivityRecorded: EventPayload, Hashable {
    public static let eventType: EventType = "activity.recorded"
    public var activityId: String
    public var kind: String            // meeting | email | message
    public var managerId: String?
    public var clientId: String?
    public var dealId: String?
    public var at: Date
    public init(activityId: String, kind: String, managerId: String?, clientId: String?, dealId: String?, at: Date) {
        self.activityId = activityId; self.kind = kind; self.managerId = managerId; self.clientId = clientId
        self.dealId = dealId; self.at = at
    }
}
