import Contracts
import Foundation

/// The dashboard's language: Russian by default, English when the `pacer_lang` cookie says so.
/// Every word on a page goes through `subscript(key)`, so a page never mixes the two.
enum WebLanguage: String, CaseIterable, Sendable {
    case ru, en

    subscript(_ key: String) -> String {
        let entry = WebLanguage.words[key]
        return (self == .ru ? entry?.0 : entry?.1) ?? key
    }

    /// 1234567.89 ₽ as `1 234 567,89 ₽` (ru) or `₽1,234,567.89` (en); whole rubles drop the kopecks.
    func money(_ kopecks: Int64) -> String {
        let cents = abs(kopecks) % 100
        var text = grouped(abs(kopecks) / 100)
        if cents != 0 { text += (self == .ru ? "," : ".") + (cents < 10 ? "0" : "") + String(cents) }
        text = self == .ru ? text + "\u{00A0}₽" : "₽" + text
        return kopecks < 0 ? "−" + text : text
    }

    func count(_ value: Int64) -> String { (value < 0 ? "−" : "") + grouped(abs(value)) }

    /// Thousands apart: a narrow no-break space in Russian, a comma in English.
    private func grouped(_ value: Int64) -> String {
        var digits = String(value)
        var groups: [String] = []
        while digits.count > 3 { groups.insert(String(digits.suffix(3)), at: 0); digits.removeLast(3) }
        groups.insert(digits, at: 0)
        return groups.joined(separator: self == .ru ? "\u{202F}" : ",")
    }

    /// Talk time as `3 ч 05 мин` / `3 h 05 min`.
    func duration(_ seconds: Int64) -> String {
        let hours = seconds / 3600, minutes = seconds % 3600 / 60
        let m = minutes < 10 ? "0\(minutes)" : "\(minutes)"
        return self == .ru ? "\(hours)\u{00A0}ч \(m)\u{00A0}мин" : "\(hours)\u{00A0}h \(m)\u{00A0}min"
    }

    func value(_ value: Int64, _ metric: Metric) -> String {
        switch metric.unit {
        case .kopecks: money(value)
        case .seconds: duration(value)
        case .count: count(value)
        }
    }

    func percent(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return (self == .ru ? text.replacingOccurrences(of: ".", with: ",") : text) + "\u{00A0}%"
    }

    func metric(_ metric: Metric) -> String { self["metric." + metric.rawValue] }

    func period(_ period: Period) -> String {
        switch period.kind {
        case .month: return self["month.\(period.index)"] + " \(period.year)"
        case .quarter: return "Q\(period.index) \(period.year)"
        case .half: return self["half.\(period.index)"] + " \(period.year)"
        case .year: return "\(period.year)"
        }
    }

    /// The instant in the company zone as `22.11 14:05`.
    func dateTime(_ seconds: Double, zone: TimeZone) -> String {
        let date = Date(timeIntervalSince1970: seconds)
        let day = CalendarDay.of(date, in: zone)
        let minutes = Int(seconds + Double(zone.secondsFromGMT(for: date))) / 60
        let hh = (minutes / 60) % 24, mm = minutes % 60
        let p = day.split(separator: "-")
        return "\(p[2]).\(p[1]) \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm)"
    }

    func day(_ day: String) -> String {
        let p = day.split(separator: "-")
        guard p.count == 3 else { return day }
        return self == .ru ? "\(p[2]).\(p[1]).\(p[0])" : day
    }

    private static let words: [String: (String, String)] = [
        "app": ("Pacer — отдел продаж", "Pacer — sales department"),
        "nav.overview": ("Обзор", "Overview"), "nav.leaderboard": ("Рейтинг", "Leaderboard"), "nav.funnel": ("Воронка", "Funnel"),
        "nav.receivables": ("Дебиторка", "Receivables"), "nav.activity": ("Активность", "Activity"),
        "nav.attention": ("Внимание", "Attention"), "nav.approvals": ("Согласования", "Approvals"),
        "nav.plans": ("Планы", "Plans"), "nav.bonus": ("Мотивация", "Bonus schemes"), "nav.card": ("Моя карточка", "My card"),
        "logout": ("Выйти", "Log out"), "login": ("Вход", "Log in"), "login.token": ("Токен доступа", "Access token"),
        "login.hint": ("Тот же токен, что и для API (pacer-kpi tokens issue …)", "The same token as for the API (pacer-kpi tokens issue …)"),
        "login.bad": ("Неизвестный или отозванный токен", "Unknown or revoked token"),
        "login.integration": ("У интеграций нет доступа к панели", "Integrations have no access to the dashboard"),
        "forbidden": ("Эта страница не для вашей роли", "This page is not for your role"),
        "notfound": ("Не найдено", "Not found"),
        "period.month": ("Месяц", "Month"), "period.quarter": ("Квартал", "Quarter"), "period.half": ("Полугодие", "Half-year"),
        "period.year": ("Год", "Year"),
        "half.1": ("1-е полугодие", "H1"), "half.2": ("2-е полугодие", "H2"),
        "month.1": ("Январь", "January"), "month.2": ("Февраль", "February"), "month.3": ("Март", "March"), "month.4": ("Апрель", "April"),
        "month.5": ("Май", "May"), "month.6": ("Июнь", "June"), "month.7": ("Июль", "July"), "month.8": ("Август", "August"),
        "month.9": ("Сентябрь", "September"), "month.10": ("Октябрь", "October"), "month.11": ("Ноябрь", "November"),
        "month.12": ("Декабрь", "December"),
        "plan": ("План", "Plan"), "fact": ("Факт", "Fact"), "remaining": ("Осталось", "Remaining"), "completion": ("Выполнение", "Completion"),
        "expected": ("Ожидалось к сегодня", "Expected by today"), "projected": ("Прогноз на конец", "Projected at the end"),
        "pace": ("Темп", "Pace"), "pace.behind": ("Отстаёт", "Behind"), "pace.on_track": ("В графике", "On track"),
        "pace.ahead": ("Опережает", "Ahead"), "noplan": ("План не задан", "No plan set"),
        "workdays": ("Рабочих дней прошло", "Working days elapsed"),
        "forecast": ("Прогноз выручки", "Revenue forecast"), "forecast.won": ("Выиграно", "Won so far"),
        "forecast.pipeline": ("Взвешенная воронка", "Weighted pipeline"), "forecast.total": ("Прогноз", "Forecast"),
        "forecast.runRate": ("По текущему темпу", "At the run rate"), "forecast.open": ("Открытых сделок", "Open deals"),
        "chart.byMonth": ("План и факт по месяцам", "Plan and fact by month"),
        "manager": ("Менеджер", "Manager"), "team": ("Команда", "Team"), "rank": ("Место", "Rank"),
        "sortby": ("Сортировать по", "Sort by"), "by.value": ("значению", "value"), "by.completion": ("выполнению", "completion"),
        "stage": ("Этап", "Stage"), "department": ("Отдел", "Department"), "deals": ("Сделки", "Deals"),
        "conversion": ("Конверсия в следующий", "Conversion to next"), "avgdays": ("Дней на этапе", "Days in stage"),
        "funnel.created": ("Создано", "Created"), "funnel.won": ("Выиграно", "Won"), "funnel.lost": ("Проиграно", "Lost"),
        "funnel.overall": ("Общая конверсия", "Overall conversion"), "funnel.reasons": ("Причины проигрыша", "Why deals are lost"),
        "funnel.lostAt": ("Где теряем", "Where deals are lost"), "funnel.worst": ("Узкое место", "Bottleneck"),
        "funnel.departments": ("Время по отделам, дней", "Time by department, days"),
        "client": ("Клиент", "Client"), "invoice": ("Счёт", "Invoice"), "due": ("Срок", "Due"), "outstanding": ("Долг", "Outstanding"),
        "receivables.overdue": ("Просрочено", "Overdue"), "receivables.due": ("Ожидается в этом периоде", "Due this period"),
        "receivables.later": ("Позже", "Later"), "total": ("Итого", "Total"), "nothing": ("Нет", "None"),
        "calls": ("Звонки", "Calls"), "answered": ("Отвечено", "Answered"), "talk": ("Разговоры", "Talk time"),
        "meetings": ("Встречи", "Meetings"), "proposals": ("КП", "Proposals"), "emails": ("Письма", "E-mails"),
        "touchesOnDeals": ("Касаний по сделкам", "Touches on deals"), "wonDeals": ("Выиграно сделок", "Deals won"),
        "activity.flag": ("Много касаний, мало сделок", "Many touches, few deals"),
        "forgotten": ("Забытые клиенты", "Forgotten clients"), "lastTouch": ("Последнее касание", "Last touch"),
        "days": ("Дней", "Days"), "never": ("никогда", "never"), "stuck": ("Зависшие сделки", "Stuck deals"),
        "approvals.none": ("Нет согласований, ждущих решения", "No approvals waiting"),
        "approve": ("Согласовать", "Approve"), "reject": ("Отклонить", "Reject"), "comment": ("Комментарий", "Comment"),
        "subject": ("Предмет", "Subject"), "amount": ("Сумма", "Amount"), "requester": ("Запросил", "Requested by"),
        "attachment": ("Файл", "File"), "requestedAt": ("Когда", "When"),
        "approval.done.approved": ("Согласовано", "Approved"), "approval.done.rejected": ("Отклонено", "Rejected"),
        "approval.failed": ("pacer-deals не принял решение", "pacer-deals did not take the decision"),
        "approvals.recent": ("Недавние решения", "Recent decisions"),
        "card.goals": ("Цели", "Goals"), "card.calls": ("Последние звонки", "Recent calls"), "card.deals": ("Сделки", "Deals"),
        "card.clients": ("Клиенты", "Clients"), "card.payments": ("Поступления", "Payments"), "card.bonus": ("Бонус за период", "Bonus so far"),
        "card.nobonus": ("Схема мотивации не задана", "No bonus scheme set"), "card.rank": ("Место в рейтинге", "Rank"),
        "card.overdueTasks": ("Просроченных задач", "Overdue tasks"), "card.receivablesOverdue": ("Просроченная дебиторка", "Overdue receivables"),
        "direction.incoming": ("входящий", "incoming"), "direction.outgoing": ("исходящий", "outgoing"), "direction.internal": ("внутренний", "internal"),
        "missed": ("пропущен", "missed"), "status": ("Статус", "Status"), "status.open": ("в работе", "open"),
        "status.won": ("выиграна", "won"), "status.lost": ("проиграна", "lost"), "status.pending": ("ждёт", "pending"),
        "status.approved": ("согласовано", "approved"), "status.rejected": ("отклонено", "rejected"),
        "date": ("Дата", "Date"), "payer": ("Плательщик", "Payer"), "unmatched": ("не разнесён", "not matched"),
        "plans.scope": ("Для кого", "For"), "plans.metric": ("Показатель", "Metric"), "plans.period": ("Период", "Period"),
        "plans.target": ("Цель", "Target"), "plans.history": ("История", "History"), "plans.new": ("Новый план", "New plan"),
        "plans.correct": ("Скорректировать", "Correct"), "plans.reason": ("Причина", "Reason"), "plans.save": ("Сохранить", "Save"),
        "plans.targetHint": ("рубли для сумм, секунды для времени, штуки для остального", "rubles for amounts, seconds for time, a count otherwise"),
        "scope.company": ("Компания", "Company"), "scope.team": ("Команда", "Team"), "scope.manager": ("Менеджер", "Manager"),
        "role.manager": ("менеджеры", "managers"), "role.head": ("руководители", "heads"),
        "bonus.role": ("Роль", "Role"), "bonus.json": ("Схема (JSON)", "Scheme (JSON)"), "bonus.saved": ("Схема сохранена", "Scheme saved"),
        "saved": ("Сохранено", "Saved"), "live": ("обновляется сам", "updates live"), "error": ("Ошибка", "Error"),
        "lang.switch": ("English", "Русский"),
    ] + metricWords

    private static let metricWords: [String: (String, String)] = [
        "metric.won_amount": ("Выручка (выигранные)", "Won amount"), "metric.won_deals": ("Выиграно сделок", "Deals won"),
        "metric.cash_received": ("Поступления", "Cash received"), "metric.first_sales": ("Первые продажи", "First sales"),
        "metric.repeat_sales": ("Повторные продажи", "Repeat sales"), "metric.deals_created": ("Создано сделок", "Deals created"),
        "metric.lost_deals": ("Проиграно сделок", "Deals lost"), "metric.new_leads": ("Новые лиды", "New leads"),
        "metric.new_clients": ("Новые клиенты", "New clients"), "metric.new_contacts": ("Новые контакты", "New contacts"),
        "metric.calls": ("Звонки", "Calls"), "metric.calls_outgoing": ("Исходящие", "Outgoing calls"),
        "metric.calls_incoming": ("Входящие", "Incoming calls"), "metric.calls_answered": ("Состоявшиеся", "Answered calls"),
        "metric.calls_missed": ("Пропущенные", "Missed calls"), "metric.talk_seconds": ("Время разговоров", "Talk time"),
        "metric.meetings": ("Встречи", "Meetings"), "metric.proposals": ("КП отправлено", "Proposals sent"), "metric.emails": ("Письма", "E-mails"),
    ]
}

private func + <K, V>(lhs: [K: V], rhs: [K: V]) -> [K: V] { lhs.merging(rhs) { a, _ in a } }
