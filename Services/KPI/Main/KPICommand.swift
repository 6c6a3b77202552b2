import ArgumentParser
import KPI
import ServiceKit

@main
struct KPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-kpi",
        abstract: "Pacer's KPI service: plans against facts — pace, leaderboard, cards, funnel, diagnostics.",
        subcommands: [Serve.self, UsersCommand<Descriptor>.self, TokensCommand<Descriptor>.self],
        defaultSubcommand: Serve.self)
}

enum Descriptor: ServiceDescriptor {
    static var definition: ServiceDefinition { KPIService.definition() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default).")
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await PacerRuntime.run(KPIService.definition(try KPIConfiguration.fromEnvironment()), options: options)
    }
}
