import Synchronization

/// A value set once and awaited by any number of tasks, e.g. the endpoint a socket actually bound.
public final class AsyncValue<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, Never>])
        case ready(Value)
    }
    private let state = Mutex(State.waiting([]))

    public init() {}

    public func set(_ value: Value) {
        let waiters: [CheckedContinuation<Value, Never>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .ready(value)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    public var current: Value? {
        state.withLock { if case .ready(let value) = $0 { value } else { nil } }
    }

    public var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let ready: Value? = state.withLock { state in
                    switch state {
                    case .ready(let value): return value
                    case .waiting(var waiters):
                        waiters.append(continuation)
                        state = .waiting(waiters)
                        return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
