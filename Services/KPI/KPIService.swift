import Contracts
import Foundation
import ServiceKit

/// Settings of pacer-kpi beyond the common ones, from the environment:
/// - `PACER_KPI_CHECK_INTERVAL`: seconds between pace checks (default 10).
/// - `PACER_FORGOTTEN_DAYS`: a client untouched this long is forgotten (default 30).
/// - `PACER_STUCK_DAYS`: an open deal this long in one stage is stuck (default 14).
/// The holiday calendar is edited through `PUT /calendar`.
public struct KPIConfiguration: Sendable {
    public var checkInterval: Duration = .seconds(10)
    public var forgottenDays = 30
    public var stuckDays = 14

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
        return configuration
    }
}

/// `pacer-kpi`: the read side — plans against facts from the events of deals, telephony and
/// accounting. Publishes `kpi` (plan.pace_changed, kpi.changed).
public enum KPIService {
    public static func definition(_ configuration: KPIConfiguration = KPIConfiguration()) -> ServiceDefinition {
        ServiceDefinition(
            defaults: .kpi,
            publishes: [StreamName.kpi],
            migrations: KPISchema.migrations,
            routes: { router, context in
                PlanRoutes(context: context).register(on: router)
                ReportRoutes(context: context, configuration: configuration).register(on: router)
                MotivationRoutes(context: context).register(on: router)
            },
            handler: { context in Projection(zone: context.settings.timeZone) },
            services: { context in [PaceWatcher(context: context, interval: configuration.checkInterval)] }
        )
    }
}
