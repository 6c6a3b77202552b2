import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// What the simulator says to one running service: JSON or raw bodies over HTTP, with a token.
/// A 4xx or 5xx stops the demo with the service's problem text — a demo that half-loads and
/// carries on would show a dashboard that lies.
struct DemoClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let name: String
    let baseURL: String
    var token: String

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, body: [UInt8]? = nil, contentType: String = "application/json",
              as token: String? = nil, at instant: Date? = nil, accept: Set<Int> = []) async throws -> (status: Int, json: Any?) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token ?? self.token)")
        if let instant { request.headers.add(name: "Pacer-Occurred-At", value: DemoClock.stamp(instant)) }
        if let json {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 * 1024 * 1024)
        let status = Int(response.status.code)
        let decoded = try? JSONSerialization.jsonObject(with: Data(buffer: bytes))
        guard (200..<300).contains(status) || accept.contains(status) else {
            let detail = (decoded as? [String: Any])?["detail"] as? String ?? String(buffer: bytes)
            throw Failure(description: "\(name): \(method.rawValue) \(path) → \(status): \(detail)")
        }
        return (status, decoded)
    }

    func object(_ method: HTTPMethod, _ path: String, json: Any? = nil, at instant: Date? = nil, as token: String? = nil) async throws -> [String: Any] {
        try await send(method, path, json: json, as: token, at: instant).json as? [String: Any] ?? [:]
    }

    /// Waits until `/health` answers 200.
    func waitHealthy(timeout: Duration) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let reply = try? await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/health"), timeout: .seconds(2)),
               reply.status == .ok, let bytes = try? await reply.body.collect(upTo: 1 << 20) {
                return (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "\(name) at \(baseURL) is not healthy") }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// Waits until this service has applied everything `stream` had published (its health lists
    /// the lag per consumed stream) — so calls arrive after the managers and clients they match.
    func waitCaughtUp(on stream: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let health = try await waitHealthy(timeout: timeout)
            let streams = health["consuming"] as? [[String: Any]] ?? []
            if let entry = streams.first(where: { $0["stream"] as? String == stream }),
               (entry["lag"] as? Int ?? 1) == 0, (entry["head"] as? Int ?? 0) > 0 {
                return
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "\(name) did not catch up with \(stream)") }
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}

enum DemoClock {
    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
