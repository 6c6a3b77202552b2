import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS when configured (certificates
/// verified), AUTH PLAIN when a user is set, one message per session. The body is sent base64
/// encoded, which keeps any text — Cyrillic, lines that begin with a dot — intact.
struct SMTPClient: Sendable {
    var host: String
    var port: Int
    var user: String?
    var password: String?
    var from: String
    var startTLS: Bool
    var heloName = "pacer.local"
    var timeout: TimeAmount = .seconds(30)

    struct Reply: Sendable { var code: Int; var lines: [String] }

    func send(to recipient: String, subject: String, body: String, messageId: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let host = host
        try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            func reply() async throws -> Reply {
                var collected: [String] = []
                while let line = try await lines.next() {
                    collected.append(line)
                    // "250-…" continues, "250 …" ends a reply.
                    if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
                        return Reply(code: Int(line.prefix(3)) ?? 0, lines: collected)
                    }
                }
                throw DeliveryError("SMTP: the server closed the connection")
            }
            func expect(_ codes: Set<Int>, _ what: String) async throws -> Reply {
                let answer = try await reply()
                guard codes.contains(answer.code) else {
                    // 5xx is final for this message; 4xx is "try later".
                    throw DeliveryError("SMTP \(what): \(answer.lines.joined(separator: " "))", permanent: answer.code >= 500)
                }
                return answer
            }
            func command(_ text: String, _ codes: Set<Int>, _ what: String) async throws -> Reply {
                try await outbound.write(ByteBuffer(string: text + "\r\n"))
                return try await expect(codes, what)
            }
            _ = try await expect([220], "greeting")
            var hello = try await command("EHLO \(heloName)", [250], "EHLO")
            if startTLS {
                guard hello.lines.contains(where: { $0.uppercased().contains("STARTTLS") }) else {
                    throw DeliveryError("SMTP: \(host) does not offer STARTTLS", permanent: true)
                }
                _ = try await command("STARTTLS", [220], "STARTTLS")
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                let handler = try NIOSSLClientHandler(context: context, serverHostname: host)
                try await channel.channel.pipeline.addHandler(handler, position: .first).get()
                hello = try await command("EHLO \(heloName)", [250], "EHLO after STARTTLS")
            }
            if let user, let password {
                let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
                _ = try await command("AUTH PLAIN \(token)", [235], "AUTH")
            }
            _ = try await command("MAIL FROM:<\(from)>", [250], "MAIL FROM")
            _ = try await command("RCPT TO:<\(recipient)>", [250, 251], "RCPT TO")
            _ = try await command("DATA", [354], "DATA")
            try await outbound.write(ByteBuffer(string: Self.message(from: from, to: recipient, subject: subject, body: body, messageId: messageId)))
            _ = try await command(".", [250], "the message")
            try? await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        }
    }

    /// The message: headers (the subject RFC 2047-encoded), a base64 body in 76-character lines.
    static func message(from: String, to: String, subject: String, body: String, messageId: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encodedBody = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: <\(from)>",
            "To: <\(to)>",
            "Subject: =?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?=",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageId)@pacer>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            encodedBody,
            "",
        ].joined(separator: "\r\n")
    }
}

/// Splits the server's bytes into lines (CRLF or LF).
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else { return .needMoreData }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

/// E-mail through `SMTPClient`.
struct EmailChannel: NotificationChannel {
    let client: SMTPClient

    func send(_ message: OutgoingMessage) async throws {
        do {
            try await client.send(to: message.address, subject: message.subject, body: message.text, messageId: message.id)
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw DeliveryError("SMTP \(client.host):\(client.port): \(error)")
        }
    }
}
