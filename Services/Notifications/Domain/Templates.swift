import Contracts
import Foundation
import GRDB

/// Message texts: Russian by default, English available, each editable (`PUT /templates`).
/// `{{name}}` is replaced by the value the rule supplies.
public enum Templates {
    public static let defaults: [String: [String: String]] = [
        "ru": [
            "deal.lost.subject": "Сделка проиграна: {{deal}}",
            "deal.lost.text": "{{manager}}: сделка «{{deal}}» ({{client}}) на {{amount}} проиграна на этапе «{{stage}}». Причина: {{reason}}.",
            "deal.problem.subject": "Проблемная сделка: {{deal}}",
            "deal.problem.text": "Сделка «{{deal}}» ({{client}}, {{amount}}, менеджер {{manager}}) отмечена как проблемная: {{comment}}",
            "task.overdue.subject": "Просрочена задача: {{task}}",
            "task.overdue.text": "{{manager}}, задача «{{task}}» просрочена: срок был {{due}}.",
            "task.escalation.subject": "Задача так и не выполнена: {{task}}",
            "task.escalation.text": "Задача «{{task}}» менеджера {{manager}} просрочена (срок {{due}}) и до сих пор не выполнена.",
            "plan.behind.subject": "Отставание от плана: {{manager}}",
            "plan.behind.text": "{{manager}}: {{metric}} за {{period}} — {{fact}} из {{target}}; к сегодняшнему дню ожидалось {{expected}}.",
            "plan.recovered.subject": "План снова в графике: {{manager}}",
            "plan.recovered.text": "{{manager}}: {{metric}} за {{period}} — {{fact}} из {{target}}, темп восстановлен.",
            "receivable.overdue.subject": "Просрочена оплата: {{client}}",
            "receivable.overdue.text": "Счёт {{invoice}} клиента {{client}}: не оплачено {{outstanding}}, срок был {{due}} ({{days}} дн. назад).",
            "payment.matched.subject": "Оплата от {{client}}",
            "payment.matched.text": "Поступила оплата {{amount}} от {{client}}{{deal}}, {{day}}.",
            "approval.requested.subject": "Нужно согласование: {{subject}}",
            "approval.requested.text": "{{manager}} просит согласовать «{{subject}}» по сделке «{{deal}}» ({{client}}) на {{amount}}.{{attachment}} Решить: {{link}}",
            "digest.evening.subject": "Оплаты за {{day}}",
            "digest.evening.text": "{{lines}}\nИтого: {{total}} ({{count}} платежей)",
            "digest.evening.empty": "Оплат за день не было.",
            "digest.morning.subject": "План на {{day}}",
            "digest.morning.text": "{{lines}}",
            "digest.morning.empty": "Планов на текущий период нет.",
            "test.subject": "Проверка канала",
            "unmatched": "не разнесено",
            "status.behind": "отстаёт", "status.on_track": "в графике", "status.ahead": "опережает",
            "metric.won_amount": "выручка", "metric.cash_received": "поступления", "metric.won_deals": "сделки",
            "metric.calls": "звонки", "metric.meetings": "встречи", "metric.new_clients": "новые клиенты",
        ],
        "en": [
            "deal.lost.subject": "Deal lost: {{deal}}",
            "deal.lost.text": "{{manager}}: deal “{{deal}}” ({{client}}) for {{amount}} was lost at “{{stage}}”. Reason: {{reason}}.",
            "deal.problem.subject": "Problem deal: {{deal}}",
            "deal.problem.text": "Deal “{{deal}}” ({{client}}, {{amount}}, manager {{manager}}) is flagged as a problem: {{comment}}",
            "task.overdue.subject": "Task overdue: {{task}}",
            "task.overdue.text": "{{manager}}, task “{{task}}” is overdue: it was due {{due}}.",
            "task.escalation.subject": "Task still not done: {{task}}",
            "task.escalation.text": "Task “{{task}}” of {{manager}} was due {{due}} and is still not done.",
            "plan.behind.subject": "Behind plan: {{manager}}",
            "plan.behind.text": "{{manager}}: {{metric}} for {{period}} is {{fact}} of {{target}}; {{expected}} was expected by today.",
            "plan.recovered.subject": "Back on track: {{manager}}",
            "plan.recovered.text": "{{manager}}: {{metric}} for {{period}} is {{fact}} of {{target}}, back on pace.",
            "receivable.overdue.subject": "Payment overdue: {{client}}",
            "receivable.overdue.text": "Invoice {{invoice}} of {{client}}: {{outstanding}} unpaid, due {{due}} ({{days}} days ago).",
            "payment.matched.subject": "Payment from {{client}}",
            "payment.matched.text": "{{amount}} received from {{client}}{{deal}}, {{day}}.",
            "approval.requested.subject": "Approval needed: {{subject}}",
            "approval.requested.text": "{{manager}} asks you to approve “{{subject}}” for deal “{{deal}}” ({{client}}), {{amount}}.{{attachment}} Decide: {{link}}",
            "digest.evening.subject": "Payments on {{day}}",
            "digest.evening.text": "{{lines}}\nTotal: {{total}} ({{count}} payments)",
            "digest.evening.empty": "No payments today.",
            "digest.morning.subject": "Plans on {{day}}",
            "digest.morning.text": "{{lines}}",
            "digest.morning.empty": "No plans for the current period.",
            "test.subject": "Channel check",
            "unmatched": "unmatched",
            "status.behind": "behind", "status.on_track": "on track", "status.ahead": "ahead",
            "metric.won_amount": "won amount", "metric.cash_received": "cash received", "metric.won_deals": "won deals",
            "metric.calls": "calls", "metric.meetings": "meetings", "metric.new_clients": "new clients",
        ],
    ]

    public static let locales = ["ru", "en"]

    /// The text of `key` in `locale`: an override if one is stored, else the default.
    static func text(_ key: String, locale: String, _ db: Database) throws -> String {
        if let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT text FROM template_override WHERE key = ? AND locale = ?"),
                                            arguments: [key, locale]) { return stored }
        return defaults[locale]?[key] ?? defaults["ru"]?[key] ?? key
    }

    static func render(_ key: String, locale: String, _ values: [String: String], _ db: Database) throws -> String {
        fill(try text(key, locale: locale, db), values)
    }

    /// Puts each `{{name}}` of `template` in one pass: a value is never read for placeholders
    /// itself (a deal titled "{{amount}}" stays so), and an unknown name is left as written.
    /// One pass over the bytes also keeps Foundation's `replacingOccurrences`, the largest cost
    /// of storing a notification, off the consumer's path.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        let bytes = Array(template.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 64)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x7B, index + 1 < bytes.count, bytes[index + 1] == 0x7B {
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == 0x7D && bytes[end + 1] == 0x7D) { end += 1 }
                if end + 1 < bytes.count, let value = values[String(decoding: bytes[(index + 2)..<end], as: UTF8.self)] {
                    out.append(contentsOf: value.utf8)
                    index = end + 2
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 150 000,00 ₽ in Russian; RUB 150,000.00 in English.
    public static func money(_ kopecks: Int64, currency: String = "RUB", locale: String) -> String {
        let negative = kopecks < 0
        let magnitude = kopecks.magnitude
        let rubles = String(magnitude / 100)
        let cents = magnitude % 100
        var grouped = ""
        for (index, digit) in rubles.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(locale == "ru" ? "\u{00A0}" : ",") }
            grouped.append(digit)
        }
        let whole = String(grouped.reversed())
        let fraction = (cents < 10 ? "0" : "") + String(cents)
        let sign = negative ? "-" : ""
        if locale == "ru" { return "\(sign)\(whole),\(fraction)\u{00A0}\(currency == "RUB" ? "₽" : currency)" }
        return "\(sign)\(currency) \(whole).\(fraction)"
    }

    /// A figure in its metric's unit.
    static func figure(_ value: Int64, metric: String, locale: String) -> String {
        switch metric {
        case "won_amount", "cash_received": money(value, locale: locale)
        case "talk_seconds": "\(value / 60) " + (locale == "ru" ? "мин" : "min")
        default: String(value)
        }
    }
}
