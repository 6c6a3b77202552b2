/// A small event used by the bus tests and `pacer-bench`: a counter increment with an amount.
public struct CounterIncremented: EventPayload, Hashable {
    public static let eventType: EventType = "counter.incremented"
    public var counter: String
    public var amount: Money
    public var note: String
    public init(counter: String, amount: Money, note: String) {
        self.counter = counter; self.amount = amount; self.note = note
    }
}
