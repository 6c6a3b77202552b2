import Foundation

/// The header frame of every event on the bus: ASCII, space-separated, so that a subscriber (in any
/// language) can detect gaps and duplicates without parsing the JSON body:
///
///     1 <publisher> <epoch> <stream> <seq> <eventId> <type>
///
/// A heartbeat has `eventId` `-`, type `$heartbeat` and carries the stream's head sequence as `seq`.
public struct WireHeader: Sendable, Equatable {
    public static let version = "1"
    public static let heartbeatType = "$heartbeat"

    public var publisher: String
    public var epoch: String
    public var stream: String
    public var seq: Int64
    public var eventId: String
    public var type: String

    public init(publisher: String, epoch: String, stream: String, seq: Int64, eventId: String, type: String) {
        self.publisher = publisher; self.epoch = epoch; self.stream = stream; self.seq = seq
        self.eventId = eventId; self.type = type
    }

    public static func heartbeat(publisher: String, epoch: String, stream: String, head: Int64) -> WireHeader {
        WireHeader(publisher: publisher, epoch: epoch, stream: stream, seq: head, eventId: "-", type: heartbeatType)
    }

    public var isHeartbeat: Bool { type == Self.heartbeatType }

    /// The topic frame: `<stream>/<type>`; subscribe to `<stream>/` for a whole stream.
    public var topic: String { "\(stream)/\(type)" }

    public func encoded() -> Data {
        Data("\(Self.version) \(publisher) \(epoch) \(stream) \(seq) \(eventId) \(type)".utf8)
    }

    public init?<Bytes: Collection<UInt8>>(parsing bytes: Bytes) {
        let fields = bytes.split(separator: 0x20, omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0].elementsEqual(Self.version.utf8),
              let seq = Int64(String(decoding: fields[4], as: UTF8.self)), seq >= 0 else { return nil }
        let text = fields.map { String(decoding: $0, as: UTF8.self) }
        guard text[1...3].allSatisfy({ !$0.isEmpty }), !text[5].isEmpty, !text[6].isEmpty else { return nil }
        self.init(publisher: text[1], epoch: text[2], stream: text[3], seq: seq, eventId: text[5], type: text[6])
    }
}

/// Commands and replies of the replay endpoint (a ROUTER; clients use DEALER). See docs/events.md.
public enum ReplayProtocol {
    public static let replay = "REPLAY"        // REPLAY <stream> <fromSeq> <limit>
    public static let status = "STATUS"        // STATUS
    public static let snapshot = "SNAPSHOT"    // SNAPSHOT <stream>
    public static let event = "EVENT"          // EVENT <header> <body>
    public static let end = "END"              // END <publisher> <epoch> <stream> <head>
    public static let truncated = "TRUNCATED"  // TRUNCATED <publisher> <epoch> <stream> <oldest> <head>
    public static let error = "ERROR"          // ERROR <message>
    /// The most rows one REPLAY answers, whatever the client asks: keeps ROUTER under its HWM.
    public static let maxPage = 5_000
}

/// The STATUS reply's JSON frame.
public struct PublisherStatus: Codable, Sendable, Equatable {
    public var publisher: String
    public var epoch: String
    public var streams: [String: Int64]
    public init(publisher: String, epoch: String, streams: [String: Int64]) {
        self.publisher = publisher; self.epoch = epoch; self.streams = streams
    }
}
