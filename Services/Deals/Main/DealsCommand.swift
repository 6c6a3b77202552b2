import ArgumentParser
import Deals
import ServiceKit

@main
struct DealsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-deals",
        abstract: "Pacer's pipeline service: deals, clients, managers, tasks, invoices, leads, approvals.",
        subcommands: [Serve.self, UsersCommand<Descriptor>.self, TokensCommand<Descriptor>.self],
        defaultSubcommand: Serve.self)
}

enum Descriptor: ServiceDescriptor {
    static var definition: ServiceDefinition { DealsService.definition() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default).")
    @OptionGroup var options: ServiceOptions
    @Flag(help: "On an empty database, write a small demo department straight into it (for trying this service alone; `make run` loads a realistic month through the APIs with pacer-demo instead).")
    var demo = false

    func run() async throws {
        let demo = self.demo
        try await PacerRuntime.run(DealsService.definition(), options: options) { application in
            if demo, try DealsService.seedDemo(application.context) {
                application.context.logger.notice("seeded the demo department")
            }
        }
    }
}
