import AsyncHTTPClient
import Foundation

/// The real channels for the current settings: HTTP through one process-wide AsyncHTTPClient
/// (pooled keep-alive connections), e-mail through `SMTPClient`.
enum LiveChannels {
    /// The delivery worker serves up to 64 addresses at once, and most of them are one host (the
    /// chat's webhook, Telegram's API); the default pool of 8 connections per host made the other
    /// 56 wait their turn.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    static func make(_ settings: ChannelSettings) -> [ChannelKind: any NotificationChannel] {
        var channels: [ChannelKind: any NotificationChannel] = [:]
        if let url = settings.chatWebhookURL { channels[.chat] = ChatWebhookChannel(client: client, url: url) }
        if let token = settings.telegramToken { channels[.telegram] = TelegramChannel(client: client, api: settings.telegramAPI, token: token) }
        if let host = settings.smtpHost, let from = settings.smtpFrom {
            channels[.email] = EmailChannel(client: SMTPClient(host: host, port: settings.smtpPort, user: settings.smtpUser,
                                                               password: settings.smtpPassword, from: from, startTLS: settings.smtpStartTLS))
        }
        return channels
    }
}
