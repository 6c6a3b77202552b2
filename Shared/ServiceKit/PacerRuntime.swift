import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus

/// What every executable's `run()` calls: resolve settings, set up logging and metrics once for
/// the process, build the application and run it until SIGTERM/SIGINT.
public enum PacerRuntime {
    /// `prepare` runs after the database is open and migrated, before the parts start
    /// (first-start bootstrap, say).
    public static func run(_ definition: ServiceDefinition, options: ServiceOptions,
                           prepare: (PacerApplication) throws -> Void = { _ in }) async throws {
        Allocator.configure()
        let settings: ServiceSettings
        do {
            settings = try ServiceSettings.resolve(options, defaults: definition.defaults)
        } catch {
            FileHandle.standardError.write(Data("pacer-\(definition.defaults.name): \(error)\n".utf8))
            throw ExitCode(64)   // EX_USAGE
        }
        bootstrapLogging(json: settings.jsonLogs, level: settings.logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "pacer-\(settings.service)")
        logger.logLevel = settings.logLevel
        logger[metadataKey: "instance"] = "\(settings.instance)"
        let application = try await buildApplication(definition, settings: settings, registry: registry, logger: logger)
        let tokenFile = URL(fileURLWithPath: settings.databasePath).deletingLastPathComponent()
            .appendingPathComponent("\(settings.instance)-admin.token").path
        if try TokenStore.bootstrapAdmin(database: application.context.database, tokenFile: tokenFile) {
            logger.notice("created user admin; its token is in \(tokenFile)")
        }
        try prepare(application)
        logger.notice("starting", metadata: [
            "database": "\(settings.databasePath)", "http": "\(settings.httpHost):\(settings.httpPort)",
            "publish": "\(settings.busPublish)", "replay": "\(settings.busReplay)", "sources": "\(settings.sources)",
            "allocator": "\(Allocator.description)\(Allocator.backgroundThreads ? ", background threads" : "")",
        ])
        try await application.run()
        logger.notice("stopped")
    }

    public static func bootstrapLogging(json: Bool, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
