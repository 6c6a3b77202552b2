import Foundation
import Testing
@testable import Telephony

@Suite("Asterisk CDR parsing")
struct CDRParserTests {
    func parse(_ text: [UInt8], chunk: Int = 1 << 16, zone: String = "UTC") -> (rows: [CDRRow], rejected: [CDRParser.Rejected]) {
        var parser = CDRParser(timeZone: TimeZone(identifier: zone)!)
        var rows: [CDRRow] = []
        var rejected: [CDRParser.Rejected] = []
        let sink: (CDRParser.Output) -> Void = { output in
            switch output {
            case .row(let row): rows.append(row)
            case .rejected(let reject): rejected.append(reject)
            }
        }
        var index = 0
        while index < text.count {
            parser.feed(text[index..<min(text.count, index + chunk)], sink)
            index += chunk
        }
        parser.finish(sink)
        return (rows, rejected)
    }

    func parse(_ text: String, chunk: Int = 1 << 16, zone: String = "UTC") -> (rows: [CDRRow], rejected: [CDRParser.Rejected]) {
        parse(Array(text.utf8), chunk: chunk, zone: zone)
    }

    static func utc(_ text: String) -> Date { Date(timeIntervalSince1970: ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970) }

    // cdr_csv with loguniqueid, loguserfield and newcdrcolumns: 21 fields.
    static let cdrCSV = #"""
    "","101","84951234567","from-internal","""Анна"" <101>","SIP/101-00000001","SIP/trunk-00000002","Dial","SIP/trunk/84951234567,60","2026-11-20 09:00:00","2026-11-20 09:00:07","2026-11-20 09:05:07",307,300,"ANSWERED","DOCUMENTATION","1763629200.1","","","1763629200.1",1\#r
    "","89161112233","5551000","from-trunk","89161112233","SIP/trunk-00000003","SIP/102-00000004","Dial","SIP/102,30","2026-11-20 10:00:00",,"2026-11-20 10:00:30",30,0,"NO ANSWER","DOCUMENTATION","1763632800.3","","","1763632800.3",2\#r

    """#

    @Test("cdr_csv with every optional column, doubled quotes and an empty answer")
    func cdrCSVLayout() {
        let (rows, rejected) = parse(Self.cdrCSV)
        #expect(rejected.isEmpty)
        #expect(rows.count == 2)
        let first = rows[0]
        #expect(first.line == 1)
        #expect(first.clid == "\"Анна\" <101>")
        #expect(first.src == "101")
        #expect(first.dst == "84951234567")
        #expect(first.channel == "SIP/101-00000001")
        #expect(first.start == Self.utc("2026-11-20T09:00:00Z"))
        #expect(first.answer == Self.utc("2026-11-20T09:00:07Z"))
        #expect(first.end == Self.utc("2026-11-20T09:05:07Z"))
        #expect(first.duration == 307)
        #expect(first.billsec == 300)
        #expect(first.disposition == "ANSWERED")
        #expect(first.uniqueid == "1763629200.1")
        #expect(first.linkedid == "1763629200.1")
        #expect(rows[1].answer == nil)
        #expect(rows[1].disposition == "NO ANSWER")
        #expect(rows[1].line == 2)
    }

    @Test("cdr_csv without the optional columns (16) and with uniqueid/userfield only (18)")
    func cdrCSVShort() {
        let text = #"""
        "acc","101","202","from-internal","""Boris"" <101>","SIP/101-1","SIP/202-2","Dial","SIP/202",2026-11-20 11:00:00,2026-11-20 11:00:02,2026-11-20 11:01:02,62,60,ANSWERED,DOCUMENTATION
        "","103","84950000000","from-internal","103","SIP/103-5","SIP/trunk-6","Dial","x","2026-11-20 12:00:00","","2026-11-20 12:00:10",10,0,"BUSY","DOCUMENTATION","1763640000.9","vip"
        """#
        let (rows, rejected) = parse(text)
        #expect(rejected.isEmpty)
        #expect(rows.map(\.uniqueid) == [nil, "1763640000.9"])
        #expect(rows.map(\.userfield) == [nil, "vip"])
        #expect(rows[0].accountcode == "acc")
        #expect(rows[1].disposition == "BUSY")
        #expect(rows[1].answer == nil)
    }

    @Test("cdr_custom's default order")
    func cdrCustom() {
        let text = "\"\"\"Вера\"\" <103>\",\"103\",\"89161234567\",\"from-internal\",\"SIP/103-7\",\"SIP/trunk-8\",\"Dial\",\"SIP/trunk/89161234567\",\"2026-11-20 13:00:00\",\"2026-11-20 13:00:05\",\"2026-11-20 13:02:05\",\"125\",\"120\",\"ANSWERED\",\"DOCUMENTATION\",\"\",\"1763643600.11\",\"\",\"4\"\n"
        let (rows, rejected) = parse(text)
        #expect(rejected.isEmpty)
        #expect(rows.count == 1)
        #expect(rows[0].clid == "\"Вера\" <103>")
        #expect(rows[0].src == "103")
        #expect(rows[0].dst == "89161234567")
        #expect(rows[0].start == Self.utc("2026-11-20T13:00:00Z"))
        #expect(rows[0].billsec == 120)
        #expect(rows[0].uniqueid == "1763643600.11")
    }

    @Test("a FreePBX export is read by its header")
    func header() {
        let text = """
        calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield,did,recordingfile,linkedid
        2026-11-20 14:00:00,"Client" <84951112233>,84951112233,101,from-did-direct,SIP/trunk-9,SIP/101-10,Dial,SIP/101,65,60,ANSWERED,3,,1763647200.12,,5551000,in-101-84951112233.wav,1763647200.12
        """
        let (rows, rejected) = parse(text)
        #expect(rejected.isEmpty)
        #expect(rows.count == 1)
        #expect(rows[0].line == 2)
        #expect(rows[0].clid == "\"Client\" <84951112233>")
        #expect(rows[0].start == Self.utc("2026-11-20T14:00:00Z"))
        #expect(rows[0].answer == Self.utc("2026-11-20T14:00:05Z"))
        #expect(rows[0].end == Self.utc("2026-11-20T14:01:05Z"))
        #expect(rows[0].recordingFile == "in-101-84951112233.wav")
    }

    @Test("CRLF, LF and bare CR line ends, fed a byte at a time, read alike")
    func lineEnds() {
        let row = "\"\",\"101\",\"202\",\"c\",\"101\",\"SIP/101-1\",\"SIP/202-2\",\"Dial\",\"x\",\"2026-11-20 11:00:00\",\"2026-11-20 11:00:02\",\"2026-11-20 11:01:02\",62,60,\"ANSWERED\",\"DOCUMENTATION\""
        for separator in ["\r\n", "\n", "\r"] {
            let text = [row, row, row].joined(separator: separator) + separator
            let whole = parse(text)
            let bytewise = parse(text, chunk: 1)
            #expect(whole.rows.count == 3, "separator \(separator.debugDescription)")
            #expect(whole.rows == bytewise.rows)
            #expect(whole.rows.map(\.line) == [1, 2, 3])
        }
    }

    @Test("bytes that are not UTF-8 are read as Windows-1251")
    func windows1251() {
        var bytes = Array("\"\",\"101\",\"202\",\"c\",\"".utf8)
        bytes += Array("Анна".data(using: .windowsCP1251)!)
        bytes += Array("\",\"SIP/101-1\",\"SIP/202-2\",\"Dial\",\"x\",\"2026-11-20 11:00:00\",\"\",\"2026-11-20 11:01:02\",62,0,\"NO ANSWER\",\"DOCUMENTATION\"\n".utf8)
        let (rows, rejected) = parse(bytes)
        #expect(rejected.isEmpty)
        #expect(rows.first?.clid == "Анна")
    }

    @Test("malformed rows are rejected with their line number; the rest are read")
    func rejects() {
        let good = "\"\",\"101\",\"202\",\"c\",\"101\",\"SIP/101-1\",\"SIP/202-2\",\"Dial\",\"x\",\"2026-11-20 11:00:00\",\"2026-11-20 11:00:02\",\"2026-11-20 11:01:02\",62,60,\"ANSWERED\",\"DOCUMENTATION\""
        let text = [
            good,
            "garbage line without commas",
            good.replacingOccurrences(of: "62,60", with: "sixty,60"),
            good.replacingOccurrences(of: "62,60", with: "10,60"),
            good.replacingOccurrences(of: "\"2026-11-20 11:01:02\"", with: "\"2026-13-20 11:01:02\""),
            good,
        ].joined(separator: "\n")
        let (rows, rejected) = parse(text)
        #expect(rows.map(\.line) == [1, 6])
        #expect(rejected.map(\.line) == [2, 3, 4, 5])
        #expect(rejected[1].reason.contains("duration"))
        #expect(rejected[2].reason.contains("exceeds"))
        #expect(rejected[3].reason.contains("end"))
        #expect(rejected[0].raw == "garbage line without commas")
    }

    @Test("local PBX time is converted to UTC")
    func localTime() {
        let text = "\"\",\"101\",\"202\",\"c\",\"101\",\"SIP/101-1\",\"SIP/202-2\",\"Dial\",\"x\",\"2026-11-20 12:00:00\",\"\",\"2026-11-20 12:00:10\",10,0,\"NO ANSWER\",\"DOCUMENTATION\""
        let (rows, _) = parse(text, zone: "Europe/Moscow")
        #expect(rows.first?.start == Self.utc("2026-11-20T09:00:00Z"))
    }

    @Test("legs of one call merge: earliest start, the answered leg's extension, the last end")
    func legs() {
        let text = """
        "","84951234567","5551000","from-trunk","84951234567","SIP/trunk-1","SIP/101-2","Dial","SIP/101&SIP/102","2026-11-20 15:00:00","","2026-11-20 15:00:20",20,0,"NO ANSWER","DOCUMENTATION","1763650800.1","","","1763650800.1",1
        "","84951234567","5551000","from-trunk","84951234567","SIP/trunk-1","SIP/102-3","Dial","SIP/101&SIP/102","2026-11-20 15:00:01","2026-11-20 15:00:06","2026-11-20 15:03:06",185,180,"ANSWERED","DOCUMENTATION","1763650800.1","","","1763650800.1",2
        """
        let (rows, _) = parse(text)
        #expect(Set(rows.map(\.callKey)) == ["1763650800.1"])
        let call = CallDraft.merge(rows, callId: "1763650800.1")
        #expect(call.extension_ == "102")
        #expect(call.startedAt == Self.utc("2026-11-20T15:00:00Z"))
        #expect(call.answeredAt == Self.utc("2026-11-20T15:00:06Z"))
        #expect(call.endedAt == Self.utc("2026-11-20T15:03:06Z"))
        #expect(call.durationSeconds == 186)
        #expect(call.billableSeconds == 180)
        #expect(call.disposition == "ANSWERED")
        #expect(call.answered)
    }

    @Test(arguments: [("8 912 345-67-89", "+79123456789"), ("+7 (912) 345-67-89", "+79123456789"), ("79123456789", "+79123456789"),
                      ("9123456789", "+79123456789"), ("+44 20 7946 0958", "+442079460958"), ("101", nil), ("abc", nil)] as [(String, String?)])
    func phones(text: String, e164: String?) {
        #expect(PhoneNumberProbe.e164(text) == e164)
    }

    /// Found by `make fuzz`: a FreePBX row whose duration derived an end before year zero crashed
    /// the timestamp formatter. Every input under Tests/Fuzz/cdr is replayed here.
    @Test("every fuzz input and found crash parses without crashing")
    func fuzzRegressions() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz/cdr").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.contains("crash-derived-end-before-year-zero.csv"))
        for file in files {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            _ = parse(bytes, zone: "Europe/Moscow")
            _ = parse(bytes, chunk: 7, zone: "Europe/Moscow")
        }
    }

    @Test("absurd durations are refused with their reason, not used to derive times")
    func absurdDurations() {
        let text = """
        calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,duration,billsec,disposition,amaflags,accountcode,uniqueid
        2026-11-20 14:00:00,x,101,84951112233,c,SIP/101-1,SIP/t-2,Dial,,99999999999,60,ANSWERED,3,,1.1
        2026-11-20 14:00:00,x,101,84951112233,c,SIP/101-1,SIP/t-2,Dial,,-5,0,ANSWERED,3,,1.2
        2026-11-20 14:00:00,x,101,84951112233,c,SIP/101-1,SIP/t-2,Dial,,700000,0,ANSWERED,3,,1.3
        """
        let (rows, rejected) = parse(text)
        #expect(rows.isEmpty)
        #expect(rejected.map(\.line) == [2, 3, 4])
        #expect(rejected.map(\.reason) == ["duration 99999999999 s is longer than a week", "duration `-5` is not a number of seconds",
                                          "duration 700000 s is longer than a week"])
    }
}

import Contracts
enum PhoneNumberProbe { static func e164(_ text: String) -> String? { PhoneNumber.e164(text) } }

@Suite("CDR numbers")
struct CDRNumberTests {
    @Test(arguments: [("62", 62), (" 62 ", 62), ("0", 0)] as [(String, Int)])
    func accepts(text: String, value: Int) { #expect(CDRParser.seconds(text) == value) }

    @Test(arguments: ["", " ", "6 2", "-1", "1e3", "sixty"])
    func refuses(text: String) { #expect(CDRParser.seconds(text) == nil) }
}

@Suite("Call payload JSON")
struct CallPayloadTests {
    @Test("the hand-written payload equals the encoder's bytes, with and without optional fields")
    func matchesEncoder() throws {
        let full = CallState(callId: "1763629200.1", revision: 3, direction: .incoming, from: "+74951234567", to: "5551000",
                             extension_: "101", managerId: "m1", clientId: "c\"1\\", dealId: "d1",
                             startedAt: Date(timeIntervalSince1970: 1_763_629_200.123), answeredAt: Date(timeIntervalSince1970: 1_763_629_205),
                             endedAt: Date(timeIntervalSince1970: 1_763_629_300), durationSeconds: 100, billableSeconds: 95, answered: true,
                             disposition: "ANSWERED", recordingURL: "https://pbx/rec/1.mp3?x=1&y=/", source: "cdr")
        var bare = full
        bare.extension_ = nil; bare.managerId = nil; bare.clientId = nil; bare.dealId = nil
        bare.answeredAt = nil; bare.endedAt = nil; bare.recordingURL = nil; bare.answered = false
        bare.disposition = "NO ANSWER\n"
        let encoder = EventCodec.makeEncoder()
        for call in [full, bare] {
            #expect(call.payloadJSON() == (try encoder.encode(CallRecorded(call: call))))
            #expect(call.payloadJSON(changedFields: ["clientId", "dealId"]) == (try encoder.encode(CallUpdated(call: call, changedFields: ["clientId", "dealId"]))))
        }
    }

    @Test("an extension is read from a channel name only when digits, up to six, stand before its separator")
    func extensionsFromChannels() {
        let cases: [(String, String?)] = [
            ("SIP/101-0000001a", "101"), ("PJSIP/101-00000012", "101"), ("Local/101@from-internal-0000;1", "101"),
            ("IAX2/7;2", "7"), ("SIP/101", "101"), ("DAHDI/123456-1", "123456"), ("SIP/1234567-1", nil), ("SIP/trunk-1", nil),
            ("SIP/-1", nil), ("SIP/", nil), ("channel", nil), ("SIP/10a1-1", nil), ("SIP/١٠١-1", nil), ("", nil),
        ]
        for (channel, expected) in cases {
            #expect(CallDraft.extensionOf(channel: channel) == expected, "\(channel)")
        }
    }
}
