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
