import Foundation
import ServiceKit
import Contracts
@testable import Notifications
import Testing

@Suite("notification templates")
struct TemplateTests {
    @Test("placeholders are filled in one pass: values are not read again, unknown names and stray braces stay")
    func fill() {
        #expect(Templates.fill("Сделка «{{deal}}» ({{client}}) на {{amount}}", ["deal": "Поставка", "client": "Ромашка", "amount": "1 000,00 ₽"])
                == "Сделка «Поставка» (Ромашка) на 1 000,00 ₽")
        #expect(Templates.fill("{{deal}} / {{amount}}", ["deal": "{{amount}}", "amount": "5 ₽"]) == "{{amount}} / 5 ₽")
        #expect(Templates.fill("{{unknown}} и {{deal}}", ["deal": "Д"]) == "{{unknown}} и Д")
        #expect(Templates.fill("{ {{ }} {{deal", ["deal": "Д"]) == "{ {{ }} {{deal")
        #expect(Templates.fill("{{deal}}{{deal}}", ["deal": "😀"]) == "😀😀")
        #expect(Templates.fill("", [:]) == "")
    }
}

@Suite("webhook request bodies")
struct WebhookBodyTests {
    @Test("strings and flags are written as JSON that parses back to the same values; keys sorted")
    func body() throws {
        let text = "Сделка «Поставка \"А\"»\n\tна 1 000 ₽ \\ \u{01}"
        let bytes = try HTTPDelivery.body(["text": text, "chat_id": "111", "disable_web_page_preview": true])
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
        #expect(parsed["text"] as? String == text)
        #expect(parsed["chat_id"] as? String == "111")
        #expect(parsed["disable_web_page_preview"] as? Bool == true)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"chat_id":"111","disable_web_page_preview":true,"text":"#))
        #expect(String(decoding: try HTTPDelivery.body(["n": 5]), as: UTF8.self) == #"{"n":5}"#)
    }
}

@Suite("notification event payloads")
struct NotificationPayloadTests {
    @Test("the hand-written notification.sent payload is byte for byte what the encoder writes")
    func sameBytes() throws {
        let sent = NotificationSent(notificationId: "n-1", idempotencyKey: "deal.lost:d \"1\":m\\1", channel: "chat", recipient: "Анна\n", attempts: 12)
        #expect(sent.payloadJSON() == (try EventCodec.encodePayload(sent)))
    }
}

@Suite("notifications settings")
struct NotificationsSettingsTests {
    @Test("PACER_IN_DOUBT sets a policy per channel; a wrong one is refused naming the setting")
    func inDoubt() throws {
        let configuration = try NotificationsConfiguration.fromEnvironment(["PACER_IN_DOUBT": "chat=hold, telegram=resend"])
        #expect(configuration.inDoubt == [.chat: .hold, .telegram: .resend])
        #expect(try NotificationsConfiguration.fromEnvironment([:]).inDoubt.isEmpty)
        #expect(throws: ServiceSettings.Invalid.self) { try NotificationsConfiguration.fromEnvironment(["PACER_IN_DOUBT": "chat=maybe"]) }
        #expect(throws: ServiceSettings.Invalid.self) { try NotificationsConfiguration.fromEnvironment(["PACER_IN_DOUBT": "fax=hold"]) }
    }
}
