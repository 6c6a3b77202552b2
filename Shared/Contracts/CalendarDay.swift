import Foundation

/// Calendar days as `YYYY-MM-DD`, the form dates take on the wire. A day belongs to a zone: the
/// instant is stored in UTC, the day it falls on is cut in the company's zone.
public enum CalendarDay {
    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// The day `date` falls on in `zone`.
    public static func of(_ date: Date, in zone: TimeZone) -> String {
        let parts = calendar(zone).dateComponents([.year, .month, .day], from: date)
        return format(parts.year!, parts.month!, parts.day!)
    }

    public static func format(_ year: Int, _ month: Int, _ day: Int) -> String {
        let y = String(year), m = month < 10 ? "0\(month)" : String(month), d = day < 10 ? "0\(day)" : String(day)
        return "\(y)-\(m)-\(d)"
    }

    /// (year, month, day) of a valid `YYYY-MM-DD`, checked against the calendar.
    public static func parts(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].count == 4, pieces[1].count == 2, pieces[2].count == 2,
              let y = Int(pieces[0]), let m = Int(pieces[1]), let d = Int(pieces[2]), (1...12).contains(m), d >= 1 else { return nil }
        return d <= daysIn(year: y, month: m) ? (y, m, d) : nil
    }

    public static func isValid(_ text: String) -> Bool { parts(text) != nil }

    public static func daysIn(year: Int, month: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days from `from` to `to` (negative when `to` is earlier); nil for an invalid day.
    public static func days(from: String, to: String) -> Int? {
        guard let a = ordinal(from), let b = ordinal(to) else { return nil }
        return b - a
    }

    /// The day `count` days after `day`.
    public static func adding(_ count: Int, to day: String) -> String? {
        guard let ordinal = ordinal(day) else { return nil }
        return fromOrdinal(ordinal + count)
    }

    /// Days since 1970-01-01 (proleptic Gregorian), by the civil-from-days algorithm.
    static func ordinal(_ day: String) -> Int? {
        guard let (y0, m, d) = parts(day) else { return nil }
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func fromOrdinal(_ z0: Int) -> String {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return format(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The weekday of a day, 1 = Monday … 7 = Sunday.
    public static func weekday(_ day: String) -> Int? {
        guard let ordinal = ordinal(day) else { return nil }
        // 1970-01-01 was a Thursday.
        return ((ordinal % 7 + 7) % 7 + 3) % 7 + 1
    }

    /// The instant a day begins in `zone`.
    public static func start(_ day: String, in zone: TimeZone) -> Date? {
        guard let (y, m, d) = parts(day) else { return nil }
        return calendar(zone).date(from: DateComponents(year: y, month: m, day: d))
    }
}
