import Foundation
import Synchronization

/// Tokens resolved in the last second, so that a busy client's requests do not each hash the
/// token and open a read transaction: at thousands of requests a second that was a fifth of the
/// CPU. Only known tokens are remembered (a flood of made-up tokens cannot fill it).
///
/// Changes made through this service's HTTP API (`/admin/users…`) clear it at once; a token
/// revoked by the command line, from another process, stops working within `lifetime`
/// (default 1 s).
public final class TokenCache: Sendable {
    private struct Entry { var user: AuthUser; var until: UInt64 }
    private struct State { var entries: [String: Entry] = [:]; var generation: UInt64 = 0 }
    private let state = Mutex(State())
    private let lifetime: UInt64
    /// More distinct tokens than this within a lifetime and the cache starts over rather than grow.
    private let capacity = 10_000

    public init(lifetime: Duration = .seconds(1)) {
        let parts = lifetime.components
        self.lifetime = UInt64(max(0, parts.seconds)) * 1_000_000_000 + UInt64(max(0, parts.attoseconds) / 1_000_000_000)
    }

    public func user(forToken token: String) -> AuthUser? {
        let now = DispatchTime.now().uptimeNanoseconds
        return state.withLock { state in
            guard let entry = state.entries[token] else { return nil }
            guard entry.until > now else { state.entries[token] = nil; return nil }
            return entry.user
        }
    }

    /// Taken before reading a token from the database, and handed to `remember`: a read that a
    /// `removeAll` overtook (a revocation committed meanwhile) is not remembered.
    public var generation: UInt64 { state.withLock { $0.generation } }

    public func remember(_ user: AuthUser, forToken token: String, readAt generation: UInt64) {
        let until = DispatchTime.now().uptimeNanoseconds + lifetime
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[token] = Entry(user: user, until: until)
        }
    }

    public func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation &+= 1
        }
    }
}
