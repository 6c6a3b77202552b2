import Contracts
import Foundation
import ServiceKit

/// Turns CDR text into rows, streaming. Each record's layout is recognised by where its first
/// timestamp sits (cdr_custom at column 9, cdr_csv at column 10), or by a header row naming the
/// columns. Times are read in `timeZone` (UTC when Asterisk's `usegmtime` is on).
///
/// A row that cannot be read is reported with its line number, reason and raw bytes; the rest go on.
struct CDRParser {
    struct Rejected: Sendable, Equatable {
        var line: Int
        var reason: String
        var raw: String
    }

    enum Output {
        case row(CDRRow)
        case rejected(Rejected)
    }

    private var reader = CSVReader()
    private var header: [String: Int]?
    private var sawFirstRecord = false
    let timeZone: TimeZone

    init(timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.timeZone = timeZone
    }

    mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes, _ emit: (Output) throws -> Void) rethrows {
        var reader = self.reader
        defer { self.reader = reader }
        try reader.feed(bytes) { record in try handle(record, emit) }
    }

    mutating func finish(_ emit: (Output) throws -> Void) rethrows {
        var reader = self.reader
        defer { self.reader = reader }
        try reader.finish { record in try handle(record, emit) }
    }

    private mutating func handle(_ record: CSVReader.Record, _ emit: (Output) throws -> Void) rethrows {
        let fields = record.fields.map(Self.text)
        defer { sawFirstRecord = true }
        if !sawFirstRecord, Self.looksLikeHeader(fields) {
            header = Dictionary(fields.enumerated().map { ($0.element.lowercased().trimmingCharacters(in: .whitespaces), $0.offset) },
                                uniquingKeysWith: { first, _ in first })
            return
        }
        switch parse(fields, line: record.line) {
        case .success(let row): try emit(.row(row))
        case .failure(let failure): try emit(.rejected(Rejected(line: record.line, reason: failure.reason, raw: Self.text(record.raw))))
        }
    }

    struct Failure: Error { var reason: String }

    func parse(_ f: [String], line: Int) -> Result<CDRRow, Failure> {
        if let header { return parseWithHeader(f, header, line: line) }
        if f.count >= 15, isTimestamp(f[8]) {
            // cdr_custom: clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start, answer, end,
            // duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, sequence
            return build(line: line, clid: f[0], src: f[1], dst: f[2], dcontext: f[3], channel: f[4], dstchannel: f[5], lastapp: f[6],
                         start: f[8], answer: f[9], end: f[10], duration: f[11], billsec: f[12], disposition: f[13],
                         accountcode: at(f, 15) ?? "", uniqueid: at(f, 16), userfield: at(f, 17), linkedid: nil, recording: nil)
        }
        if f.count >= 16, isTimestamp(f[9]) {
            // cdr_csv: the uniqueid/userfield pair and the newcdrcolumns triple are optional.
            let uniqueid = f.count == 17 || f.count >= 18 ? at(f, 16) : nil
            let userfield = f.count >= 18 ? at(f, 17) : nil
            let linkedid = f.count >= 21 ? at(f, 19) : (f.count == 19 ? at(f, 17) : nil)
            return build(line: line, clid: f[4], src: f[1], dst: f[2], dcontext: f[3], channel: f[5], dstchannel: f[6], lastapp: f[7],
                         start: f[9], answer: f[10], end: f[11], duration: f[12], billsec: f[13], disposition: f[14],
                         accountcode: f[0], uniqueid: uniqueid, userfield: userfield, linkedid: linkedid, recording: nil)
        }
        return .failure(Failure(reason: "not a CDR row: \(f.count) fields and no start time in column 9 (cdr_custom) or 10 (cdr_csv)"))
    }

    private func parseWithHeader(_ f: [String], _ h: [String: Int], line: Int) -> Result<CDRRow, Failure> {
        func col(_ names: String...) -> String? {
            for name in names { if let index = h[name], index < f.count { return f[index] } }
            return nil
        }
        guard let start = col("start", "calldate", "call date") else { return .failure(Failure(reason: "no start/calldate column")) }
        let duration = col("duration") ?? "0"
        let billsec = col("billsec") ?? "0"
        // FreePBX exports have only the call date: derive answer and end from the durations.
        var answer = col("answer") ?? ""
        var end = col("end") ?? ""
        // Only sane durations are used to derive times; anything else is refused below with its reason.
        if answer.isEmpty, end.isEmpty, let startDate = date(start), let d = Self.seconds(duration), let b = Self.seconds(billsec),
           (0...Self.longestCall).contains(d), (0...d).contains(b) {
            end = format(startDate.addingTimeInterval(Double(d)))
            if b > 0 { answer = format(startDate.addingTimeInterval(Double(d - b))) }
        }
        return build(line: line, clid: col("clid") ?? "", src: col("src") ?? "", dst: col("dst") ?? "", dcontext: col("dcontext") ?? "",
                     channel: col("channel") ?? "", dstchannel: col("dstchannel") ?? "", lastapp: col("lastapp") ?? "",
                     start: start, answer: answer, end: end, duration: duration, billsec: billsec,
                     disposition: col("disposition") ?? "", accountcode: col("accountcode") ?? "", uniqueid: col("uniqueid"),
                     userfield: col("userfield"), linkedid: col("linkedid"), recording: col("recordingfile"))
    }

    private func build(line: Int, clid: String, src: String, dst: String, dcontext: String, channel: String, dstchannel: String,
                       lastapp: String, start: String, answer: String, end: String, duration: String, billsec: String,
                       disposition: String, accountcode: String, uniqueid: String?, userfield: String?, linkedid: String?,
                       recording: String?) -> Result<CDRRow, Failure> {
        guard let startDate = date(start) else { return .failure(Failure(reason: "start `\(start)` is not YYYY-MM-DD HH:MM:SS")) }
        var answerDate: Date?
        if !answer.isEmpty {
            guard let parsed = date(answer) else { return .failure(Failure(reason: "answer `\(answer)` is not YYYY-MM-DD HH:MM:SS")) }
            answerDate = parsed
        }
        var endDate: Date?
        if !end.isEmpty {
            guard let parsed = date(end) else { return .failure(Failure(reason: "end `\(end)` is not YYYY-MM-DD HH:MM:SS")) }
            endDate = parsed
        }
        guard let durationSeconds = Self.seconds(duration), durationSeconds >= 0 else {
            return .failure(Failure(reason: "duration `\(duration)` is not a number of seconds"))
        }
        guard let billableSeconds = Self.seconds(billsec), billableSeconds >= 0 else {
            return .failure(Failure(reason: "billsec `\(billsec)` is not a number of seconds"))
        }
        guard durationSeconds <= Self.longestCall else {
            return .failure(Failure(reason: "duration \(durationSeconds) s is longer than a week"))
        }
        guard billableSeconds <= durationSeconds else {
            return .failure(Failure(reason: "billsec \(billableSeconds) exceeds duration \(durationSeconds)"))
        }
        guard !src.isEmpty || !dst.isEmpty else { return .failure(Failure(reason: "neither src nor dst is set")) }
        return .success(CDRRow(
            line: line, clid: clid, src: src, dst: dst, dcontext: dcontext, channel: channel, dstchannel: dstchannel, lastapp: lastapp,
            start: startDate, answer: answerDate, end: endDate, duration: durationSeconds, billsec: billableSeconds,
            disposition: disposition.isEmpty ? "UNKNOWN" : disposition, accountcode: accountcode,
            uniqueid: uniqueid.flatMap { $0.isEmpty ? nil : $0 }, userfield: userfield.flatMap { $0.isEmpty ? nil : $0 },
            linkedid: linkedid.flatMap { $0.isEmpty ? nil : $0 }, recordingFile: recording.flatMap { $0.isEmpty ? nil : $0 }))
    }

    /// A whole number with optional surrounding spaces (Foundation's trimming is slow per row).
    static func seconds(_ text: String) -> Int? {
        var value = 0
        var digits = 0
        var trailing = false
        for byte in text.utf8 {
            if byte == 0x20 {
                if digits > 0 { trailing = true }
                continue
            }
            guard !trailing, byte >= 0x30, byte <= 0x39, digits < 12 else { return nil }
            value = value * 10 + Int(byte - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private func at(_ fields: [String], _ index: Int) -> String? { index < fields.count ? fields[index] : nil }

    /// A week: no call lasts longer, and nothing longer is worth deriving times from.
    static let longestCall = 7 * 86_400

    func isTimestamp(_ text: String) -> Bool { text.utf8.count == 19 && date(text) != nil }

    /// `YYYY-MM-DD HH:MM:SS` in the configured zone.
    func date(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x20 || b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A else { return nil }
        func n(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in b[from..<(from + count)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let y = n(0, 4), let mo = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let s = n(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        let utc = Timestamp.utc(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        if timeZone.identifier == "UTC" || timeZone.identifier == "GMT" { return utc }
        // Local wall-clock time: subtract the zone's offset at that moment (second pass for DST edges).
        let first = utc.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: utc)))
        return utc.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: first)))
    }

    func format(_ date: Date) -> String {
        let local = date.addingTimeInterval(Double(timeZone.secondsFromGMT(for: date)))
        let iso = Timestamp.format(local)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    static func looksLikeHeader(_ fields: [String]) -> Bool {
        let names = Set(fields.map { $0.lowercased().trimmingCharacters(in: .whitespaces) })
        return names.contains("src") && names.contains("dst") && (names.contains("calldate") || names.contains("start"))
    }

    static func text(_ bytes: [UInt8]) -> String { CSVReader.text(bytes) }
}
