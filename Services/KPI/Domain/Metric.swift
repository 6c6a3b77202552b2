/// What Pacer counts, each in one unit. Every metric is a sum of per-day contributions, so any
/// period's value is the sum over its days and a plan on any metric compares like with like.
public enum Metric: String, CaseIterable, Codable, Sendable {
    case wonAmount = "won_amount"
    case wonDeals = "won_deals"
    case cashReceived = "cash_received"
    case firstSales = "first_sales"
    case repeatSales = "repeat_sales"
    case dealsCreated = "deals_created"
    case lostDeals = "lost_deals"
    case newLeads = "new_leads"
    case newClients = "new_clients"
    case newContacts = "new_contacts"
    case calls
    case callsOutgoing = "calls_outgoing"
    case callsIncoming = "calls_incoming"
    case callsAnswered = "calls_answered"
    case callsMissed = "calls_missed"
    case talkSeconds = "talk_seconds"
    case meetings
    case proposals
    case emails

    public enum Unit: String, Codable, Sendable { case kopecks, count, seconds }

    public var unit: Unit {
        switch self {
        case .wonAmount, .cashReceived: .kopecks
        case .talkSeconds: .seconds
        default: .count
        }
    }
}
