import Contracts
import Foundation
import ServiceKit

/// Settings of pacer-notifications beyond the common ones, from the environment:
/// - `PACER_NOTIFY_LOCALE`: `ru` (default) or `en`.
/// - `PACER_QUIET_HOURS`: `21-9` (default): non-urgent messages wait until the end; `off` disables.
/// - `PACER_MAX_ATTEMPTS`: tries before a message lands in the failed list (default 8).
/// - `PACER_RETRY_BASE_MS`: the first retry delay, doubled each time up to 10 minutes (default 5000).
/// - `PACER_DASHBOARD_URL`: links in messages (default `http://127.0.0.1:8084`).
/// - `PACER_IN_DOUBT`: per channel, `resend` (default) or `hold` a message left in doubt by a stop,
///   e.g. `chat=hold,telegram=hold` (see `InDoubtPolicy`).
/// - the channels: see `ChannelSettings`.
public struct NotificationsConfiguration: Sendable {
    public var locale = "ru"
    public var zone = TimeZone(identifier: "Europe/Moscow")!
    public var quietStart = 21
    public var quietEnd = 9
    public var quietEnabled = true
    public var maxAttempts = 8
    public var retryBase: Duration = .seconds(5)
    public var dashboardURL = "http://127.0.0.1:8084"
    public var channels = ChannelSettings()
    public var workerInterval: Duration = .milliseconds(200)
    public var digestInterval: Duration = .seconds(20)
    /// What to do, per channel, with a message left "in doubt" — the service stopped between
    /// handing it to the channel and recording the answer (`PACER_IN_DOUBT`, e.g. `chat=hold`;
    /// every channel `resend` by default).
    public var inDoubt: [ChannelKind: InDoubtPolicy] = [:]

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NotificationsConfiguration {
        var configuration = NotificationsConfiguration()
        configuration.channels = ChannelSettings.fromEnvironment(environment)
        if let locale = environment["PACER_NOTIFY_LOCALE"] {
            guard Templates.locales.contains(locale) else { throw ServiceSettings.Invalid(setting: "PACER_NOTIFY_LOCALE", message: "must be ru or en") }
            configuration.locale = locale
        }
        if let quiet = environment["PACER_QUIET_HOURS"] {
            if quiet == "off" { configuration.quietEnabled = false } else {
                let parts = quiet.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2, parts.allSatisfy({ (0...23).contains($0) }) else {
                    throw ServiceSettings.Invalid(setting: "PACER_QUIET_HOURS", message: "must be like 21-9, or off")
                }
                configuration.quietStart = parts[0]; configuration.quietEnd = parts[1]
            }
        }
        if let text = environment["PACER_MAX_ATTEMPTS"] {
            guard let value = Int(text), value > 0 else { throw ServiceSettings.Invalid(setting: "PACER_MAX_ATTEMPTS", message: "must be a positive number") }
            configuration.maxAttempts = value
        }
        if let text = environment["PACER_RETRY_BASE_MS"] {
            guard let value = Int(text), value > 0 else { throw ServiceSettings.Invalid(setting: "PACER_RETRY_BASE_MS", message: "must be a positive number") }
            configuration.retryBase = .milliseconds(value)
        }
        if let url = environment["PACER_DASHBOARD_URL"] { configuration.dashboardURL = url }
        if let text = environment["PACER_IN_DOUBT"], !text.isEmpty {
            for item in text.split(separator: ",") {
                let parts = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let channel = ChannelKind(rawValue: parts[0]), let policy = InDoubtPolicy(rawValue: parts[1]) else {
                    throw ServiceSettings.Invalid(setting: "PACER_IN_DOUBT", message: "must be like chat=hold,telegram=resend (channels chat, telegram, email; resend or hold)")
                }
                configuration.inDoubt[channel] = policy
            }
        }
        return configuration
    }

    /// `date`, or the end of the quiet hours it falls in.
    func afterQuietHours(_ date: Date) -> Date {
        guard quietEnabled, quietStart != quietEnd else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let hour = calendar.component(.hour, from: date)
        let quiet = quietStart > quietEnd ? (hour >= quietStart || hour < quietEnd) : (hour >= quietStart && hour < quietEnd)
        guard quiet else { return date }
        var morning = calendar.date(bySettingHour: quietEnd, minute: 0, second: 0, of: date)!
        if morning <= date { morning = calendar.date(byAdding: .day, value: 1, to: morning)! }
        return morning
    }
}

/// `pacer-notifications`: tells people what they must act on — chat, Telegram, e-mail — each
/// message stored first, retried while a channel fails, never sent twice for one cause.
/// Publishes `notifications`; consumes deals, telephony, accounting and kpi.
public enum NotificationsService {
    public static func definition(_ configuration: NotificationsConfiguration = NotificationsConfiguration(),
                                  channels: (@Sendable (ChannelSettings) -> [ChannelKind: any NotificationChannel])? = nil) -> ServiceDefinition {
        ServiceDefinition(
            defaults: .notifications,
            publishes: [StreamName.notifications],
            migrations: NotificationsSchema.migrations,
            routes: { router, context in
                NotificationRoutes(context: context, store: NotificationStore(configuration: configuration.zoned(context))).register(on: router)
            },
            handler: { context in NotificationRules(store: NotificationStore(configuration: configuration.zoned(context))).handler() },
            services: { context in
                let zoned = configuration.zoned(context)
                return [
                    DeliveryWorker(context: context, configuration: zoned, makeChannels: channels ?? LiveChannels.make),
                    DigestScheduler(context: context, store: NotificationStore(configuration: zoned)),
                ]
            }
        )
    }
}

extension NotificationsConfiguration {
    /// With the company zone of the service's settings.
    func zoned(_ context: ServiceContext) -> NotificationsConfiguration {
        var copy = self
        copy.zone = context.settings.timeZone
        return copy
    }
}
