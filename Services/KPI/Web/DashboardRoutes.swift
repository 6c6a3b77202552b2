import Contracts
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The web dashboard: `/` (overview), `/login`, and the pages under `/ui/`. Heads and admins see
/// every page; a manager sees their own card and the leaderboard; integrations are turned away.
/// Forms post back here (plans, bonus schemes) or, for approvals, are handed to pacer-deals.
struct DashboardRoutes: Sendable {
    let context: ServiceContext
    let configuration: KPIConfiguration
    let decider: any ApprovalDecider

    var zone: TimeZone { context.settings.timeZone }

    func register(on router: Router<PacerRequestContext>) {
        router.get("ui/style.css") { _, _ in asset(WebAssets.css, type: "text/css; charset=utf-8") }
        router.get("ui/app.js") { _, _ in asset(WebAssets.script, type: "text/javascript; charset=utf-8") }

        router.get("login") { request, _ in WebLayout.loginPage(language: WebSession.language(request), error: nil) }
        router.post("login") { request, _ in try await login(request) }
        router.post("ui/logout") { _, _ in WebLayout.redirect("/login", cookies: [WebSession.logoutCookie]) }
        router.get("ui/lang") { request, _ in
            let language = WebLanguage(rawValue: request.query("to") ?? "") ?? .ru
            // Only a path on this site: an open redirect would let a link send a user anywhere.
            let back = request.query("back").flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/"
            return WebLayout.redirect(back, cookies: [Cookie(name: WebSession.languageCookie, value: language.rawValue, maxAge: 365 * 86_400,
                                                             path: "/", secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)])
        }
        router.get("ui/stamp") { request, _ in
            guard try await WebSession.resolve(request, database: context.database) != nil else { throw Problem(.unauthorized, "log in first") }
            return try jsonResponse(["stamp": try await stamp()])
        }

        router.get("/") { request, _ in
            try await page(request, path: "/", title: "nav.overview") { session, dashboard, db in
                try dashboard.overview(period: period(request), db)
            }
        }
        router.get("ui/leaderboard") { request, _ in
            try await page(request, path: "/ui/leaderboard", title: "nav.leaderboard", managers: true) { session, dashboard, db in
                let sort = request.query("sort").flatMap(Metric.init(rawValue:)) ?? .wonAmount
                return try dashboard.leaderboard(period: period(request), sort: sort, byCompletion: request.query("by") == "completion",
                                                 viewer: session.scope, db)
            }
        }
        router.get("ui/funnel") { request, _ in
            try await page(request, path: "/ui/funnel", title: "nav.funnel") { _, dashboard, db in try dashboard.funnel(period: period(request), db) }
        }
        router.get("ui/receivables") { request, _ in
            try await page(request, path: "/ui/receivables", title: "nav.receivables") { _, dashboard, db in
                try dashboard.receivables(period: period(request), db)
            }
        }
        router.get("ui/activity") { request, _ in
            try await page(request, path: "/ui/activity", title: "nav.activity") { _, dashboard, db in try dashboard.activity(period: period(request), db) }
        }
        router.get("ui/attention") { request, _ in
            try await page(request, path: "/ui/attention", title: "nav.attention") { _, dashboard, db in try dashboard.attention(db) }
        }
        router.get("ui/approvals") { request, _ in
            try await page(request, path: "/ui/approvals", title: "nav.approvals") { session, dashboard, db in
                try dashboard.approvals(notice: request.query("done").map { session.language["approval.done." + $0] }, db)
            }
        }
        router.post("ui/approvals/:id/decide") { request, ctx in try await decide(request, id: try ctx.parameters.require("id")) }
        router.get("ui/managers/:id") { request, ctx in
            let id = try ctx.parameters.require("id")
            return try await page(request, path: "/ui/managers/\(id)", title: nil, managers: true, owner: id) { _, dashboard, db in
                try dashboard.card(id, period: period(request), db)
            }
        }
        router.get("ui/plans") { request, _ in
            try await page(request, path: "/ui/plans", title: "nav.plans") { session, dashboard, db in
                try dashboard.plans(period: period(request), notice: request.query("saved").map { _ in session.language["saved"] }, db)
            }
        }
        router.post("ui/plans") { request, _ in try await savePlan(request, id: nil) }
        router.post("ui/plans/:id") { request, ctx in try await savePlan(request, id: try ctx.parameters.require("id")) }
        router.get("ui/bonus") { request, _ in
            try await page(request, path: "/ui/bonus", title: "nav.bonus") { session, dashboard, db in
                try dashboard.bonusSchemes(notice: request.query("saved").map { _ in session.language["bonus.saved"] }, db)
            }
        }
        router.post("ui/bonus/:role") { request, ctx in try await saveBonus(request, role: try ctx.parameters.require("role")) }
    }

    // MARK: Pages

    func period(_ request: Request) -> Period {
        request.query("period").flatMap(Period.init) ?? Period.containing(CalendarDay.of(Date(), in: zone), kind: .month)
    }

    /// What changes a page: the last batch of events applied, plan corrections, schemes, frozen months, the calendar.
    func stamp() async throws -> String {
        try await context.database.read { db in
            try String.fetchOne(db, sql: """
                SELECT (SELECT COALESCE(MAX(id), 0) FROM event_batch) || '-' || (SELECT COUNT(*) FROM plan_change) || '-' ||
                       (SELECT COALESCE(SUM(length(json)), 0) FROM bonus_scheme) || '-' || (SELECT COUNT(*) FROM frozen_month) || '-' ||
                       (SELECT COUNT(*) FROM calendar_day)
                """) ?? ""
        }
    }

    /// A page for a logged-in user allowed to see it: heads and admins everything; a manager only
    /// pages marked `managers` — and, where the page has an `owner`, only their own.
    func page(_ request: Request, path: String, title: String?, managers: Bool = false, owner: String? = nil,
              _ render: @escaping @Sendable (WebSession, Dashboard, Database) throws -> String?) async throws -> Response {
        guard let session = try await WebSession.resolve(request, database: context.database) else {
            return WebLayout.redirect("/login")
        }
        let layout = WebLayout(session: session, path: path, stamp: try await stamp())
        let t = session.language
        switch session.user.role {
        case .admin, .head: break
        case .manager where managers && (owner == nil || owner == session.user.managerId): break
        case .manager where path == "/":
            return WebLayout.redirect(session.user.managerId.map { "/ui/managers/\($0)" } ?? "/ui/leaderboard")
        default:
            return layout.page(title: t["forbidden"], main: "<p class=\"error\" id=\"forbidden\">\(h(t["forbidden"]))</p>", status: .forbidden)
        }
        let dashboard = Dashboard(zone: zone, configuration: configuration, language: t)
        let result = try await context.database.read { db -> (String, String)? in
            guard let main = try render(session, dashboard, db) else { return nil }
            let heading = try title.map { t[$0] } ?? String.fetchOne(db, sql: "SELECT name FROM dir_manager WHERE id = ?", arguments: [owner]) ?? ""
            return (heading, main)
        }
        guard let (heading, main) = result else {
            return layout.page(title: t["notfound"], main: "<p class=\"error\">\(h(t["notfound"]))</p>", status: .notFound)
        }
        return layout.page(title: heading, main: main)
    }

    func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Forms

    func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 256 * 1024)
        return FormBody.parse(String(buffer: buffer))
    }

    func login(_ request: Request) async throws -> Response {
        let language = WebSession.language(request)
        let token = (try await form(request)["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, let user = try await context.database.read({ try TokenStore.user(forToken: token, $0) }),
              let cookie = try? Cookie.validated(name: WebSession.cookie, value: token, maxAge: 12 * 3600, path: "/",
                                                 secure: configuration.secureCookies, httpOnly: true, sameSite: .strict) else {
            return WebLayout.loginPage(language: language, error: language["login.bad"])
        }
        switch user.role {
        case .admin, .head: return WebLayout.redirect("/", cookies: [cookie])
        case .manager: return WebLayout.redirect(user.managerId.map { "/ui/managers/\($0)" } ?? "/ui/leaderboard", cookies: [cookie])
        case .telephony, .accounting: return WebLayout.loginPage(language: language, error: language["login.integration"])
        }
    }

    /// The session of a head or admin posting a form, or the response that turns them away.
    enum Gate { case allowed(WebSession), refused(Response) }

    func headSession(_ request: Request) async throws -> Gate {
        guard let session = try await WebSession.resolve(request, database: context.database) else { return .refused(WebLayout.redirect("/login")) }
        guard session.isHead else {
            let layout = WebLayout(session: session, path: "", stamp: "")
            return .refused(layout.page(title: session.language["forbidden"], main: "<p class=\"error\" id=\"forbidden\">\(h(session.language["forbidden"]))</p>",
                                        status: .forbidden))
        }
        return .allowed(session)
    }

    func failure(_ session: WebSession, path: String, title: String, _ detail: String, status: HTTPResponse.Status) async throws -> Response {
        let layout = WebLayout(session: session, path: path, stamp: try await stamp())
        return layout.page(title: session.language[title], main: "<p class=\"error\" id=\"form-error\">\(h(session.language["error"])): \(h(detail))</p>"
                           + "<p><a href=\"\(h(path))\">←</a></p>", status: status)
    }

    func decide(_ request: Request, id: String) async throws -> Response {
        let session: WebSession
        switch try await headSession(request) { case .allowed(let s): session = s; case .refused(let response): return response }
        let fields = try await form(request)
        guard let decision = fields["decision"], decision == "approve" || decision == "reject" else {
            return try await failure(session, path: "/ui/approvals", title: "nav.approvals", "decision must be approve or reject", status: .unprocessableContent)
        }
        do {
            try await decider.decide(approvalId: id, approved: decision == "approve", comment: fields["comment"], token: session.token)
        } catch let refused as DecisionRefused {
            context.logger.warning("approval decision refused by pacer-deals", metadata: ["approval": "\(id)", "status": "\(refused.status)"])
            return try await failure(session, path: "/ui/approvals", title: "nav.approvals",
                                     "\(session.language["approval.failed"]) (\(refused.status)): \(refused.detail)",
                                     status: refused.status == 503 ? .badGateway : .unprocessableContent)
        }
        return WebLayout.redirect("/ui/approvals?done=\(decision == "approve" ? "approved" : "rejected")")
    }

    func savePlan(_ request: Request, id: String?) async throws -> Response {
        let session: WebSession
        switch try await headSession(request) { case .allowed(let s): session = s; case .refused(let response): return response }
        let fields = try await form(request)
        do {
            let period: String = try await context.database.write { db in
                if let id {
                    guard let plan = try Plan.find(id, db) else { throw Problem.notFound("no plan \(id)") }
                    let target = try WebForm.amount(fields["target"], metric: plan.metric)
                    _ = try Plan.correct(id, to: target, expectedVersion: fields["version"].flatMap { Int($0) }, by: session.user.userId,
                                         reason: fields["reason"].flatMap { $0.isEmpty ? nil : $0 }, db)
                    return plan.period
                }
                guard let metric = fields["metric"].flatMap(Metric.init(rawValue:)) else { throw Problem.invalid("metric", "unknown metric") }
                let subject = fields["subject"] ?? "company"
                let (scope, subjectId): (Plan.Scope, String?) = subject == "company" ? (.company, nil)
                    : subject.hasPrefix("team:") ? (.team, String(subject.dropFirst(5)))
                    : subject.hasPrefix("manager:") ? (.manager, String(subject.dropFirst(8)))
                    : (.company, "?")
                let plan = try Plan.create(scope: scope, subjectId: subjectId, metric: metric, period: fields["period"] ?? "",
                                           target: try WebForm.amount(fields["target"], metric: metric), by: session.user.userId, db)
                return plan.period
            }
            return WebLayout.redirect("/ui/plans?period=\(period)&saved=1")
        } catch let problem as Problem {
            return try await failure(session, path: "/ui/plans", title: "nav.plans", problem.detail,
                                     status: problem.status == .notFound ? .notFound : (problem.status == .conflict ? .conflict : .unprocessableContent))
        }
    }

    func saveBonus(_ request: Request, role: String) async throws -> Response {
        let session: WebSession
        switch try await headSession(request) { case .allowed(let s): session = s; case .refused(let response): return response }
        let fields = try await form(request)
        do {
            guard role == "manager" || role == "head" else { throw Problem.invalid("role", "must be manager or head") }
            let scheme: BonusScheme
            do {
                scheme = try JSONDecoder().decode(BonusScheme.self, from: Data((fields["json"] ?? "").utf8))
            } catch {
                throw Problem.invalid("json", "is not a bonus scheme: \(error)")
            }
            try scheme.validate()
            try await context.database.write { db in try scheme.save(role: role, db) }
            return WebLayout.redirect("/ui/bonus?saved=1")
        } catch let problem as Problem {
            return try await failure(session, path: "/ui/bonus", title: "nav.bonus", problem.detail,
                                     status: .unprocessableContent)
        }
    }
}
