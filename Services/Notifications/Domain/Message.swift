import Foundation

/// Where a notification goes: a channel and the address on it.
public enum ChannelKind: String, Codable, Sendable, CaseIterable {
    /// A Slack-compatible incoming webhook (Mattermost and Rocket.Chat accept the same JSON).
    case chat
    /// Telegram Bot API `sendMessage` to a chat id.
    case telegram
    /// E-mail over SMTP.
    case email
}

/// One message ready to send.
public struct OutgoingMessage: Sendable, Equatable {
    public var id: String
    public var channel: ChannelKind
    public var address: String
    public var subject: String
    public var text: String
    /// Sent before by a process that stopped before it heard the answer: the receiver may have it.
    public var redelivery = false

    public init(id: String, channel: ChannelKind, address: String, subject: String, text: String, redelivery: Bool = false) {
        self.id = id; self.channel = channel; self.address = address; self.subject = subject; self.text = text; self.redelivery = redelivery
    }
}

/// A message is "in doubt" when the service stopped after handing it to a channel and before
/// recording the answer: the receiver may or may not have it, and nothing outside can tell.
/// - `resend`: deliver it again, marked as a redelivery with the same `Idempotency-Key` (webhooks)
///   or `Message-ID` (e-mail), so a receiver that honours them shows it once — at least once.
/// - `hold`: do not send it again; it waits as `in-doubt` in `GET /notifications` until a head
///   looks and retries it (`POST /notifications/{id}/retry`) — at most once.
public enum InDoubtPolicy: String, Sendable, Codable {
    case resend
    case hold
}

/// Why a send failed, and whether trying again can help.
public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// A refusal that will not change by itself (a 4xx other than 408/429, a bad address).
    public var permanent: Bool
    /// When the other side says how long to wait (Telegram's `retry_after`, `Retry-After`).
    public var retryAfter: Duration?

    public init(_ message: String, permanent: Bool = false, retryAfter: Duration? = nil) {
        self.message = message; self.permanent = permanent; self.retryAfter = retryAfter
    }

    public var description: String { message }
}

/// A way out: the live ones speak HTTP or SMTP; tests use the same ones against local servers.
public protocol NotificationChannel: Sendable {
    func send(_ message: OutgoingMessage) async throws
}
