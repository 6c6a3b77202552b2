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
    func add(to aggregate: AggregateBuffer, sign: Int64, days: DayCutter) {
        guard direction != CallDirection.internal.rawValue, let managerId else { return }
        let outgoing = direction == CallDirection.outgoing.rawValue
        let counts = CallCounts(calls: sign, outgoing: outgoing ? sign : 0, incoming: outgoing ? 0 : sign, answered: answered ? sign : 0,
                                missed: answered ? 0 : sign, talkSeconds: sign * billableSeconds)
        aggregate.add(counts, for: CallDay(managerId: managerId, day: days.day(Date(timeIntervalSince1970: startedAt))))
    }
}

/// A manager's calls on a day: the key calls are summed under in a batch.
struct CallDay: Hashable, Sendable {
    var managerId: String
    var day: String
}

/// What calls add to a manager's day, every call metric at once.
struct CallCounts: Equatable, Sendable {
    var calls: Int64 = 0
    var outgoing: Int64 = 0
    var incoming: Int64 = 0
    var answered: Int64 = 0
    var missed: Int64 = 0
    var talkSeconds: Int64 = 0

    mutating func add(_ other: CallCounts) {
        calls += other.calls; outgoing += other.outgoing; incoming += other.incoming
        answered += other.answered; missed += other.missed; talkSeconds += other.talkSeconds
    }

    var metrics: [(Metric, Int64)] {
        [(.calls, calls), (.callsOutgoing, outgoing), (.callsIncoming, incoming), (.callsAnswered, answered), (.callsMissed, missed),
         (.talkSeconds, talkSeconds)]
    }
}
