import CJemalloc
import Foundation
import ServiceKit
import Testing

@Suite struct AllocatorTests {
    /// The link directive alone would not fail a build that dropped the library (the process would
    /// start on glibc): the process's `malloc` — the one SQLite and Foundation call — is checked.
    @Test func jemallocServesMalloc() {
        #expect(Allocator.servesMalloc)
        #expect(Allocator.jemallocVersion == JEMALLOC_VERSION)
        #expect(Allocator.description == "jemalloc \(JEMALLOC_VERSION)")
    }

    /// What the long-running processes call first: jemalloc's background threads return freed memory.
    @Test func backgroundThreadsOn() {
        #expect(Allocator.configure())
        #expect(Allocator.backgroundThreads)
    }

    /// Memory the C library hands out is jemalloc's: its own size query knows the block.
    @Test func foreignAllocationsAreJemallocs() throws {
        try #require(Allocator.servesMalloc)  // sallocx on glibc's memory would crash, not fail
        let block = try #require(strdup(String(repeating: "п", count: 100)))
        defer { free(block) }
        #expect(malloc_usable_size(block) >= 201)
        #expect(sallocx(block, 0) == malloc_usable_size(block))
    }
}
