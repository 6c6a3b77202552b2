import Foundation
import ZeroMQ

/// ZeroMQ's authentication protocol (ZAP, RFC 27) for CURVE: a REP socket at
/// `inproc://zeromq.zap.01` in the bus loop's context, answering libzmq's questions about each
/// connecting client. Only clients whose public key is listed are let in; everyone else is refused
/// before a single message reaches them.
public struct ZAPHandler: Sendable {
    /// Z85 public keys allowed to connect.
    public var allowedKeys: Set<String>

    public init(allowedKeys: Set<String>) { self.allowedKeys = allowedKeys }

    /// Starts answering on the loop's thread. Call before binding any CURVE server socket.
    public func start(on loop: BusLoop) async throws {
        let allowed = allowedKeys
        try await loop.perform { state in
            let id = try state.open(.rep, context: loop.context) { socket in try socket.bind("inproc://zeromq.zap.01") }
            state.onReadable(id) { socket in
                while let request = try? socket.receive() {
                    // version, request id, domain, address, identity, mechanism, credentials…
                    guard request.count >= 6 else { continue }
                    let version = request[0]
                    let requestId = request[1]
                    let mechanism = String(decoding: request[5], as: UTF8.self)
                    var status = "400"
                    var text = "unknown key"
                    var user = ""
                    if mechanism == "CURVE", request.count >= 7, request[6].count == 32, let key = Z85.encode(request[6]) {
                        if allowed.contains(key) {
                            status = "200"
                            text = "OK"
                            user = key
                        }
                    } else {
                        text = "CURVE required"
                    }
                    _ = try? socket.send([version, requestId, Array(status.utf8), Array(text.utf8), Array(user.utf8), []], dontWait: false)
                }
            }
        }
    }

    /// Reads a file of public keys, one per line (lines starting with `#` are comments), as `pacer-bus keygen` writes them.
    public static func keys(fromFile path: String) throws -> Set<String> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var keys = Set<String>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // `#` is also a Z85 digit: a 40-character line that decodes is a key, whatever it starts with.
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let isKey = line.count == 40 && Z85.decode(line)?.count == 32
            if !isKey && line.hasPrefix("#") { continue }
            guard isKey else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(path) line \(index + 1): not a Z85 public key"])
            }
            keys.insert(line)
        }
        return keys
    }
}
