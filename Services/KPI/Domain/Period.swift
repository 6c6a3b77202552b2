import Contracts
import Foundation

/// A plan or report period: a month (`2026-11`), quarter (`2026-Q4`), half-year (`2026-H2`) or
/// year (`2026`), as calendar days in the company's zone.
public struct Period: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable { case month, quarter, half, year }

    public var kind: Kind
    public var year: Int
    /// Month 1–12, quarter 1–4, half 1–2; 1 for a year.
    public var index: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 4, let year = Int(first), (1900...2999).contains(year) else { return nil }
        self.year = year
        if parts.count == 1 { kind = .year; index = 1; return }
        guard parts.count == 2 else { return nil }
        let rest = parts[1]
        if rest.hasPrefix("Q"), let q = Int(rest.dropFirst()), (1...4).contains(q), rest.count == 2 { kind = .quarter; index = q }
        else if rest.hasPrefix("H"), let h = Int(rest.dropFirst()), (1...2).contains(h), rest.count == 2 { kind = .half; index = h }
        else if rest.count == 2, let m = Int(rest), (1...12).contains(m) { kind = .month; index = m }
        else { return nil }
    }

    public init(kind: Kind, year: Int, index: Int) { self.kind = kind; self.year = year; self.index = index }

    /// The month, quarter, half or year that `day` falls in.
    public static func containing(_ day: String, kind: Kind) -> Period {
        let (y, m, _) = CalendarDay.parts(day)!
        switch kind {
        case .month: return Period(kind: .month, year: y, index: m)
        case .quarter: return Period(kind: .quarter, year: y, index: (m - 1) / 3 + 1)
        case .half: return Period(kind: .half, year: y, index: (m - 1) / 6 + 1)
        case .year: return Period(kind: .year, year: y, index: 1)
        }
    }

    public var description: String {
        switch kind {
        case .month: "\(year)-\(index < 10 ? "0" : "")\(index)"
        case .quarter: "\(year)-Q\(index)"
        case .half: "\(year)-H\(index)"
        case .year: "\(year)"
        }
    }

    private var months: ClosedRange<Int> {
        switch kind {
        case .month: index...index
        case .quarter: (index - 1) * 3 + 1...index * 3
        case .half: (index - 1) * 6 + 1...index * 6
        case .year: 1...12
        }
    }

    public var firstDay: String { CalendarDay.format(year, months.lowerBound, 1) }
    public var lastDay: String { CalendarDay.format(year, months.upperBound, CalendarDay.daysIn(year: year, month: months.upperBound)) }

    /// Every day of the period, in order.
    public var days: [String] {
        var result: [String] = []
        var day = firstDay
        while day <= lastDay {
            result.append(day)
            day = CalendarDay.adding(1, to: day)!
        }
        return result
    }
}
