import Foundation
import CZeroMQ

/// The socket types Pacer uses.
public enum ZMQSocketType: Int32, Sendable {
    case pub, sub, dealer, router, pair, push, pull, rep, req

    var raw: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pair: ZMQ_PAIR
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .rep: ZMQ_REP
        case .req: ZMQ_REQ
        }
    }
}

/// A libzmq socket. Deliberately not `Sendable`: libzmq sockets must stay on the thread that
/// uses them, so in Pacer only a `BusLoop` thread owns them.
public final class ZMQSocket {
    public private(set) var handle: UnsafeMutableRawPointer?
    public let type: ZMQSocketType

    public init(context: ZMQContext, type: ZMQSocketType) throws {
        guard let handle = zmq_socket(context.handle, type.raw) else {
            throw ZMQError(operation: "zmq_socket")
        }
        self.handle = handle
        self.type = type
        // A closing context waits for unsent messages unless linger is 0; Pacer never relies on
        // in-flight bytes (the outbox keeps them), so never wait.
        try setOption(ZMQ_LINGER, 0)
    }

    deinit { close() }

    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    private func live() throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: "closed socket") }
        return handle
    }

    // MARK: Options

    public func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(try live(), option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError(operation: "zmq_setsockopt(\(option))")
        }
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(try? live(), option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError(operation: "zmq_setsockopt(\(option))") }
    }

    public func setOption(_ option: Int32, _ value: String) throws {
        try setOption(option, bytes: Array(value.utf8))
    }

    public func intOption(_ option: Int32) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(try live(), option, &value, &size) == 0 else {
            throw ZMQError(operation: "zmq_getsockopt(\(option))")
        }
        return value
    }

    public func stringOption(_ option: Int32) throws -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(try live(), option, &buffer, &size) == 0 else {
            throw ZMQError(operation: "zmq_getsockopt(\(option))")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    public var sendHighWaterMark: Int32 {
        get { (try? intOption(ZMQ_SNDHWM)) ?? 0 }
        set { try? setOption(ZMQ_SNDHWM, newValue) }
    }

    public var receiveHighWaterMark: Int32 {
        get { (try? intOption(ZMQ_RCVHWM)) ?? 0 }
        set { try? setOption(ZMQ_RCVHWM, newValue) }
    }

    public func subscribe(_ prefix: String) throws { try setOption(ZMQ_SUBSCRIBE, prefix) }
    public func unsubscribe(_ prefix: String) throws { try setOption(ZMQ_UNSUBSCRIBE, prefix) }

    /// The endpoint actually bound, e.g. `tcp://127.0.0.1:49152` after binding `tcp://127.0.0.1:*`.
    public var lastEndpoint: String { (try? stringOption(ZMQ_LAST_ENDPOINT)) ?? "" }

    /// `ZMQ_EVENTS & ZMQ_POLLIN`: whether a message can be read now. Edge cases of the poller make
    /// this the reliable check before draining a socket.
    public var isReadable: Bool { ((try? intOption(ZMQ_EVENTS)) ?? 0) & ZMQ_POLLIN != 0 }

    // MARK: Endpoints

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(try live(), endpoint) == 0 else { throw ZMQError(operation: "zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(try live(), endpoint) == 0 else { throw ZMQError(operation: "zmq_connect(\(endpoint))") }
    }

    public func disconnect(_ endpoint: String) throws {
        guard zmq_disconnect(try live(), endpoint) == 0 else { throw ZMQError(operation: "zmq_disconnect(\(endpoint))") }
    }

    // MARK: Messages

    /// Sends one multipart message. Returns false when a non-blocking send would block
    /// (PUB never blocks: past its high-water mark libzmq drops, which replay heals).
    @discardableResult
    public func send<Frame: ContiguousBytes>(_ frames: [Frame], dontWait: Bool = true) throws -> Bool {
        let handle = try live()
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let error = ZMQError(operation: "zmq_send")
                // Only the first frame can be refused with EAGAIN; later frames queue atomically.
                if error.isAgain && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one multipart message, or nil when `dontWait` and nothing is queued.
    public func receive(dontWait: Bool = true) throws -> [[UInt8]]? {
        let handle = try live()
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        var more = true
        while more {
            zmq_msg_init(&message)
            let rc = zmq_msg_recv(&message, handle, dontWait ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let error = ZMQError(operation: "zmq_msg_recv")
                zmq_msg_close(&message)
                if error.isAgain && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append([])
            } else {
                let base = zmq_msg_data(&message)!.assumingMemoryBound(to: UInt8.self)
                frames.append(Array(UnsafeBufferPointer(start: base, count: size)))
            }
            more = zmq_msg_more(&message) != 0
            zmq_msg_close(&message)
        }
        return frames
    }
}
