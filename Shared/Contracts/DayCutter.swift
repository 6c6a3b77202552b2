import Foundation

/// Cuts instants into company days (`CalendarDay.of`), remembering the day it cut last: a
/// consumer meets events in time order, mostly many to a day, and a calendar's date components
/// cost more than the rest of projecting a call.
public final class DayCutter: @unchecked Sendable {
    public let zone: TimeZone
    private let lock = NSLock()
    /// The last day cut: `[start, end)` in seconds since 1970, and its name.
    private var start = 0.0, end = 0.0, day = ""

    public init(zone: TimeZone) { self.zone = zone }

    public func day(_ date: Date) -> String {
        let instant = date.timeIntervalSince1970
        if let known = lock.withLock({ instant >= start && instant < end ? self.day : nil }) { return known }
        let day = CalendarDay.of(date, in: zone)
        // The day's own bounds in the zone (a day may be 23 or 25 hours long); left uncached if the
        // calendar cannot say, and never cached around an instant outside them.
        if let first = CalendarDay.start(day, in: zone), let next = CalendarDay.adding(1, to: day), let last = CalendarDay.start(next, in: zone),
           first.timeIntervalSince1970 <= instant, instant < last.timeIntervalSince1970 {
            lock.withLock { (start, end, self.day) = (first.timeIntervalSince1970, last.timeIntervalSince1970, day) }
        }
        return day
    }
}
