import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Storage
import Telephony

@main
struct TelephonyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-telephony",
        abstract: "Pacer's telephony service: calls from the PBX, matched to managers, clients and deals.",
        subcommands: [Serve.self, ImportCDR.self, UsersCommand<Descriptor>.self, TokensCommand<Descriptor>.self],
        defaultSubcommand: Serve.self)
}

enum Descriptor: ServiceDescriptor {
    static var definition: ServiceDefinition { TelephonyService.definition() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default). See README for PACER_CDR_TIME_ZONE and PACER_ZADARMA_SECRET.")
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await PacerRuntime.run(TelephonyService.definition(try TelephonyConfiguration.fromEnvironment()), options: options)
    }
}

struct ImportCDR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-cdr",
        abstract: "Import an Asterisk Master.csv (cdr_csv, cdr_custom or a FreePBX export) into the service's database.",
        discussion: "Exit code 0 when every row imported, 2 when some rows were rejected (they are listed with their line numbers and kept for review), 1 on failure.")
    @OptionGroup var options: ServiceOptions
    // Not `--time-zone`: that is the company zone every service command takes.
    @Option(name: .customLong("cdr-time-zone"), help: "Zone of the file's times (default: PACER_CDR_TIME_ZONE or UTC).") var cdrTimeZone: String?
    @Argument(help: "The CDR file.") var file: String

    func run() async throws {
        let settings = try ServiceSettings.resolve(options, defaults: .telephony)
        var zone = try TelephonyConfiguration.fromEnvironment().cdrTimeZone
        if let cdrTimeZone {
            guard let parsed = TimeZone(identifier: cdrTimeZone) else { throw ValidationError("unknown time zone \(cdrTimeZone)") }
            zone = parsed
        }
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let database = try Descriptor.openDatabase(options)
        let outbox = OutboxStore(source: EventSource(service: settings.service, instance: settings.instance))
        let bar = ProgressBar()
        let (summary, rejected) = try await TelephonyService.importCDR(path: file, database: database, outbox: outbox, timeZone: zone) { read, size in
            bar.show(read: read, of: size)
        }
        bar.done()
        print(summary)
        if rejected > 0 { throw ExitCode(2) }
    }
}
