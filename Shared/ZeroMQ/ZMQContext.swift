import Foundation
import CZeroMQ

/// A libzmq context. libzmq documents contexts as thread-safe, hence `Sendable`.
///
/// Closing blocks until every socket created from it is closed, so close sockets first
/// (they are created with `ZMQ_LINGER` 0, so closing them never waits on the network).
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var closed = false

    public init(ioThreads: Int32 = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError(operation: "zmq_ctx_new") }
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        self.handle = handle
    }

    /// Terminates the context. Idempotent; `deinit` calls it too.
    public func close() {
        guard !closed else { return }
        closed = true
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    deinit { close() }

    /// The linked libzmq's version, e.g. "4.3.4".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
