import Contracts
import Crypto
import Foundation
import GRDB
import Hummingbird
import ServiceKit
import Storage

/// The PBX-facing and people-facing HTTP API of pacer-telephony.
struct TelephonyRoutes {
    let context: ServiceContext
    let configuration: TelephonyConfiguration

    struct CallBody: Decodable {
        var callId: String
        var direction: String?
        var from: String
        var to: String
        var `extension`: String?
        var managerId: String?
        var startedAt: String
        var answeredAt: String?
        var endedAt: String?
        var durationSeconds: Int?
        var billableSeconds: Int?
        var status: String?
        var recordingURL: String?
    }

    struct Batch: Decodable { var calls: [CallBody] }

    struct PushReport: Encodable {
        struct Rejected: Encodable { var index: Int; var callId: String?; var field: String?; var reason: String }
        var recorded = 0
        var updated = 0
        var duplicates = 0
        var rejected: [Rejected] = []
    }

    struct ActivityBody: Decodable {
        var activityId: String
        var kind: String
        var managerId: String?
        var clientId: String?
        var clientPhone: String?
        var dealId: String?
        var at: String
        var note: String?
    }

    func store(_ ctx: PacerRequestContext) -> CallStore { CallStore(outbox: context.outbox, correlationId: ctx.id) }

    func register(on router: Router<PacerRequestContext>) {
        router.post("calls") { request, ctx in
            try ctx.require(.telephony, .admin)
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let data = Data(buffer: buffer)
            let decoder = JSONDecoder()
            let bodies: [CallBody]
            let single: Bool
            if let batch = try? decoder.decode(Batch.self, from: data) {
                bodies = batch.calls
                single = false
            } else {
                do { bodies = [try decoder.decode(CallBody.self, from: data)] } catch let error as DecodingError { throw Problem.decoding(error) }
                single = true
            }
            var drafts: [(Int, CallDraft)] = []
            var report = PushReport()
            for (index, body) in bodies.enumerated() {
                do { drafts.append((index, try draft(body))) } catch let problem as Problem {
                    if single { throw problem }
                    report.rejected.append(.init(index: index, callId: body.callId, field: problem.field, reason: problem.detail))
                }
            }
            let store = store(ctx)
            let ready = drafts
            let outcomes = try await context.database.write { db in
                try ready.map { try store.save($0.1, merge: true, db) }
            }
            for outcome in outcomes {
                switch outcome {
                case .recorded: report.recorded += 1
                case .updated: report.updated += 1
                case .duplicate: report.duplicates += 1
                }
            }
            if !report.rejected.isEmpty {
                // The rejected items' own JSON, kept for review: the body is parsed once, outside the write.
                let items = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["calls"] as? [Any] ?? []
                let rejectedRaw = report.rejected.map { rejected in
                    let text = rejected.index < items.count
                        ? (try? JSONSerialization.data(withJSONObject: items[rejected.index])).map { String(decoding: $0, as: UTF8.self) } ?? ""
                        : ""
                    return (rejected.index, rejected.reason, text)
                }
                try await context.database.write { db in
                    for (index, reason, text) in rejectedRaw {
                        try store.reject(source: "api", line: index, reason: reason, raw: text, db)
                    }
                }
            }
            return try jsonResponse(report, status: single && report.recorded == 1 ? .created : .ok)
        }

        router.post("cdr") { request, ctx in
            try ctx.require(.telephony, .admin)
            var zone = configuration.cdrTimeZone
            if let name = request.query("timeZone") {
                guard let parsed = TimeZone(identifier: name) else { throw Problem.invalid("timeZone", "is not a time zone") }
                zone = parsed
            }
            var importer = CDRImporter(database: context.database, store: store(ctx), timeZone: zone)
            var total = 0
            for try await chunk in request.body {
                total += chunk.readableBytes
                guard total <= configuration.maxCDRBytes else { throw Problem(.contentTooLarge, "CDR upload over \(configuration.maxCDRBytes) bytes; use the import command") }
                try await importer.feed(chunk.readableBytesView)
            }
            return try jsonResponse(try await importer.finish())
        }

        router.get("webhooks/zadarma") { request, _ in
            // Zadarma checks a URL by sending `zd_echo` and expecting it back.
            guard let echo = request.query("zd_echo") else { throw Problem.badRequest("zd_echo is required", field: "zd_echo") }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: echo)))
        }
        router.post("webhooks/zadarma") { request, ctx in
            guard let secret = configuration.zadarmaSecret else { throw Problem.unavailable("the Zadarma webhook is not configured (PACER_ZADARMA_SECRET)") }
            let buffer = try await request.body.collect(upTo: 64 << 10)
            let form = FormBody.parse(String(buffer: buffer))
            guard let event = form["event"] else { throw Problem.invalid("event", "is required") }
            let signed: String
            switch event {
            case "NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_END":
                signed = (form["caller_id"] ?? "") + (form["called_did"] ?? "") + (form["call_start"] ?? "")
            case "NOTIFY_OUT_START", "NOTIFY_OUT_END":
                signed = (form["internal"] ?? "") + (form["destination"] ?? "") + (form["call_start"] ?? "")
            default:
                return Response(status: .ok)     // events Pacer does not use (SMS, IVR, …) are acknowledged
            }
            guard let signature = request.headers[.init("Signature")!], signature == Self.zadarmaSignature(signed, secret: secret) else {
                throw Problem(.unauthorized, "Signature does not match", field: "Signature")
            }
            guard event == "NOTIFY_END" || event == "NOTIFY_OUT_END" else { return Response(status: .ok) }
            let draft = try zadarmaDraft(form, outgoing: event == "NOTIFY_OUT_END")
            let store = store(ctx)
            _ = try await context.database.write { try store.save(draft, merge: true, $0) }
            return Response(status: .ok)
        }

        router.post("activities") { request, ctx in
            let user = try ctx.requireUser()
            guard [.telephony, .admin, .head, .manager].contains(user.role) else { throw Problem(.forbidden, "role \(user.role.rawValue) may not record activities") }
            let body = try await request.decodeJSON(ActivityBody.self, context: ctx)
            guard ["meeting", "proposal", "email", "message"].contains(body.kind) else {
                throw Problem.invalid("kind", "must be meeting, proposal, email or message")
            }
            guard let at = Timestamp.parse(body.at) else { throw Problem.invalid("at", "must be an ISO-8601 instant with a zone") }
            var managerId = body.managerId
            if user.role == .manager {
                if let asked = managerId, asked != user.managerId { throw Problem(.forbidden, "a manager records their own activities", field: "managerId") }
                managerId = user.managerId
            }
            let outbox = context.outbox
            let id = ctx.id
            let asManager = managerId
            let created = try await context.database.write { db -> Bool in
                let managerId = asManager
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM activity WHERE activityId = ?", arguments: [body.activityId]) == true { return false }
                var clientId = body.clientId
                if clientId == nil, let phone = body.clientPhone.flatMap(PhoneNumber.e164), let owner = try Directory(db: db).owner(ofPhone: phone), owner.kind == "client" {
                    clientId = owner.id
                }
                let dealId = try body.dealId ?? clientId.flatMap { try Directory(db: db).openDeal(client: $0, manager: managerId) }
                try db.execute(sql: "INSERT INTO activity(activityId, kind, managerId, clientId, dealId, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [body.activityId, body.kind, managerId, clientId, dealId, at.timeIntervalSince1970, body.note])
                try outbox.append(ActivityRecorded(activityId: body.activityId, kind: body.kind, managerId: managerId, clientId: clientId,
                                                   dealId: dealId, at: at, note: body.note),
                                  stream: StreamName.telephony, occurredAt: at, correlationId: id, in: db)
                return true
            }
            return try jsonResponse(["activityId": body.activityId, "result": created ? "recorded" : "duplicate"], status: created ? .created : .ok)
        }

        router.get("calls") { request, ctx in
            let user = try ctx.requireUser()
            guard [.admin, .head, .manager].contains(user.role) else { throw Problem(.forbidden, "role \(user.role.rawValue) may not read calls") }
            var sql: SQL = "SELECT * FROM call WHERE 1"
            if user.role == .manager { sql += " AND managerId = \(user.managerId ?? "-")" }
            else if let manager = request.query("managerId") { sql += " AND managerId = \(manager)" }
            if request.query("unmatched") == "true" { sql += " AND (managerId IS NULL OR clientId IS NULL) AND direction != 'internal'" }
            if let since = request.query("since") {
                guard let date = Timestamp.parse(since) else { throw Problem.invalid("since", "must be an ISO-8601 instant") }
                sql += " AND startedAt >= \(date.timeIntervalSince1970)"
            }
            sql += " ORDER BY startedAt DESC LIMIT \(try request.queryInt("limit", default: 100, range: 1...1000))"
            let query = SQLRequest<Row>(literal: sql)
            let store = store(ctx)
            let calls = try await context.database.read { try query.fetchAll($0).map(store.state) }
            return try jsonResponse(calls)
        }

        RejectedInput.route("rejected", on: router, database: context.database)
    }

    func draft(_ body: CallBody) throws -> CallDraft {
        guard !body.callId.isEmpty else { throw Problem.invalid("callId", "must not be empty") }
        guard let started = Timestamp.parse(body.startedAt) else { throw Problem.invalid("startedAt", "must be an ISO-8601 instant with a zone") }
        let answered = try body.answeredAt.map { text -> Date in
            guard let date = Timestamp.parse(text) else { throw Problem.invalid("answeredAt", "must be an ISO-8601 instant with a zone") }
            return date
        }
        let ended = try body.endedAt.map { text -> Date in
            guard let date = Timestamp.parse(text) else { throw Problem.invalid("endedAt", "must be an ISO-8601 instant with a zone") }
            return date
        }
        if let ended, ended < started { throw Problem.invalid("endedAt", "is before startedAt") }
        var direction: CallDirection?
        if let text = body.direction {
            guard let parsed = CallDirection(rawValue: text) else { throw Problem.invalid("direction", "must be incoming, outgoing or internal") }
            direction = parsed
        }
        let duration = body.durationSeconds ?? ended.map { Int($0.timeIntervalSince(started)) } ?? 0
        let billable = body.billableSeconds ?? (answered != nil && ended != nil ? Int(ended!.timeIntervalSince(answered!)) : 0)
        guard duration >= 0 else { throw Problem.invalid("durationSeconds", "must not be negative") }
        guard billable >= 0, billable <= max(duration, billable == 0 ? 0 : duration) else { throw Problem.invalid("billableSeconds", "must be between 0 and durationSeconds") }
        return CallDraft(callId: body.callId, direction: direction, from: body.from, to: body.to, extension_: body.extension,
                         managerId: body.managerId, startedAt: started, answeredAt: answered, endedAt: ended, durationSeconds: duration,
                         billableSeconds: billable, disposition: body.status ?? (answered != nil ? "ANSWERED" : "NO ANSWER"),
                         recordingURL: body.recordingURL, source: "api")
    }

    func zadarmaDraft(_ form: [String: String], outgoing: Bool) throws -> CallDraft {
        guard let id = form["pbx_call_id"], !id.isEmpty else { throw Problem.invalid("pbx_call_id", "is required") }
        guard let startText = form["call_start"], let start = CDRParser(timeZone: configuration.zadarmaTimeZone).date(startText) else {
            throw Problem.invalid("call_start", "must be YYYY-MM-DD HH:MM:SS")
        }
        let duration = Int(form["duration"] ?? "0") ?? 0
        let disposition = form["disposition"] ?? "unknown"
        let answered = disposition == "answered"
        let ext = form["internal"].flatMap { $0.isEmpty ? nil : $0 }
        return CallDraft(
            callId: "zadarma:\(id)", direction: outgoing ? .outgoing : .incoming,
            from: outgoing ? (ext ?? "") : (form["caller_id"] ?? ""), to: outgoing ? (form["destination"] ?? "") : (form["called_did"] ?? ""),
            extension_: ext, managerId: nil, startedAt: start, answeredAt: nil, endedAt: start.addingTimeInterval(Double(duration)),
            durationSeconds: duration, billableSeconds: answered ? duration : 0, disposition: disposition,
            recordingURL: form["is_recorded"] == "1" ? form["call_id_with_rec"].map { "zadarma:\($0)" } : nil, source: "zadarma")
    }

    /// Zadarma's signature: base64 of the lowercase hex of HMAC-SHA1 (PHP's `base64_encode(hash_hmac('sha1', …))`).
    static func zadarmaSignature(_ data: String, secret: String) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let hex = Hex.lowercase(mac)
        return Data(hex.utf8).base64EncodedString()
    }
}
