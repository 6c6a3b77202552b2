import Foundation
import ServiceKit
import Testing

@Suite("Tokens remembered between requests")
struct TokenCacheTests {
    let anna = AuthUser(userId: "anna", name: "Анна", role: .manager, managerId: "m1")

    @Test("a remembered token answers until its lifetime ends or the cache is cleared; unknown tokens are not there")
    func lifetime() async throws {
        let cache = TokenCache(lifetime: .milliseconds(50))
        #expect(cache.user(forToken: "pct_a") == nil)
        cache.remember(anna, forToken: "pct_a", readAt: cache.generation)
        #expect(cache.user(forToken: "pct_a") == anna)
        #expect(cache.user(forToken: "pct_b") == nil)
        // A token revoked from another process (the command line) is asked of the database again
        // once its entry is older than the lifetime.
        try await Task.sleep(for: .milliseconds(80))
        #expect(cache.user(forToken: "pct_a") == nil)
        cache.remember(anna, forToken: "pct_a", readAt: cache.generation)
        cache.removeAll()
        #expect(cache.user(forToken: "pct_a") == nil)
    }

    @Test("a read overtaken by a clearing (a revocation committed meanwhile) is not remembered")
    func overtaken() {
        let cache = TokenCache()
        let before = cache.generation
        cache.removeAll()
        cache.remember(anna, forToken: "pct_a", readAt: before)
        #expect(cache.user(forToken: "pct_a") == nil)
        cache.remember(anna, forToken: "pct_a", readAt: cache.generation)
        #expect(cache.user(forToken: "pct_a") == anna)
    }

    @Test("the token hash is SHA-256 in lower-case hex")
    func hash() {
        #expect(TokenStore.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
