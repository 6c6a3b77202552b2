import Contracts
import Foundation

/// What a call counts for — the columns of its `fact_call` row that its cells follow from. A call's
/// contribution is not kept in `contribution` as other entities' are: its row says it all, and ten
/// million calls a year repeated there cost the projection a lookup and a row each.
///
/// Calls with a client (incoming or outgoing; not internal) count for the manager on the day they
/// started: total, by direction, answered or missed, and billable seconds as talk time.
struct CallFigures: Equatable, Sendable {
    var managerId: String?
    var direction: String
    var startedAt: Double
    var billableSeconds: Int64
    var answered: Bool

    init(managerId: String?, direction: String, startedAt: Double, billableSeconds: Int64, answered: Bool) {
        self.managerId = managerId; self.direction = direction; self.startedAt = startedAt
        self.billableSeconds = billableSeconds; self.answered = answered
    }

    init(_ call: CallState) {
        self.init(managerId: call.managerId, direction: call.direction.rawValue, startedAt: call.startedAt.timeIntervalSince1970,
                  billableSeconds: Int64(call.billableSeconds), answered: call.answered)
    }

    /// Adds its cells to `aggregate`, or takes them away (`sign` -1).
    func add(to aggregate: AggregateBuffer, sign: Int64, zone: TimeZone) {
        guard direction != CallDirection.internal.rawValue, let managerId else { return }
        let day = CalendarDay.of(Date(timeIntervalSince1970: startedAt), in: zone)
        func cell(_ metric: Metric) -> Cell { Cell(metric: metric, managerId: managerId, day: day) }
        aggregate.add(cell(.calls), sign)
        aggregate.add(cell(direction == CallDirection.outgoing.rawValue ? .callsOutgoing : .callsIncoming), sign)
        aggregate.add(cell(answered ? .callsAnswered : .callsMissed), sign)
        aggregate.add(cell(.talkSeconds), sign * billableSeconds)
    }
}
