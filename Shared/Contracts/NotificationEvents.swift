import Foundation

// Events published by pacer-notifications on the `notifications` stream.

public struct NotificationSent: EventPayload, Hashable {
    public static let eventType: EventType = "notification.sent"
    public var notificationId: String
    public var idempotencyKey: String
    public var channel: String         // chat | telegram | email
    public var recipient: String
    public var attempts: Int
    public init(notificationId: String, idempotencyKey: String, channel: String, recipient: String, attempts: Int) {
        self.notificationId = notificationId; self.idempotencyKey = idempotencyKey; self.channel = channel
        self.recipient = recipient; self.attempts = attempts
    }
}

public struct NotificationFailed: EventPayload, Hashable {
    public static let eventType: EventType = "notification.failed"
    public var notificationId: String
    public var idempotencyKey: String
    public var channel: String
    public var recipient: String
    public var attempts: Int
    public var lastError: String
    public init(notificationId: String, idempotencyKey: String, channel: String, recipient: String, attempts: Int, lastError: String) {
        self.notificationId = notificationId; self.idempotencyKey = idempotencyKey; self.channel = channel
        self.recipient = recipient; self.attempts = attempts; self.lastError = lastError
    }
}
