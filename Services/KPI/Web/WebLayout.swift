import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The frame around every page: head, navigation for the caller's role, the period switch, the
/// language switch, and `<main>` — the part the live script swaps when new events arrive.
struct WebLayout: Sendable {
    let session: WebSession
    let path: String
    let stamp: String

    var language: WebLanguage { session.language }

    func navigation() -> [(href: String, key: String)] {
        if !session.isHead {
            let own = session.user.managerId.map { "/ui/managers/\($0)" } ?? "/ui/leaderboard"
            return [(own, "nav.card"), ("/ui/leaderboard", "nav.leaderboard")]
        }
        return [("/", "nav.overview"), ("/ui/leaderboard", "nav.leaderboard"), ("/ui/funnel", "nav.funnel"),
                ("/ui/receivables", "nav.receivables"), ("/ui/activity", "nav.activity"), ("/ui/attention", "nav.attention"),
                ("/ui/approvals", "nav.approvals"), ("/ui/plans", "nav.plans"), ("/ui/bonus", "nav.bonus")]
    }

    /// Links to the current month, quarter, half-year and year, keeping the page's other query items.
    static func periodSwitch(_ current: Period, today: String, path: String, language: WebLanguage, extra: String = "") -> String {
        var html = "<nav class=\"periods\">"
        for kind in [Period.Kind.month, .quarter, .half, .year] {
            let period = Period.containing(today, kind: kind)
            let active = period == current ? " class=\"active\"" : ""
            html += "<a\(active) href=\"\(h(path))?period=\(period.description)\(h(extra))\">\(h(language["period." + kind.rawValue])): \(h(language.period(period)))</a>"
        }
        return html + "</nav>"
    }

    func page(title: String, main: String, status: HTTPResponse.Status = .ok) -> Response {
        var html = HTML()
        html.raw("<!doctype html><html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        html.raw("<title>\(h(title)) · Pacer</title><link rel=\"stylesheet\" href=\"/ui/style.css\"></head>")
        html.raw("<body data-stamp=\"\(h(stamp))\"><header><a class=\"brand\" href=\"/\">Pacer</a><nav class=\"main\">")
        for item in navigation() {
            let active = item.href == path ? " class=\"active\"" : ""
            html.raw("<a\(active) href=\"\(h(item.href))\">\(h(language[item.key]))</a>")
        }
        html.raw("</nav><div class=\"who\"><span id=\"user\" data-role=\"\(h(session.user.role.rawValue))\">\(h(session.user.name))</span> ")
        let other = language == .ru ? "en" : "ru"
        html.raw("<a id=\"lang\" href=\"/ui/lang?to=\(other)&amp;back=\(h(path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))\">\(h(language["lang.switch"]))</a> ")
        html.raw("<form method=\"post\" action=\"/ui/logout\"><button>\(h(language["logout"]))</button></form></div></header>")
        html.raw("<main id=\"main\"><h1>\(h(title))</h1>\(main)</main>")
        html.raw("<footer>\(h(language["live"]))</footer><script src=\"/ui/app.js\" defer></script></body></html>")
        return WebLayout.html(html.text, status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func loginPage(language: WebLanguage, error: String?) -> Response {
        var page = "<!doctype html><html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>\(h(language["login"])) · Pacer</title>"
        page += "<link rel=\"stylesheet\" href=\"/ui/style.css\"></head><body class=\"login\"><main><h1>Pacer</h1>"
        if let error { page += "<p class=\"error\" id=\"login-error\">\(h(error))</p>" }
        page += "<form method=\"post\" action=\"/login\"><label>\(h(language["login.token"]))<input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" required></label>"
        page += "<p class=\"hint\">\(h(language["login.hint"]))</p><button id=\"login\">\(h(language["login"]))</button></form></main></body></html>"
        return html(page, status: error == nil ? .ok : .unauthorized)
    }

    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }
}
