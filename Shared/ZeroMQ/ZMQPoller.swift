import Foundation
import CZeroMQ

/// `zmq_poll` over sockets and plain file descriptors.
public struct ZMQPoller {
    public enum Item {
        case socket(ZMQSocket)
        case fd(Int32)
    }

    private var items: [zmq_pollitem_t] = []

    public init() {}

    public mutating func add(_ item: Item) {
        switch item {
        case .socket(let socket):
            items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0))
        case .fd(let fd):
            items.append(zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0))
        }
    }

    public var count: Int { items.count }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for input; returns the indexes readable.
    public mutating func poll(timeoutMilliseconds: Int) throws -> [Int] {
        let rc = items.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if rc < 0 {
            let error = ZMQError(operation: "zmq_poll")
            if error.code == EINTR { return [] }
            throw error
        }
        guard rc > 0 else { return [] }
        return items.indices.filter { items[$0].revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
