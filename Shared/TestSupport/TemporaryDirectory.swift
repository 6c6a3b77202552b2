import Foundation

/// A folder of its own for one test (tests run in parallel), removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "pacer") throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the folder and everything in it. A connection closing meanwhile deletes its `-wal`
    /// and `-shm` files under the walk, which stops `removeItem` at the first missing file and
    /// left folders of databases behind in the system's temporary directory: it tries again.
    public func remove() {
        for attempt in 0..<20 {
            try? FileManager.default.removeItem(atPath: path)
            guard FileManager.default.fileExists(atPath: path) else { return }
            if attempt > 0 { Thread.sleep(forTimeInterval: 0.01) }
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; a guard against hangs, not a performance check.
public func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
