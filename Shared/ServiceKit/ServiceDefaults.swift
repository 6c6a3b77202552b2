/// Each service's built-in defaults, so that `make run` needs no configuration: ports on loopback
/// and which publishers it listens to.
///
/// | service        | HTTP | PUB  | REPLAY | consumes                                  |
/// |----------------|------|------|--------|-------------------------------------------|
/// | deals          | 8081 | 5551 | 5561   | —                                         |
/// | telephony      | 8082 | 5552 | 5562   | deals                                     |
/// | accounting     | 8083 | 5553 | 5563   | deals                                     |
/// | kpi            | 8084 | 5554 | 5564   | deals, telephony, accounting              |
/// | notifications  | 8085 | 5555 | 5565   | deals, telephony, accounting, kpi         |
public struct ServiceDefaults: Sendable, Equatable {
    public var name: String
    public var httpPort: Int
    public var publishPort: Int
    public var replayPort: Int
    /// Streams this service consumes; each is also the name of the service that publishes it.
    public var consumes: [String]

    public init(name: String, httpPort: Int, publishPort: Int, replayPort: Int, consumes: [String]) {
        self.name = name; self.httpPort = httpPort; self.publishPort = publishPort
        self.replayPort = replayPort; self.consumes = consumes
    }

    public static let deals = ServiceDefaults(name: "deals", httpPort: 8081, publishPort: 5551, replayPort: 5561, consumes: [])
    public static let telephony = ServiceDefaults(name: "telephony", httpPort: 8082, publishPort: 5552, replayPort: 5562, consumes: ["deals"])
    public static let accounting = ServiceDefaults(name: "accounting", httpPort: 8083, publishPort: 5553, replayPort: 5563, consumes: ["deals"])
    public static let kpi = ServiceDefaults(name: "kpi", httpPort: 8084, publishPort: 5554, replayPort: 5564, consumes: ["deals", "telephony", "accounting"])
    public static let notifications = ServiceDefaults(name: "notifications", httpPort: 8085, publishPort: 5555, replayPort: 5565,
                                                      consumes: ["deals", "telephony", "accounting", "kpi"])

    public static let all: [ServiceDefaults] = [.deals, .telephony, .accounting, .kpi, .notifications]

    public static func named(_ name: String) -> ServiceDefaults? { all.first { $0.name == name } }
}
