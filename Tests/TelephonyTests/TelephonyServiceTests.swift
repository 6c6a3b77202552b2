import Contracts
import Deals
import Foundation
import GRDB
import Messaging
import ServiceKit
import ServiceTestSupport
import Storage
@testable import Telephony
import Testing
import TestSupport

/// pacer-deals and pacer-telephony running together on real sockets: the directory reaches
/// telephony over the bus, and calls are matched against it.
struct Pair {
    let deals: ServiceHarness
    let telephony: ServiceHarness

    static func start(_ configuration: TelephonyConfiguration = TelephonyConfiguration()) async throws -> Pair {
        let dir = try TemporaryDirectory("telephony")
        let deals = try await ServiceHarness.start(DealsService.definition(), defaults: .deals, dir: dir)
        let telephony = try await ServiceHarness.start(TelephonyService.definition(configuration), defaults: .telephony, dir: dir,
                                                       sources: [await deals.source])
        return Pair(deals: deals, telephony: telephony)
    }

    /// Waits until telephony has applied everything deals has published.
    func synced() async throws -> Bool {
        let head = try await deals.head(StreamName.deals)
        return await eventually {
            telephony.app.subscriber?.status.applied(publisher: "deals", stream: StreamName.deals) == head
        }
    }

    /// Manager m1 (ext 101) and a client of m1 with phone +74951234567 and an open deal.
    func seed() async throws -> (clientId: String, dealId: String) {
        try await deals.call("POST", "/managers", json: ["id": "m1", "name": "Анна", "extensions": ["101"]])
        let client = try await deals.call("POST", "/clients", json: ["name": "Ромашка", "managerId": "m1", "phones": ["8 (495) 123-45-67"]])
        let clientId = client.json["id"] as! String
        let deal = try await deals.call("POST", "/deals", json: ["title": "Поставка", "clientId": clientId, "managerId": "m1",
                                                                  "amount": ["kopecks": 100_00, "currency": "RUB"]])
        #expect(try await synced())
        return (clientId, deal.json["dealId"] as! String)
    }

    func stop() async {
        await telephony.stop()
        await deals.stop()
        deals.dir.remove()
    }
}

@Suite("pacer-telephony with pacer-deals over the bus")
struct TelephonyServiceTests {
    @Test("a pushed call is matched; a retry changes nothing; more detail updates it once")
    func pushIdempotent() async throws {
        let pair = try await Pair.start()
        let (clientId, dealId) = try await pair.seed()
        let call: [String: Any] = ["callId": "pbx-1", "from": "101", "to": "8 495 123-45-67", "startedAt": "2026-11-20T12:00:00+03:00",
                                   "answeredAt": "2026-11-20T12:00:05+03:00", "endedAt": "2026-11-20T12:03:05+03:00"]
        let first = try await pair.telephony.call("POST", "/calls", as: "pbx", json: call)
        #expect(first.status == 201)
        #expect(first.json["recorded"] as? Int == 1)
        let retry = try await pair.telephony.call("POST", "/calls", as: "pbx", json: call)
        #expect(retry.json["duplicates"] as? Int == 1)
        var detailed = call
        detailed["recordingURL"] = "https://pbx/rec/1.mp3"
        let update = try await pair.telephony.call("POST", "/calls", as: "pbx", json: ["calls": [detailed]])
        #expect(update.json["updated"] as? Int == 1)
        let events = try await pair.telephony.events(StreamName.telephony)
        #expect(events.map(\.0) == ["call.recorded", "call.updated"])
        let recorded = events[0].1["call"] as! [String: Any]
        #expect(recorded["direction"] as? String == "outgoing")
        #expect(recorded["managerId"] as? String == "m1")
        #expect(recorded["clientId"] as? String == clientId)
        #expect(recorded["dealId"] as? String == dealId)
        #expect(recorded["extension"] as? String == "101")
        #expect(recorded["durationSeconds"] as? Int == 185)
        #expect(recorded["billableSeconds"] as? Int == 180)
        #expect(recorded["answered"] as? Bool == true)
        #expect(events[1].1["changedFields"] as? [String] == ["recordingURL"])
        #expect((events[1].1["call"] as? [String: Any])?["revision"] as? Int == 2)
        await pair.stop()
    }

    @Test("an unmatched call is matched when its client and manager appear later")
    func rematch() async throws {
        let pair = try await Pair.start()
        _ = try await pair.seed()
        let pushed = try await pair.telephony.call("POST", "/calls", as: "pbx", json: [
            "callId": "pbx-2", "from": "+7 999 000-11-22", "to": "102", "startedAt": "2026-11-20T09:00:00Z", "endedAt": "2026-11-20T09:00:40Z",
            "answeredAt": "2026-11-20T09:00:10Z"])
        #expect(pushed.status == 201)
        let unmatched = try await pair.telephony.call("GET", "/calls?unmatched=true", as: "head")
        #expect(unmatched.array.map { $0["callId"] as? String } == ["pbx-2"])
        try await pair.deals.call("POST", "/managers", json: ["id": "m2", "name": "Борис", "extensions": ["102"]])
        let client = try await pair.deals.call("POST", "/clients", json: ["name": "Вектор", "managerId": "m2", "phones": ["89990001122"]])
        #expect(try await pair.synced())
        let events = try await pair.telephony.events(StreamName.telephony)
        #expect(events.map(\.0) == ["call.recorded", "call.updated", "call.updated"])
        #expect(events[1].1["changedFields"] as? [String] == ["managerId"])
        #expect(events[2].1["changedFields"] as? [String] == ["clientId"])
        let call = events[2].1["call"] as! [String: Any]
        #expect(call["managerId"] as? String == "m2")
        #expect(call["clientId"] as? String == client.json["id"] as? String)
        #expect(call["revision"] as? Int == 3)
        #expect(try await pair.telephony.call("GET", "/calls?unmatched=true", as: "head").array.isEmpty)
        await pair.stop()
    }

    @Test("a CDR upload imports good rows, reports bad ones by line, and imports nothing twice")
    func cdrUpload() async throws {
        let pair = try await Pair.start()
        let (clientId, _) = try await pair.seed()
        let cdr = #"""
        "","84951234567","5551000","from-trunk","84951234567","SIP/trunk-1","SIP/102-2","Dial","SIP/101&SIP/102","2026-11-20 15:00:00","","2026-11-20 15:00:20",20,0,"NO ANSWER","DOCUMENTATION","1763650800.1","","","1763650800.1",1
        "","84951234567","5551000","from-trunk","84951234567","SIP/trunk-1","SIP/101-3","Dial","SIP/101&SIP/102","2026-11-20 15:00:01","2026-11-20 15:00:06","2026-11-20 15:03:06",185,180,"ANSWERED","DOCUMENTATION","1763650800.1","","","1763650800.1",2
        this row is broken
        "","101","202","from-internal","101","SIP/101-4","SIP/202-5","Dial","SIP/202","2026-11-20 16:00:00","2026-11-20 16:00:02","2026-11-20 16:01:02",62,60,"ANSWERED","DOCUMENTATION","1763654400.4","","","1763654400.4",3
        """#
        let first = try await pair.telephony.call("POST", "/cdr", as: "pbx", raw: cdr, contentType: "text/csv")
        #expect(first.status == 200)
        #expect(first.json["rows"] as? Int == 3)
        #expect(first.json["calls"] as? Int == 2)
        #expect(first.json["recorded"] as? Int == 2)
        #expect(first.json["unmatched"] as? Int == 0)
        #expect((first.json["rejected"] as? [[String: Any]])?.map { $0["line"] as? Int } == [3])
        let again = try await pair.telephony.call("POST", "/cdr", as: "pbx", raw: cdr, contentType: "text/csv")
        #expect(again.json["duplicates"] as? Int == 2)
        #expect(again.json["recorded"] as? Int == 0)
        let events = try await pair.telephony.events(StreamName.telephony)
        #expect(events.map(\.0) == ["call.recorded", "call.recorded"])
        let incoming = events[0].1["call"] as! [String: Any]
        #expect(incoming["callId"] as? String == "1763650800.1")
        #expect(incoming["direction"] as? String == "incoming")
        #expect(incoming["extension"] as? String == "101")
        #expect(incoming["managerId"] as? String == "m1")
        #expect(incoming["clientId"] as? String == clientId)
        #expect(incoming["billableSeconds"] as? Int == 180)
        #expect((events[1].1["call"] as? [String: Any])?["direction"] as? String == "internal")
        let rejected = try await pair.telephony.call("GET", "/rejected", as: "head")
        #expect(rejected.array.map { $0["raw"] as? String } == ["this row is broken", "this row is broken"])

        // A later file with another leg of a stored call: the call is read back with its stored
        // legs, merged, and updated once, naming what changed.
        let later = #"""
        "","101","202","from-internal","101","SIP/101-4","SIP/202-7","Dial","SIP/202","2026-11-20 16:00:00","2026-11-20 16:00:02","2026-11-20 16:02:02",122,120,"ANSWERED","DOCUMENTATION","1763654400.4","","","1763654400.4",4
        """#
        let third = try await pair.telephony.call("POST", "/cdr", as: "pbx", raw: later, contentType: "text/csv")
        #expect(third.json["calls"] as? Int == 1)
        #expect(third.json["updated"] as? Int == 1)
        #expect(third.json["recorded"] as? Int == 0)
        let afterLater = try await pair.telephony.events(StreamName.telephony, after: 2)
        #expect(afterLater.map(\.0) == ["call.updated"])
        #expect(afterLater.first?.1["changedFields"] as? [String] == ["endedAt", "durationSeconds", "billableSeconds"])
        let updated = afterLater.first?.1["call"] as? [String: Any]
        #expect(updated?["callId"] as? String == "1763654400.4")
        #expect(updated?["revision"] as? Int == 2)
        #expect(updated?["billableSeconds"] as? Int == 120)
        #expect(updated?["extension"] as? String == "202")

        // The PBX pushes the recording of that call: the push updates it and its legs stay, so
        // both files again are nothing but duplicates.
        let push: [String: Any] = ["callId": "1763654400.4", "from": "101", "to": "202", "startedAt": "2026-11-20T16:00:00Z", "status": "ANSWERED",
                                   "recordingURL": "https://pbx/rec/4.mp3"]
        let pushed = try await pair.telephony.call("POST", "/calls", as: "pbx", json: push)
        #expect(pushed.json["updated"] as? Int == 1)
        let repeated = try await pair.telephony.call("POST", "/cdr", as: "pbx", raw: cdr + "\n" + later, contentType: "text/csv")
        #expect(repeated.json["calls"] as? Int == 2)
        #expect(repeated.json["duplicates"] as? Int == 2)
        let afterPush = try await pair.telephony.events(StreamName.telephony, after: 3)
        #expect(afterPush.map(\.0) == ["call.updated"])
        #expect(afterPush.first?.1["changedFields"] as? [String] == ["recordingURL"])
        await pair.stop()
    }

    @Test("Zadarma webhooks: echo, signed events recorded, bad signatures refused")
    func zadarma() async throws {
        var configuration = TelephonyConfiguration()
        configuration.zadarmaSecret = "s3cret"
        let pair = try await Pair.start(configuration)
        _ = try await pair.seed()
        let echo = try await pair.telephony.call("GET", "/webhooks/zadarma?zd_echo=abc123", as: nil)
        #expect(echo.text == "abc123")
        let fields = ["event": "NOTIFY_END", "call_start": "2026-11-20 12:00:00", "pbx_call_id": "in_42", "caller_id": "74951234567",
                      "called_did": "74950000000", "internal": "101", "duration": "95", "disposition": "answered", "status_code": "16",
                      "is_recorded": "1", "call_id_with_rec": "1763629200.42"]
        let form = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.value)" }.joined(separator: "&")
        let signature = TelephonyRoutes.zadarmaSignature("74951234567" + "74950000000" + "2026-11-20 12:00:00", secret: "s3cret")
        let bad = try await pair.telephony.call("POST", "/webhooks/zadarma", as: nil, raw: form, contentType: "application/x-www-form-urlencoded",
                                                headers: ["Signature": "AAAA"])
        #expect(bad.status == 401)
        let good = try await pair.telephony.call("POST", "/webhooks/zadarma", as: nil, raw: form, contentType: "application/x-www-form-urlencoded",
                                                 headers: ["Signature": signature])
        #expect(good.status == 200)
        let events = try await pair.telephony.events(StreamName.telephony)
        #expect(events.map(\.0) == ["call.recorded"])
        let call = events[0].1["call"] as! [String: Any]
        #expect(call["callId"] as? String == "zadarma:in_42")
        #expect(call["direction"] as? String == "incoming")
        #expect(call["managerId"] as? String == "m1")
        #expect(call["durationSeconds"] as? Int == 95)
        #expect(call["source"] as? String == "zadarma")
        #expect(call["startedAt"] as? String == "2026-11-20T09:00:00.000Z")
        await pair.stop()
    }

    @Test("the signature is PHP's base64(hash_hmac('sha1', …))")
    func signatureVector() {
        // base64_encode(hash_hmac('sha1', 'abc', 'key')) — the hex digest is 4fd0b215276ef12f2b3e4c8ecac2811498b656fc.
        #expect(TelephonyRoutes.zadarmaSignature("abc", secret: "key") == Data("4fd0b215276ef12f2b3e4c8ecac2811498b656fc".utf8).base64EncodedString())
    }

    @Test("roles: integrations push, managers read their own calls")
    func access() async throws {
        let pair = try await Pair.start()
        _ = try await pair.seed()
        let call: [String: Any] = ["callId": "pbx-9", "from": "101", "to": "84951234567", "startedAt": "2026-11-20T12:00:00Z"]
        #expect(try await pair.telephony.call("POST", "/calls", as: nil, json: call).status == 401)
        #expect(try await pair.telephony.call("POST", "/calls", as: "anna", json: call).status == 403)
        #expect(try await pair.telephony.call("POST", "/calls", as: "onec", json: call).status == 403)
        #expect(try await pair.telephony.call("POST", "/calls", as: "pbx", json: call).status == 201)
        #expect(try await pair.telephony.call("GET", "/calls", as: "pbx").status == 403)
        #expect(try await pair.telephony.call("GET", "/calls", as: "anna").array.count == 1)
        #expect(try await pair.telephony.call("GET", "/calls", as: "boris").array.count == 0)
        #expect(try await pair.telephony.call("GET", "/calls", as: "head").array.count == 1)
        let bad = try await pair.telephony.call("POST", "/calls", as: "pbx", json: ["callId": "x", "from": "1", "to": "2", "startedAt": "вчера"])
        #expect(bad.status == 422)
        #expect(bad.json["field"] as? String == "startedAt")
        let batch = try await pair.telephony.call("POST", "/calls", as: "pbx", json: ["calls": [
            ["callId": "ok-1", "from": "101", "to": "84951234567", "startedAt": "2026-11-20T12:00:00Z"],
            ["callId": "bad-1", "from": "101", "to": "84951234567", "startedAt": "2026-11-20T12:00:00Z", "endedAt": "2026-11-20T11:00:00Z"],
        ]])
        #expect(batch.json["recorded"] as? Int == 1)
        #expect((batch.json["rejected"] as? [[String: Any]])?.first?["field"] as? String == "endedAt")
        let kept = try await pair.telephony.call("GET", "/rejected", as: "head").array
        #expect(kept.count == 1)
        #expect((kept.first?["raw"] as? String)?.contains("\"callId\":\"bad-1\"") == true)
        #expect(kept.first?["line"] as? String == "1")
        await pair.stop()
    }

    @Test("activities are recorded once and matched by phone")
    func activities() async throws {
        let pair = try await Pair.start()
        let (clientId, dealId) = try await pair.seed()
        let body: [String: Any] = ["activityId": "mtg-1", "kind": "meeting", "clientPhone": "+7 495 123 45 67", "at": "2026-11-20T10:00:00+03:00"]
        #expect(try await pair.telephony.call("POST", "/activities", as: "anna", json: body).status == 201)
        #expect(try await pair.telephony.call("POST", "/activities", as: "anna", json: body).status == 200)
        let events = try await pair.telephony.events(StreamName.telephony)
        #expect(events.map(\.0) == ["activity.recorded"])
        #expect(events[0].1["managerId"] as? String == "m1")
        #expect(events[0].1["clientId"] as? String == clientId)
        #expect(events[0].1["dealId"] as? String == dealId)
        await pair.stop()
    }
}

@Suite("Rebuilding from a snapshot")
struct SnapshotRebuildTests {
    @Test("telephony started after deals' outbox was pruned rebuilds its directory from SNAPSHOT deals")
    func rebuild() async throws {
        let dir = try TemporaryDirectory("snapshot")
        defer { dir.remove() }
        let deals = try await ServiceHarness.start(DealsService.definition(), defaults: .deals, dir: dir)
        try await deals.call("POST", "/managers", json: ["id": "m1", "name": "Анна", "extensions": ["101"]])
        let client = try await deals.call("POST", "/clients", json: ["name": "Ромашка", "managerId": "m1", "phones": ["84951234567"]])
        for index in 0..<5 {
            try await deals.call("POST", "/managers", json: ["id": "x\(index)", "name": "Стажёр \(index)"])
        }
        let pruned = try await deals.database.write { try OutboxStore.prune($0, createdBefore: Date().addingTimeInterval(60)) }
        #expect(pruned == 6)      // everything but the newest row
        let telephony = try await ServiceHarness.start(TelephonyService.definition(), defaults: .telephony, dir: dir,
                                                       sources: [await deals.source])
        let head = try await deals.head(StreamName.deals)
        #expect(try await eventually { telephony.app.subscriber?.status.applied(publisher: "deals", stream: StreamName.deals) == head })
        let managers = try await telephony.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM dir_manager") }
        #expect(managers == 6)
        try await telephony.call("POST", "/calls", as: "pbx", json: ["callId": "c1", "from": "101", "to": "+74951234567", "startedAt": "2026-11-20T10:00:00Z"])
        let call = try await telephony.events(StreamName.telephony).first?.1["call"] as? [String: Any]
        #expect(call?["managerId"] as? String == "m1")
        #expect(call?["clientId"] as? String == client.json["id"] as? String)
        // And the stream goes on live after the rebuild.
        try await deals.call("POST", "/managers", json: ["id": "m9", "name": "Новый", "extensions": ["109"]])
        let newHead = try await deals.head(StreamName.deals)
        #expect(try await eventually { telephony.app.subscriber?.status.applied(publisher: "deals", stream: StreamName.deals) == newHead })
        #expect(try await telephony.database.read { try String.fetchOne($0, sql: "SELECT managerId FROM dir_extension WHERE ext = '109'") } == "m9")
        await telephony.stop()
        await deals.stop()
    }
}
