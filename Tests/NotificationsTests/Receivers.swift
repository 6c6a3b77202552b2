import Foundation
import Hummingbird
import Logging
import Messaging
import TestSupport

/// A local HTTP server standing in for the chat's incoming webhook (`POST /hook`) and the
/// Telegram Bot API (`POST /botT/sendMessage`); it can be taken "down" (503) and brought back.
/// Telegram chat id `bad` is refused for good (400, as Telegram says for an unknown chat).
final class FakeReceiver: Sendable {
    struct Received: Sendable, Equatable {
        var channel: String; var to: String; var text: String
        /// The `Idempotency-Key` header and whether `Pacer-Redelivery: true` came with it.
        var key = ""; var redelivery = false
    }

    /// What was received and whether the server is down, under a lock.
    final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var received: [Received] = []
        private var down: Bool
        private var probe: (@Sendable (String) async -> Void)?
        init(down: Bool) { self.down = down }
        /// Called with the message's key while its request is open, before the answer.
        var onReceive: (@Sendable (String) async -> Void)? {
            get { lock.withLock { probe } }
            set { lock.withLock { probe = newValue } }
        }
        var isDown: Bool { lock.withLock { down } }
        func set(down value: Bool) { lock.withLock { down = value } }
        func append(_ message: Received) { lock.withLock { received.append(message) } }
        var messages: [Received] { lock.withLock { received } }
    }

    let port: Int
    private let state: State
    private let task: Task<Void, any Error>

    static func start(down: Bool = false) async throws -> FakeReceiver {
        let state = State(down: down)
        let router = Router()
        router.post("hook") { request, context -> Response in
            if state.isDown { return Response(status: .serviceUnavailable) }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as! [String: Any]
            let key = request.headers[.init("Idempotency-Key")!] ?? ""
            await state.onReceive?(key)
            state.append(Received(channel: "chat", to: "hook", text: json["text"] as! String, key: key,
                                  redelivery: request.headers[.init("Pacer-Redelivery")!] == "true"))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        router.post("botT/sendMessage") { request, context -> Response in
            if state.isDown { return Response(status: .badGateway) }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as! [String: Any]
            let chat = "\(json["chat_id"]!)"
            if chat == "bad" {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#)))
            }
            state.append(Received(channel: "telegram", to: chat, text: json["text"] as! String, key: request.headers[.init("Idempotency-Key")!] ?? "",
                                  redelivery: request.headers[.init("Pacer-Redelivery")!] == "true"))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true,"result":{}}"#)))
        }
        let port = AsyncValue<Int>()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: testLogger("receiver"))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        return FakeReceiver(port: await port.value, state: state, task: task)
    }

    private init(port: Int, state: State, task: Task<Void, any Error>) {
        self.port = port; self.state = state; self.task = task
    }

    var messages: [Received] { state.messages }
    func set(down value: Bool) { state.set(down: value) }
    func onReceive(_ probe: @escaping @Sendable (String) async -> Void) { state.onReceive = probe }
    func stop() { task.cancel() }
}

/// aiosmtpd on a free port, writing what it accepts to a file (`Support/smtp_sink.py`).
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let file: String
    private let process: Process

    static func start(dir: TemporaryDirectory) throws -> SMTPSink {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/smtp_sink.py").path
        let file = dir.file("mail.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file]
        let output = Pipe()
        process.standardOutput = output
        // Never the test runner's own streams: a child holding them keeps `swift test` waiting.
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else { process.terminate(); throw CocoaError(.fileReadCorruptFile) }
        return SMTPSink(port: port, file: file, process: process)
    }

    private init(port: Int, file: String, process: Process) { self.port = port; self.file = file; self.process = process }

    var messages: [[String: Any]] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
