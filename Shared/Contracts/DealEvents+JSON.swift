import Foundation

// The deal events of the pipeline's hot path, and the deal itself (every deal change answers
// with it), write their own JSON (see `JSONWritable`): a stage change spent more on encoding its
// event and its answer than on storing them.

extension DealState: JSONWritable {
    public func writeJSON(_ json: inout JSONWriter) {
        json.object { json in
            json.member("amount", amount)
            json.member("category", category)
            json.member("clientId", clientId)
            json.member("closedAt", closedAt)
            json.member("createdAt", createdAt)
            json.member("dealId", dealId)
            json.member("department", department)
            json.member("expectedCloseDate", expectedCloseDate)
            json.member("isRepeatSale", isRepeatSale)
            json.member("lossReason", lossReason)
            json.member("managerId", managerId)
            json.member("pipelineId", pipelineId)
            json.member("probability", probability)
            json.member("problem", problem)
            json.member("region", region)
            json.member("segment", segment)
            json.member("source", source)
            json.member("stageId", stageId)
            json.member("status", status.rawValue)
            json.member("title", title)
            json.member("version", version)
        }
    }
}

extension DealCreated: JSONWritable {
    public func writeJSON(_ json: inout JSONWriter) {
        json.object { json in
            json.member("authorId", authorId)
            json.key("deal"); deal.writeJSON(&json)
        }
    }
}

extension DealStageChanged: JSONWritable {
    public func writeJSON(_ json: inout JSONWriter) {
        json.object { json in
            json.member("authorId", authorId)
            json.key("deal"); deal.writeJSON(&json)
            json.member("fromStageId", fromStageId)
            json.member("toStageId", toStageId)
        }
    }
}

extension DealWon: JSONWritable {
    public func writeJSON(_ json: inout JSONWriter) {
        json.object { json in
            json.member("authorId", authorId)
            json.key("deal"); deal.writeJSON(&json)
            json.member("fromStageId", fromStageId)
        }
    }
}

extension DealLost: JSONWritable {
    public func writeJSON(_ json: inout JSONWriter) {
        json.object { json in
            json.member("authorId", authorId)
            json.key("deal"); deal.writeJSON(&json)
            json.member("fromStageId", fromStageId)
            json.member("reason", reason)
        }
    }
}

// And read themselves (see `JSONReadable`): the KPI side consumes every one of them.

extension Money: JSONReadable {
    public init(json: inout JSONReader) throws {
        var kopecks: Int64?, currency: String?
        var seen: UInt64 = 0
        try json.object { json, key in
            if key == "kopecks" { try json.once(&seen, 0); kopecks = try json.int64() }
            else if key == "currency" { try json.once(&seen, 1); currency = try json.string() }
            else { try json.skip() }
        }
        guard let kopecks, let currency else { throw json.unreadable() }
        self.init(kopecks: kopecks, currency: currency)
    }
}

extension DealState: JSONReadable {
    public init(json: inout JSONReader) throws {
        var dealId: String?, title: String?, clientId: String?, managerId: String?, amount: Money?
        var category: String?, region: String?, segment: String?, source: String?, pipelineId: String?, stageId: String?
        var department: String?, probability: Int?, status: DealStatus?, isRepeatSale: Bool?, problem: Bool?
        var lossReason: String?, expectedCloseDate: String?, createdAt: Date?, closedAt: Date?, version: Int?
        var seen: UInt64 = 0
        try json.object { json, key in
            if key == "dealId" { try json.once(&seen, 0); dealId = try json.string() }
            else if key == "title" { try json.once(&seen, 1); title = try json.string() }
            else if key == "clientId" { try json.once(&seen, 2); clientId = try json.string() }
            else if key == "managerId" { try json.once(&seen, 3); managerId = try json.string() }
            else if key == "amount" { try json.once(&seen, 4); amount = try Money(json: &json) }
            else if key == "category" { try json.once(&seen, 5); category = try json.optionalString() }
            else if key == "region" { try json.once(&seen, 6); region = try json.optionalString() }
            else if key == "segment" { try json.once(&seen, 7); segment = try json.optionalString() }
            else if key == "source" { try json.once(&seen, 8); source = try json.optionalString() }
            else if key == "pipelineId" { try json.once(&seen, 9); pipelineId = try json.string() }
            else if key == "stageId" { try json.once(&seen, 10); stageId = try json.string() }
            else if key == "department" { try json.once(&seen, 11); department = try json.string() }
            else if key == "probability" { try json.once(&seen, 12); probability = try json.int() }
            else if key == "status" {
                try json.once(&seen, 13)
                guard let value = DealStatus(rawValue: try json.string()) else { throw json.unreadable() }
                status = value
            }
            else if key == "isRepeatSale" { try json.once(&seen, 14); isRepeatSale = try json.bool() }
            else if key == "problem" { try json.once(&seen, 15); problem = try json.bool() }
            else if key == "lossReason" { try json.once(&seen, 16); lossReason = try json.optionalString() }
            else if key == "expectedCloseDate" { try json.once(&seen, 17); expectedCloseDate = try json.optionalString() }
            else if key == "createdAt" { try json.once(&seen, 18); createdAt = try json.date() }
            else if key == "closedAt" { try json.once(&seen, 19); closedAt = try json.optionalDate() }
            else if key == "version" { try json.once(&seen, 20); version = try json.int() }
            else { try json.skip() }
        }
        guard let dealId, let title, let clientId, let managerId, let amount, let pipelineId, let stageId, let department,
              let probability, let status, let isRepeatSale, let problem, let createdAt, let version else { throw json.unreadable() }
        self.init(dealId: dealId, title: title, clientId: clientId, managerId: managerId, amount: amount, category: category,
                  region: region, segment: segment, source: source, pipelineId: pipelineId, stageId: stageId, department: department,
                  probability: probability, status: status, isRepeatSale: isRepeatSale, problem: problem, lossReason: lossReason,
                  expectedCloseDate: expectedCloseDate, createdAt: createdAt, closedAt: closedAt, version: version)
    }

    /// Reads a deal event's object: its `deal` and `authorId` here, any other member it has with
    /// `member` (which answers false for a key it does not know; bits 0 and 1 of `seen` are taken).
    static func readEvent(_ json: inout JSONReader, authorId: inout String?,
                          _ member: (inout JSONReader, JSONReader.Key, inout UInt64) throws -> Bool = { _, _, _ in false }) throws -> DealState {
        var deal: DealState?
        var author: String?
        var seen: UInt64 = 0
        try json.object { json, key in
            if key == "deal" { try json.once(&seen, 0); deal = try DealState(json: &json) }
            else if key == "authorId" { try json.once(&seen, 1); author = try json.optionalString() }
            else if try !member(&json, key, &seen) { try json.skip() }
        }
        guard let deal else { throw json.unreadable() }
        authorId = author
        return deal
    }
}

extension DealCreated: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?
        let deal = try DealState.readEvent(&json, authorId: &authorId)
        self.init(deal: deal, authorId: authorId)
    }
}

extension DealStageChanged: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, fromStageId: String?, toStageId: String?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            if key == "fromStageId" { try json.once(&seen, 2); fromStageId = try json.string(); return true }
            if key == "toStageId" { try json.once(&seen, 3); toStageId = try json.string(); return true }
            return false
        }
        guard let fromStageId, let toStageId else { throw json.unreadable() }
        self.init(deal: deal, fromStageId: fromStageId, toStageId: toStageId, authorId: authorId)
    }
}

extension DealWon: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, fromStageId: String?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            guard key == "fromStageId" else { return false }
            try json.once(&seen, 2); fromStageId = try json.string(); return true
        }
        guard let fromStageId else { throw json.unreadable() }
        self.init(deal: deal, fromStageId: fromStageId, authorId: authorId)
    }
}

extension DealLost: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, fromStageId: String?, reason: String?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            if key == "fromStageId" { try json.once(&seen, 2); fromStageId = try json.string(); return true }
            if key == "reason" { try json.once(&seen, 3); reason = try json.string(); return true }
            return false
        }
        guard let fromStageId, let reason else { throw json.unreadable() }
        self.init(deal: deal, fromStageId: fromStageId, reason: reason, authorId: authorId)
    }
}

extension DealReopened: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, previousStatus: DealStatus?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            guard key == "previousStatus" else { return false }
            try json.once(&seen, 2)
            guard let status = DealStatus(rawValue: try json.string()) else { throw json.unreadable() }
            previousStatus = status
            return true
        }
        guard let previousStatus else { throw json.unreadable() }
        self.init(deal: deal, previousStatus: previousStatus, authorId: authorId)
    }
}

extension DealFlaggedProblem: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, problem: Bool?, comment: String?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            if key == "problem" { try json.once(&seen, 2); problem = try json.bool(); return true }
            if key == "comment" { try json.once(&seen, 3); comment = try json.optionalString(); return true }
            return false
        }
        guard let problem else { throw json.unreadable() }
        self.init(deal: deal, problem: problem, comment: comment, authorId: authorId)
    }
}

extension DealReassigned: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, fromManagerId: String?, toManagerId: String?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            if key == "fromManagerId" { try json.once(&seen, 2); fromManagerId = try json.string(); return true }
            if key == "toManagerId" { try json.once(&seen, 3); toManagerId = try json.string(); return true }
            return false
        }
        guard let fromManagerId, let toManagerId else { throw json.unreadable() }
        self.init(deal: deal, fromManagerId: fromManagerId, toManagerId: toManagerId, authorId: authorId)
    }
}

extension DealAmountChanged: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, from: Money?, to: Money?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            if key == "from" { try json.once(&seen, 2); from = try Money(json: &json); return true }
            if key == "to" { try json.once(&seen, 3); to = try Money(json: &json); return true }
            return false
        }
        guard let from, let to else { throw json.unreadable() }
        self.init(deal: deal, from: from, to: to, authorId: authorId)
    }
}

extension DealUpdated: JSONReadable {
    public init(json: inout JSONReader) throws {
        var authorId: String?, changedFields: [String]?
        let deal = try DealState.readEvent(&json, authorId: &authorId) { json, key, seen in
            guard key == "changedFields" else { return false }
            try json.once(&seen, 2); changedFields = try json.stringArray(); return true
        }
        guard let changedFields else { throw json.unreadable() }
        self.init(deal: deal, changedFields: changedFields, authorId: authorId)
    }
}
