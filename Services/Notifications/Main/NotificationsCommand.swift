import ArgumentParser
import Notifications
import ServiceKit

@main
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-notifications",
        abstract: "Pacer's notifications: alerts and digests to chat, Telegram and e-mail, delivered exactly once per cause.",
        subcommands: [Serve.self, UsersCommand<Descriptor>.self, TokensCommand<Descriptor>.self],
        defaultSubcommand: Serve.self)
}

enum Descriptor: ServiceDescriptor {
    static var definition: ServiceDefinition { NotificationsService.definition() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default). See README for the channel settings.")
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await PacerRuntime.run(NotificationsService.definition(try NotificationsConfiguration.fromEnvironment()), options: options)
    }
}
