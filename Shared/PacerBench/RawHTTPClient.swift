import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 keep-alive client over one TCP connection, for load generation: URLSession
/// on Linux costs more per request than the server being measured.
final class RawHTTPClient {
    private let fd: Int32
    private var buffer = [UInt8]()

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends a request and returns the status and body.
    func request(_ method: String, _ path: String, token: String, body: String) throws -> (Int, [UInt8]) {
        let payload = Array(body.utf8)
        let head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
        let bytes = Array(head.utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            sent += n
        }
        while true {
            if let end = headerEnd() {
                let (status, length) = parseHead(end)
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return (status, body)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            buffer += chunk[..<n]
        }
    }

    /// The status code and Content-Length of the head ending at `end`, read from the bytes: the
    /// load generator shares the two cores with the server, so it must cost little.
    private func parseHead(_ end: Int) -> (Int, Int) {
        func number(from start: Int) -> Int {
            var i = start, value = 0
            while i < end, buffer[i] == 0x20 { i += 1 }
            while i < end, buffer[i] >= 0x30, buffer[i] <= 0x39 { value = value * 10 + Int(buffer[i] - 0x30); i += 1 }
            return value
        }
        let status = number(from: 9)      // "HTTP/1.1 200 OK"
        let name = Array("content-length:".utf8)
        var lineStart = 0
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, buffer[lineEnd] != 13 { lineEnd += 1 }
            if lineEnd - lineStart > name.count,
               zip(buffer[lineStart..<(lineStart + name.count)], name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                return (status, number(from: lineStart + name.count))
            }
            lineStart = lineEnd + 2
        }
        return (status, 0)
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }
}
