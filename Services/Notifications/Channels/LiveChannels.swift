import AsyncHTTPClient
import Foundation

/// The real channels for the current settings: HTTP through AsyncHTTPClient's shared client
/// (pooled keep-alive connections), e-mail through `SMTPClient`.
enum LiveChannels {
    static func make(_ settings: ChannelSettings) -> [ChannelKind: any NotificationChannel] {
        var channels: [ChannelKind: any NotificationChannel] = [:]
        if let url = settings.chatWebhookURL { channels[.chat] = ChatWebhookChannel(client: .shared, url: url) }
        if let token = settings.telegramToken { channels[.telegram] = TelegramChannel(client: .shared, api: settings.telegramAPI, token: token) }
        if let host = settings.smtpHost, let from = settings.smtpFrom {
            channels[.email] = EmailChannel(client: SMTPClient(host: host, port: settings.smtpPort, user: settings.smtpUser,
                                                               password: settings.smtpPassword, from: from, startTLS: settings.smtpStartTLS))
        }
        return channels
    }
}
