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
        let definition = AccountingService.definition(configuration)
        let database = try PacerDatabase.open(path: settings.databasePath) { migrator in
            TokenStore.migrations(&migrator)
            definition.migrations(&migrator)
        }
        let outbox = OutboxStore(source: EventSource(service: settings.service, instance: settings.instance))
        let bar = ProgressBar(interactive: isatty(2) != 0)
        let (summary, rejected) = try await AccountingService.importStatement(
            path: file, database: database, outbox: outbox, databasePath: settings.databasePath, configuration: configuration) { read, size in
            bar.show(read: read, of: size)
        }
        bar.done()
        print(summary)
        if rejected > 0 { throw ExitCode(2) }
    }
}

/// A progress bar on stderr: redrawn in place on a terminal, one line per step otherwise.
final class ProgressBar: @unchecked Sendable {
    private let interactive: Bool
    private let lock = NSLock()
    private var lastPercent = -1

    init(interactive: Bool) { self.interactive = interactive }

    func show(read: Int, of size: Int) {
        guard size > 0 else { return }
        let percent = read * 100 / size
        lock.lock()
        defer { lock.unlock() }
        guard percent != lastPercent else { return }
        lastPercent = percent
        let bar = String(repeating: "█", count: percent / 4) + String(repeating: "·", count: 25 - percent / 4)
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + "\(bar) \(percent)%" + (interactive ? "" : "\n")).utf8))
    }

    func done() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
