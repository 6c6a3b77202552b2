import Contracts
import Foundation
import ServiceKit

/// Settings of pacer-kpi beyond the common ones, from the environment:
/// - `PACER_KPI_CHECK_INTERVAL`: seconds between pace checks (default 10).
/// - `PACER_FORGOTTEN_DAYS`: a client untouched this long is forgotten (default 30).
/// - `PACER_STUCK_DAYS`: an open deal this long in one stage is stuck (default 14).
/// - `PACER_DEALS_URL`: where pacer-deals answers, for approvals decided on the dashboard
///   (default `http://127.0.0.1:8081`).
/// - `PACER_COOKIE_SECURE`: `1` marks the dashboard's session cookie Secure — set it when a TLS
///   proxy is in front (default off, so plain http on loopback works).
/// The holiday calendar is edited through `PUT /calendar`.
public struct KPIConfiguration: Sendable {
    public var checkInterval: Duration = .seconds(10)
    public var forgottenDays = 30
    public var stuckDays = 14
    public var dealsURL = "http://127.0.0.1:8081"
    public var secureCookies = false

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KPIConfiguration {
        var configuration = KPIConfiguration()
        func positive(_ key: String) throws -> Int? {
            guard let text = environment[key] else { return nil }
            guard let value = Int(text), value > 0 else { throw ServiceSettings.Invalid(setting: key, message: "must be a positive number") }
            return value
        }
        if let seconds = try positive("PACER_KPI_CHECK_INTERVAL") { configuration.checkInterval = .seconds(seconds) }
        if let days = try positive("PACER_FORGOTTEN_DAYS") { configuration.forgottenDays = days }
        if let days = try positive("PACER_STUCK_DAYS") { configuration.stuckDays = days }
        if let url = environment["PACER_DEALS_URL"] {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ServiceSettings.Invalid(setting: "PACER_DEALS_URL", message: "must be an http:// or https:// URL")
            }
            configuration.dealsURL = url
        }
        configuration.secureCookies = environment["PACER_COOKIE_SECURE"] == "1"
        return configuration
    }
}

/// `pacer-kpi`: the read side — plans against facts from the events of deals, telephony and
/// accounting. Publishes `kpi` (plan.pace_changed, kpi.changed).
public enum KPIService {
    public static func definition(_ configuration: KPIConfiguration = KPIConfiguration()) -> ServiceDefinition {
        definition(configuration, decider: DealsHTTPDecider(baseURL: configuration.dealsURL))
    }

    static func definition(_ configuration: KPIConfiguration, decider: any ApprovalDecider) -> ServiceDefinition {
        ServiceDefinition(
            defaults: .kpi,
            publishes: [StreamName.kpi],
            migrations: KPISchema.migrations,
            routes: { router, context in
                router.add(middleware: ReadSideMiddleware())
                PlanRoutes(context: context).register(on: router)
                ReportRoutes(context: context, configuration: configuration).register(on: router)
                MotivationRoutes(context: context).register(on: router)
                DashboardRoutes(context: context, configuration: configuration, decider: decider).register(on: router)
            },
            handler: { context in Projection(zone: context.settings.timeZone) },
            services: { context in [PaceWatcher(context: context, interval: configuration.checkInterval)] }
        )
    }
}
