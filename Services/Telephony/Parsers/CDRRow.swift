import Contracts
import Foundation

/// One row of an Asterisk CDR file, whatever its layout.
struct CDRRow: Sendable, Equatable {
    var line: Int
    var clid: String
    var src: String
    var dst: String
    var dcontext: String
    var channel: String
    var dstchannel: String
    var lastapp: String
    var start: Date
    var answer: Date?
    var end: Date?
    var duration: Int
    var billsec: Int
    var disposition: String
    var accountcode: String
    var uniqueid: String?
    var userfield: String?
    var linkedid: String?
    var recordingFile: String?

    /// Legs of one call share the linkedid; older layouts have only the uniqueid.
    var callKey: String {
        if let linkedid, !linkedid.isEmpty { return linkedid }
        if let uniqueid, !uniqueid.isEmpty { return uniqueid }
        return "\(src)>\(dst)@\(Int(start.timeIntervalSince1970))"
    }
}

/// The layouts Asterisk (and FreePBX exports) write to files named Master.csv.
enum CDRLayout: String, Sendable {
    /// accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end,
    /// duration, billsec, disposition, amaflags[, uniqueid][, userfield][, peeraccount, linkedid, sequence]
    case cdrCSV = "cdr_csv"
    /// clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
    /// billsec, disposition, amaflags, accountcode, uniqueid, userfield, sequence
    case cdrCustom = "cdr_custom"
    /// A header row names the columns (FreePBX's CDR report export).
    case header
}
