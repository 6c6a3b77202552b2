import Contracts
import Foundation
import ServiceKit

/// The numbers people type into the dashboard's forms.
enum WebForm {
    /// A target as typed: rubles for money (`1 500 000`, `1500000,50`), whole numbers otherwise.
    /// Money becomes kopecks exactly — the text is split at the decimal mark, never parsed as a Double.
    static func amount(_ text: String?, metric: Metric) throws -> Int64 {
        let cleaned = (text ?? "").filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "\u{202F}" && $0 != "₽" }
            .replacingOccurrences(of: ",", with: ".")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard !cleaned.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), !parts[0].isEmpty,
              let whole = Int64(parts[0]), whole < 10_000_000_000_000 else {
            throw Problem.invalid("target", "must be a positive number")
        }
        if metric.unit != .kopecks {
            guard parts.count == 1 else { throw Problem.invalid("target", "must be a whole number") }
            return whole
        }
        var kopecks = whole * 100
        if parts.count == 2 {
            let fraction = parts[1]
            guard fraction.count <= 2, let value = Int64(fraction.isEmpty ? "0" : fraction) else {
                throw Problem.invalid("target", "has at most two digits of kopecks")
            }
            kopecks += fraction.count == 1 ? value * 10 : value
        }
        return kopecks
    }
}
