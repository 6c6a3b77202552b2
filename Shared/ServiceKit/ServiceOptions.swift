import ArgumentParser

/// The options every Pacer executable takes. Each one can also come from the environment
/// (`PACER_` + the option's name in upper snake case, e.g. `PACER_HTTP_PORT`) or from the config
/// file (`http-port = 8081`); a flag beats the environment, which beats the file, which beats the
/// built-in default (see `ServiceSettings`).
public struct ServiceOptions: ParsableArguments, Sendable {
    @Option(help: "Config file of `key = value` lines, keys named like these options. Env: PACER_CONFIG.")
    public var config: String?

    @Option(help: "Folder for the SQLite database. Default: ./data. Env: PACER_DATA_DIR.")
    public var dataDir: String?

    @Option(help: "SQLite database file. Default: <data-dir>/<service>.sqlite. Env: PACER_DATABASE.")
    public var database: String?

    @Option(help: "HTTP listen address. Default: 127.0.0.1. Env: PACER_HTTP_HOST.")
    public var httpHost: String?

    @Option(help: "HTTP port (0 picks a free one). Default: per service, 8081–8085. Env: PACER_HTTP_PORT.")
    public var httpPort: Int?

    @Option(help: "ZeroMQ endpoint the event PUB socket binds. Default: tcp://127.0.0.1:555x. Env: PACER_BUS_PUBLISH.")
    public var busPublish: String?

    @Option(help: "ZeroMQ endpoint the replay ROUTER socket binds. Default: tcp://127.0.0.1:556x. Env: PACER_BUS_REPLAY.")
    public var busReplay: String?

    @Option(help: """
        A publisher to consume, as `<pub endpoint>,<replay endpoint>`; repeat for several (two instances of one \
        service are two sources). Default: the default endpoints of the services this one consumes. \
        Env: PACER_BUS_SOURCE (sources separated by `;`).
        """)
    public var busSource: [String] = []

    @Option(help: "This instance's publisher id, unique on the bus. Default: the service name. Env: PACER_INSTANCE.")
    public var instance: String?

    @Option(help: "Company time zone for periods and schedules. Default: Europe/Moscow. Env: PACER_TIME_ZONE.")
    public var timeZone: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. Default: info. Env: PACER_LOG_LEVEL.")
    public var logLevel: String?

    @Option(help: "text or json (one JSON object per line, for log collectors). Default: text. Env: PACER_LOG_FORMAT.")
    public var logFormat: String?

    @Option(help: """
        File holding this service's CURVE secret key (Z85, 40 characters; `pacer-bus keygen`). When set, the bus \
        sockets are encrypted and sources are given with the publisher's public key as a third item. Keys are \
        read from files, never from the command line. Env: PACER_BUS_SECRET_KEY_FILE.
        """)
    public var busSecretKeyFile: String?

    @Option(help: """
        File of the CURVE public keys (one per line) allowed to subscribe to this service and ask it for replays; \
        others are refused at the handshake. Needs --bus-secret-key-file. Env: PACER_BUS_ALLOWED_KEYS_FILE.
        """)
    public var busAllowedKeysFile: String?

    @Option(help: "Days the outbox keeps published events for replay. Default: 7. Env: PACER_OUTBOX_RETENTION_DAYS.")
    public var outboxRetentionDays: Int?

    @Option(help: """
        Messages a bus socket queues per peer before dropping (PUB) or refusing (SUB); what is dropped is         healed by replay. Default: 1000000. Env: PACER_BUS_HIGH_WATER_MARK (tests set it low to force overflow).
        """)
    public var busHighWaterMark: Int?

    public init() {}
}
