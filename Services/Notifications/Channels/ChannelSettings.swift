import Foundation

/// How to reach the channels. Stored by `PUT /channels`; until then read from the environment:
/// - `PACER_CHAT_WEBHOOK_URL`: the department chat's incoming webhook (Slack, Mattermost, Rocket.Chat).
/// - `PACER_TELEGRAM_TOKEN`, `PACER_TELEGRAM_API` (default `https://api.telegram.org`).
/// - `PACER_SMTP_HOST`, `PACER_SMTP_PORT` (default 587), `PACER_SMTP_USER`, `PACER_SMTP_PASSWORD`,
///   `PACER_SMTP_FROM`, `PACER_SMTP_STARTTLS` (`true` by default: the session is upgraded before
///   authenticating; `false` only for a relay on the same host).
public struct ChannelSettings: Codable, Sendable, Equatable {
    public var chatWebhookURL: String?
    public var telegramToken: String?
    public var telegramAPI = "https://api.telegram.org"
    public var smtpHost: String?
    public var smtpPort = 587
    public var smtpUser: String?
    public var smtpPassword: String?
    public var smtpFrom: String?
    public var smtpStartTLS = true

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ChannelSettings {
        var settings = ChannelSettings()
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        settings.chatWebhookURL = value("PACER_CHAT_WEBHOOK_URL")
        settings.telegramToken = value("PACER_TELEGRAM_TOKEN")
        if let api = value("PACER_TELEGRAM_API") { settings.telegramAPI = api }
        settings.smtpHost = value("PACER_SMTP_HOST")
        if let port = value("PACER_SMTP_PORT").flatMap(Int.init) { settings.smtpPort = port }
        settings.smtpUser = value("PACER_SMTP_USER")
        settings.smtpPassword = value("PACER_SMTP_PASSWORD")
        settings.smtpFrom = value("PACER_SMTP_FROM")
        if let tls = value("PACER_SMTP_STARTTLS") { settings.smtpStartTLS = tls != "false" && tls != "0" }
        return settings
    }

    public func available(_ channel: ChannelKind) -> Bool {
        switch channel {
        case .chat: chatWebhookURL != nil
        case .telegram: telegramToken != nil
        case .email: smtpHost != nil && smtpFrom != nil
        }
    }

    /// The same with secrets replaced, for `GET /channels`.
    public var masked: ChannelSettings {
        var copy = self
        if copy.telegramToken != nil { copy.telegramToken = "***" }
        if copy.smtpPassword != nil { copy.smtpPassword = "***" }
        return copy
    }
}
