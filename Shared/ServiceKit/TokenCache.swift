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
    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: UInt64
    /// More distinct tokens than this within a lifetime and the cache starts over rather than grow.
    private let capacity = 10_000

    public init(lifetime: Duration = .seconds(1)) {
        let parts = lifetime.components
        self.lifetime = UInt64(max(0, parts.seconds)) * 1_000_000_000 + UInt64(max(0, parts.attoseconds) / 1_000_000_000)
    }

    public func user(forToken token: String) -> AuthUser? {
        let now = DispatchTime.now().uptimeNanoseconds
        return entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.until > now else { entries[token] = nil; return nil }
            return entry.user
        }
    }

    public func remember(_ user: AuthUser, forToken token: String) {
        let until = DispatchTime.now().uptimeNanoseconds + lifetime
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(user: user, until: until)
        }
    }

    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
