import Accounting
import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Storage

@main
struct AccountingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-accounting",
        abstract: "Pacer's accounting service: payments from 1C matched to invoices and deals, and receivables.",
        subcommands: [Serve.self, Import1C.self, UsersCommand<Descriptor>.self, TokensCommand<Descriptor>.self],
        defaultSubcommand: Serve.self)
}

enum Descriptor: ServiceDescriptor {
    static var definition: ServiceDefinition { AccountingService.definition() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default). See README for PACER_COMPANY_ACCOUNTS.")
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await PacerRuntime.run(AccountingService.definition(try AccountingConfiguration.fromEnvironment()), options: options)
    }
}

struct Import1C: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-1c",
        abstract: "Import a 1CClientBankExchange statement (kl_to_1c.txt) into the service's database.",
        discussion: """
            The encoding (Windows-1251, DOS cp866 or UTF-8) is read from the bytes. Exit code 0 when every document \
            imported, 2 when some were rejected (listed with their line numbers and kept for review), 1 on failure.
            """)
    @OptionGroup var options: ServiceOptions
    @Argument(help: "The statement file.") var file: String

    func run() async throws {
        let settings = try ServiceSettings.resolve(options, defaults: .accounting)
        let configuration = try AccountingConfiguration.fromEnvironment()
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let database = try Descriptor.openDatabase(options)
        let outbox = OutboxStore(source: EventSource(service: settings.service, instance: settings.instance))
        let bar = ProgressBar()
        let (summary, rejected) = try await AccountingService.importStatement(
            path: file, database: database, outbox: outbox, databasePath: settings.databasePath, configuration: configuration) { read, size in
            bar.show(read: read, of: size)
        }
        bar.done()
        print(summary)
        if rejected > 0 { throw ExitCode(2) }
    }
}
