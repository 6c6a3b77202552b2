import Contracts
import Foundation
import GRDB
import Hummingbird
import Messaging
import Prometheus
import Storage

/// `GET /health`, `GET /metrics` (both open, for probes and scrapers) and `GET /bus/dead-letters`
/// (admins and heads), on every service.
///
/// `/health` answers 200 only when the database answers and the bus sockets are bound (and the
/// subscriber, if any, is running); 503 otherwise. Stopped streams (alarms) and dead letters are
/// listed, so an operator sees them without reading logs.
struct HealthRoutes: Sendable {
    let context: ServiceContext
    let relay: OutboxRelay
    let replay: ReplayServer
    let subscriber: StreamSubscriber?
    let registry: PrometheusCollectorRegistry

    struct Health: Encodable {
        struct Bus: Encodable {
            var publish: String?
            var replay: String?
            var outboxPending: Int?
        }
        struct Stream: Encodable {
            var publisher: String
            var stream: String
            var applied: Int64
            var head: Int64
            var lag: Int64
        }
        var status: String
        var service: String
        var instance: String
        var database: String
        var bus: Bus
        var consuming: [Stream]
        var alarms: [String]
        var deadLetters: Int
    }

    func register(on router: Router<PacerRequestContext>) {
        router.get("/health") { _, _ in try await health() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/bus/dead-letters") { _, ctx in
            // Dead letters carry business data: operators with a head or admin token only.
            try ctx.require(.admin, .head)
            let letters = try await context.database.read { try InboxStore.deadLetters($0) }
            return try jsonResponse(letters.map { letter in
                ["id": "\(letter.id)", "publisher": letter.publisher ?? "", "stream": letter.stream ?? "",
                 "seq": letter.seq.map(String.init) ?? "", "eventId": letter.eventId ?? "", "type": letter.type ?? "",
                 "reason": letter.reason, "body": letter.body.map { String(decoding: $0, as: UTF8.self) } ?? ""]
            }, status: .ok)
        }
    }

    func health() async throws -> Response {
        var databaseState = "ok"
        var deadLetters = 0
        do {
            deadLetters = try await context.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bus_dead_letter") ?? 0 }
        } catch {
            databaseState = "\(error)"
        }
        let status = subscriber?.status
        let busReady = relay.boundEndpoint.current != nil && replay.boundEndpoint.current != nil
        let ready = databaseState == "ok" && busReady && (status?.ready ?? true)
        let body = Health(
            status: ready ? "ready" : "unavailable",
            service: context.settings.service,
            instance: context.settings.instance,
            database: databaseState,
            bus: .init(publish: relay.boundEndpoint.current, replay: replay.boundEndpoint.current),
            consuming: (status?.streams ?? []).map { .init(publisher: $0.publisher, stream: $0.stream, applied: $0.applied, head: $0.head, lag: $0.lag) },
            alarms: status?.alarms ?? [],
            deadLetters: deadLetters)
        return try jsonResponse(body, status: ready ? .ok : .serviceUnavailable)
    }
}

/// A JSON response with sorted keys and instants in whole seconds; a value that writes its own
/// JSON (`JSONWritable`) writes the same bytes without the encoder.
public func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    if let writable = value as? any JSONWritable {
        var json = JSONWriter(instants: .seconds)
        writable.writeJSON(&json)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}
