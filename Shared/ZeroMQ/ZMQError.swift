import Foundation
import CZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// An error reported by libzmq, carrying its `errno` and libzmq's own message.
public struct ZMQError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let operation: String

    public init(code: Int32 = zmq_errno(), operation: String) {
        self.code = code
        self.operation = operation
    }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))"
    }

    /// EAGAIN: a non-blocking call had nothing to do; not a failure.
    public var isAgain: Bool { code == EAGAIN }
    /// ETERM: the context is shutting down.
    public var isTerminated: Bool { code == ETERM }
}
