import Hummingbird

extension Request {
    /// A query parameter, percent-decoded.
    public func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    /// A whole-number query parameter within `range`; 422 naming it otherwise.
    public func queryInt(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw Problem.invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

/// A page of a list: `items`, and `next` to pass as `after` for the following page.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public var next: String?
    public init(items: [Item], next: String?) { self.items = items; self.next = next }
}
