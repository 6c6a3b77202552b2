import Contracts
import Foundation

/// A call's CDR legs as kept in its row (`call.legs`): a JSON array with one array per leg —
/// `[legId, line, src, dst, channel, dstchannel, start, answer, end, duration, billsec, disposition,
/// recordingFile]`, instants as seconds since 1970. A later file's leg is merged by its id, so
/// the same file imported again changes nothing.
///
/// Kept in the call's own row rather than a table of legs: storing a new call is then one insert,
/// not three (the leg table's inserts were a fifth of the import's writer time).
struct StoredLegs: Sendable, Equatable {
    struct Leg: Sendable, Equatable {
        var id: String
        var row: CDRRow
    }

    var legs: [Leg] = []

    /// The leg's identity within its call: uniqueid, both channels, start second and destination.
    static func legId(_ row: CDRRow) -> String {
        "\(row.uniqueid ?? "")|\(row.channel)|\(row.dstchannel)|\(Int(row.start.timeIntervalSince1970))|\(row.dst)"
    }

    var ids: Set<String> { Set(legs.map(\.id)) }
    var rows: [CDRRow] { legs.map(\.row) }

    var json: Data {
        var out: [UInt8] = [0x5B]
        func string(_ value: String?) {
            if let value { EnvelopeWriter.appendJSONString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        func number(_ value: Double?) { out.append(contentsOf: (value.map { String($0) } ?? "null").utf8) }
        for (index, leg) in legs.enumerated() {
            let row = leg.row
            if index > 0 { out.append(0x2C) }
            out.append(0x5B)
            string(leg.id); out.append(0x2C)
            out.append(contentsOf: String(row.line).utf8); out.append(0x2C)
            string(row.src); out.append(0x2C)
            string(row.dst); out.append(0x2C)
            string(row.channel); out.append(0x2C)
            string(row.dstchannel); out.append(0x2C)
            number(row.start.timeIntervalSince1970); out.append(0x2C)
            number(row.answer?.timeIntervalSince1970); out.append(0x2C)
            number(row.end?.timeIntervalSince1970); out.append(0x2C)
            out.append(contentsOf: String(row.duration).utf8); out.append(0x2C)
            out.append(contentsOf: String(row.billsec).utf8); out.append(0x2C)
            string(row.disposition); out.append(0x2C)
            string(row.recordingFile)
            out.append(0x5D)
        }
        out.append(0x5D)
        return Data(out)
    }

    init(_ legs: [Leg] = []) { self.legs = legs }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(json: Data) throws {
        guard let items = try JSONSerialization.jsonObject(with: json) as? [[Any]] else { throw Malformed(description: "stored legs are not an array of arrays") }
        legs = try items.map { item in
            guard item.count == 13, let id = item[0] as? String, let line = (item[1] as? NSNumber)?.intValue, let src = item[2] as? String,
                  let dst = item[3] as? String, let channel = item[4] as? String, let dstchannel = item[5] as? String,
                  let start = (item[6] as? NSNumber)?.doubleValue, let duration = (item[9] as? NSNumber)?.intValue,
                  let billsec = (item[10] as? NSNumber)?.intValue, let disposition = item[11] as? String else {
                throw Malformed(description: "a stored leg is malformed: \(item)")
            }
            return Leg(id: id, row: Self.row(line: line, src: src, dst: dst, channel: channel, dstchannel: dstchannel, start: start,
                                             answer: (item[7] as? NSNumber)?.doubleValue, end: (item[8] as? NSNumber)?.doubleValue,
                                             duration: duration, billsec: billsec, disposition: disposition, recordingFile: item[12] as? String))
        }
    }

    /// A leg as stored: the columns merging reads, instants as seconds since 1970; the rest blank.
    static func row(line: Int, src: String, dst: String, channel: String, dstchannel: String, start: Double, answer: Double?, end: Double?,
                    duration: Int, billsec: Int, disposition: String, recordingFile: String?) -> CDRRow {
        CDRRow(line: line, clid: "", src: src, dst: dst, dcontext: "", channel: channel, dstchannel: dstchannel, lastapp: "",
               start: Date(timeIntervalSince1970: start), answer: answer.map(Date.init(timeIntervalSince1970:)),
               end: end.map(Date.init(timeIntervalSince1970:)), duration: duration, billsec: billsec, disposition: disposition,
               accountcode: "", uniqueid: nil, userfield: nil, linkedid: nil, recordingFile: recordingFile)
    }
}
