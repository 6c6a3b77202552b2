import Contracts
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The chat's incoming webhook: `POST {"text": …}` (Slack's format; Mattermost and Rocket.Chat
/// take it as is).
struct ChatWebhookChannel: NotificationChannel {
    let client: HTTPClient
    let url: String

    func send(_ message: OutgoingMessage) async throws {
        let text = message.subject.isEmpty ? message.text : "*\(message.subject)*\n\(message.text)"
        try await HTTPDelivery.post(client: client, url: message.address.isEmpty ? url : message.address, key: message.id,
                                    redelivery: message.redelivery, json: ["text": text])
    }
}

/// Telegram Bot API `sendMessage` to the recipient's chat id; the API base URL is configurable
/// (a local Bot API server, or a test's).
struct TelegramChannel: NotificationChannel {
    let client: HTTPClient
    let api: String
    let token: String

    func send(_ message: OutgoingMessage) async throws {
        let text = message.subject.isEmpty ? message.text : "\(message.subject)\n\n\(message.text)"
        let base = api.hasSuffix("/") ? String(api.dropLast()) : api
        try await HTTPDelivery.post(client: client, url: "\(base)/bot\(token)/sendMessage", key: message.id,
                                    redelivery: message.redelivery, json: ["chat_id": message.address, "text": text, "disable_web_page_preview": true])
    }
}

enum HTTPDelivery {
    /// The request's JSON: strings and flags written directly (keys sorted), since
    /// `JSONSerialization` cost more than the rest of a send; anything else goes through it.
    static func body(_ json: [String: Any]) throws -> [UInt8] {
        var out: [UInt8] = [0x7B]
        for (index, key) in json.keys.sorted().enumerated() {
            if index > 0 { out.append(0x2C) }
            EnvelopeWriter.appendJSONString(key, to: &out)
            out.append(0x3A)
            switch json[key] {
            case let text as String: EnvelopeWriter.appendJSONString(text, to: &out)
            case let flag as Bool: out.append(contentsOf: (flag ? "true" : "false").utf8)
            default: return Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
            }
        }
        out.append(0x7D)
        return out
    }

    /// POSTs JSON; 2xx is delivered. 408, 429 and 5xx (and no answer) are worth retrying; other
    /// 4xx are not. Telegram's `parameters.retry_after` and `Retry-After` are honoured.
    /// `Idempotency-Key` is the notification's id: a message sent again after a crash between the
    /// receiver's answer and our record of it carries the same key, so a receiver can drop it;
    /// such a message also says `Pacer-Redelivery: true`.
    static func post(client: HTTPClient, url: String, key: String, redelivery: Bool = false, json: [String: Any]) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key)
        if redelivery { request.headers.add(name: "Pacer-Redelivery", value: "true") }
        request.body = .bytes(ByteBuffer(bytes: try body(json)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(15))
        } catch {
            throw DeliveryError("\(url.components(separatedBy: "/bot").first ?? url): \(error)")
        }
        let body = try await response.body.collect(upTo: 64 << 10)
        let code = Int(response.status.code)
        guard !(200..<300).contains(code) else { return }
        let text = String(buffer: body).prefix(300)
        var retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
        if let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
           let seconds = (object["parameters"] as? [String: Any])?["retry_after"] as? Int {
            retryAfter = .seconds(seconds)
        }
        throw DeliveryError("HTTP \(code): \(text)", permanent: code < 500 && code != 408 && code != 429, retryAfter: retryAfter)
    }
}
