import Contracts

/// Working days: Monday to Friday except the holidays, plus the working weekends (Russia moves
/// days off: a Saturday can be a working day). Pace is fact against the share of working days
/// elapsed.
public struct WorkCalendar: Sendable, Equatable {
    public var holidays: Set<String>
    public var workingWeekends: Set<String>

    public init(holidays: Set<String> = [], workingWeekends: Set<String> = []) {
        self.holidays = holidays
        self.workingWeekends = workingWeekends
    }

    public func isWorking(_ day: String) -> Bool {
        if workingWeekends.contains(day) { return true }
        if holidays.contains(day) { return false }
        return (CalendarDay.weekday(day) ?? 1) <= 5
    }

    /// Working days of the period, and how many of them are over by the end of `today`.
    public func progress(_ period: Period, today: String) -> (total: Int, elapsed: Int) {
        var total = 0, elapsed = 0
        for day in period.days where isWorking(day) {
            total += 1
            if day <= today { elapsed += 1 }
        }
        return (total, elapsed)
    }
}
