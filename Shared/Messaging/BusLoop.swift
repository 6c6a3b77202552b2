import Foundation
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The one thread of a process that owns ZeroMQ sockets.
///
/// libzmq sockets are not thread-safe, and their calls block; Swift's cooperative pool must never
/// block. So every socket lives on this thread, which runs a `zmq_poll` loop; the rest of the
/// program hands it work through `submit`/`perform` (a queue plus a wake-up pipe that the poll also
/// watches) and receives messages through the handlers it registers.
///
/// Configuration: `pollInterval` (default 50 ms) bounds how often tickers run when nothing happens.
public final class BusLoop: @unchecked Sendable {
    public let context: ZMQContext
    public let name: String
    private let pollInterval: Int
    private let pending = Mutex<[@Sendable (BusLoopState) -> Void]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    public init(context: ZMQContext? = nil, name: String = "pacer-bus", pollInterval: Duration = .milliseconds(50)) throws {
        self.context = try context ?? ZMQContext()
        self.name = name
        self.pollInterval = Int(pollInterval.components.seconds * 1000 + pollInterval.components.attoseconds / 1_000_000_000_000_000)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError(code: errno, operation: "pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let thread = Thread { [self] in self.main() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Queues work for the loop thread. Never blocks.
    public func submit(_ work: @escaping @Sendable (BusLoopState) -> Void) {
        let wasEmpty = pending.withLock { queue in
            queue.append(work)
            return queue.count == 1
        }
        if wasEmpty { wake() }
    }

    /// Runs work on the loop thread and returns its result without blocking the caller's thread.
    public func perform<T: Sendable>(_ work: @escaping @Sendable (BusLoopState) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { state in continuation.resume(with: Result { try work(state) }) }
        }
    }

    /// Stops the thread, closes every socket, then the context. Idempotent.
    public func shutdown() {
        let already = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !already else { return }
        wake()
        finished.wait()
        close(wakeRead)
        close(wakeWrite)
        context.close()
    }

    // The thread holds the loop until `shutdown`, so this never runs on the loop's own thread
    // (where waiting for it would deadlock); it only tidies a loop that was shut down already.
    deinit { shutdown() }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func main() {
        let state = BusLoopState()
        var poller = ZMQPoller()
        var polled: [Int] = []
        while !stopped.withLock({ $0 }) {
            if state.dirty {
                poller = ZMQPoller()
                poller.add(.fd(wakeRead))
                polled = state.readers.keys.sorted()
                for id in polled { poller.add(.socket(state.readers[id]!.socket)) }
                state.dirty = false
            }
            let ready = (try? poller.poll(timeoutMilliseconds: pollInterval)) ?? []
            if ready.first == 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &buffer, buffer.count) > 0 {}
            }
            let work = pending.withLock { queue in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            for item in work { item(state) }
            for index in ready where index > 0 {
                let id = polled[index - 1]
                if let reader = state.readers[id] { reader.handler(reader.socket) }
            }
            let now = ContinuousClock.now
            for ticker in state.tickers.values { ticker(now) }
        }
        // Run what was queued before the stop so that no `perform` caller waits forever.
        for item in pending.withLock({ queue in defer { queue.removeAll() }; return queue }) { item(state) }
        state.closeAll()
        finished.signal()
    }
}

/// Identifies a socket owned by a `BusLoop`; the socket itself never leaves the loop thread.
public struct SocketID: Hashable, Sendable {
    let raw: Int
}

/// What loop work can touch: the sockets, their read handlers and the tickers. Only ever used on the
/// loop thread.
public final class BusLoopState {
    fileprivate var readers: [Int: (socket: ZMQSocket, handler: (ZMQSocket) -> Void)] = [:]
    fileprivate var tickers: [Int: (ContinuousClock.Instant) -> Void] = [:]
    private var sockets: [Int: ZMQSocket] = [:]
    private var nextID = 0
    fileprivate var dirty = true
    fileprivate init() {}

    public func open(_ type: ZMQSocketType, context: ZMQContext, configure: (ZMQSocket) throws -> Void) throws -> SocketID {
        let socket = try ZMQSocket(context: context, type: type)
        do { try configure(socket) } catch { socket.close(); throw error }
        nextID += 1
        sockets[nextID] = socket
        return SocketID(raw: nextID)
    }

    public func socket(_ id: SocketID) -> ZMQSocket? { sockets[id.raw] }

    /// Calls `handler` whenever the socket has input; the handler drains what it wants.
    public func onReadable(_ id: SocketID, _ handler: @escaping (ZMQSocket) -> Void) {
        guard let socket = sockets[id.raw] else { return }
        readers[id.raw] = (socket, handler)
        dirty = true
    }

    /// Calls `tick` after every poll cycle (at least every poll interval).
    public func addTicker(_ tick: @escaping (ContinuousClock.Instant) -> Void) -> Int {
        nextID += 1
        tickers[nextID] = tick
        return nextID
    }

    public func removeTicker(_ id: Int) { tickers[id] = nil }

    public func close(_ id: SocketID) {
        readers[id.raw] = nil
        sockets.removeValue(forKey: id.raw)?.close()
        dirty = true
    }

    fileprivate func closeAll() {
        readers.removeAll()
        tickers.removeAll()
        for socket in sockets.values { socket.close() }
        sockets.removeAll()
    }
}
