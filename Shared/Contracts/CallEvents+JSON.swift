import Foundation

// Calls are most of what the KPI side consumes (ten million a year for 300 managers): they read
// themselves (see `JSONReadable`) instead of going through Foundation's decoder.

extension CallState: JSONReadable {
    public init(json: inout JSONReader) throws {
        var callId: String?, revision: Int?, direction: CallDirection?, from: String?, to: String?
        var extension_: String?, managerId: String?, clientId: String?, dealId: String?
        var startedAt: Date?, answeredAt: Date?, endedAt: Date?, durationSeconds: Int?, billableSeconds: Int?
        var answered: Bool?, disposition: String?, recordingURL: String?, source: String?
        var seen: UInt64 = 0
        try json.object { json, key in
            if key == "callId" { try json.once(&seen, 0); callId = try json.string() }
            else if key == "revision" { try json.once(&seen, 1); revision = try json.int() }
            else if key == "direction" {
                try json.once(&seen, 2)
                guard let value = CallDirection(rawValue: try json.string()) else { throw json.unreadable() }
                direction = value
            }
            else if key == "from" { try json.once(&seen, 3); from = try json.string() }
            else if key == "to" { try json.once(&seen, 4); to = try json.string() }
            else if key == "extension" { try json.once(&seen, 5); extension_ = try json.optionalString() }
            else if key == "managerId" { try json.once(&seen, 6); managerId = try json.optionalString() }
            else if key == "clientId" { try json.once(&seen, 7); clientId = try json.optionalString() }
            else if key == "dealId" { try json.once(&seen, 8); dealId = try json.optionalString() }
            else if key == "startedAt" { try json.once(&seen, 9); startedAt = try json.date() }
            else if key == "answeredAt" { try json.once(&seen, 10); answeredAt = try json.optionalDate() }
            else if key == "endedAt" { try json.once(&seen, 11); endedAt = try json.optionalDate() }
            else if key == "durationSeconds" { try json.once(&seen, 12); durationSeconds = try json.int() }
            else if key == "billableSeconds" { try json.once(&seen, 13); billableSeconds = try json.int() }
            else if key == "answered" { try json.once(&seen, 14); answered = try json.bool() }
            else if key == "disposition" { try json.once(&seen, 15); disposition = try json.string() }
            else if key == "recordingURL" { try json.once(&seen, 16); recordingURL = try json.optionalString() }
            else if key == "source" { try json.once(&seen, 17); source = try json.string() }
            else { try json.skip() }
        }
        guard let callId, let revision, let direction, let from, let to, let startedAt, let durationSeconds, let billableSeconds,
              let answered, let disposition, let source else { throw json.unreadable() }
        self.init(callId: callId, revision: revision, direction: direction, from: from, to: to, extension_: extension_,
                  managerId: managerId, clientId: clientId, dealId: dealId, startedAt: startedAt, answeredAt: answeredAt, endedAt: endedAt,
                  durationSeconds: durationSeconds, billableSeconds: billableSeconds, answered: answered, disposition: disposition,
                  recordingURL: recordingURL, source: source)
    }
}

extension CallRecorded: JSONReadable {
    public init(json: inout JSONReader) throws {
        var call: CallState?
        var seen: UInt64 = 0
        try json.object { json, key in
            if key == "call" { try json.once(&seen, 0); call = try CallState(json: &json) } else { try json.skip() }
        }
        guard let call else { throw json.unreadable() }
        self.init(call: call)
    }
}

extension CallUpdated: JSONReadable {
    public init(json: inout JSONReader) throws {
        var call: CallState?, changedFields: [String]?
        var seen: UInt64 = 0
        try json.object { json, key in
            if key == "call" { try json.once(&seen, 0); call = try CallState(json: &json) }
            else if key == "changedFields" { try json.once(&seen, 1); changedFields = try json.stringArray() }
            else { try json.skip() }
        }
        guard let call, let changedFields else { throw json.unreadable() }
        self.init(call: call, changedFields: changedFields)
    }
}
