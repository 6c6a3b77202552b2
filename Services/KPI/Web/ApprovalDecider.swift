import AsyncHTTPClient
import Foundation
import NIOCore

/// How the dashboard hands a head's decision to pacer-deals, which owns approvals: with the
/// head's own token, so pacer-deals checks the role and records who decided.
protocol ApprovalDecider: Sendable {
    func decide(approvalId: String, approved: Bool, comment: String?, token: String) async throws
}

/// pacer-deals refused or did not answer; `detail` is its problem text when it gave one.
struct DecisionRefused: Error, Sendable {
    var status: Int
    var detail: String
}

/// `POST {PACER_DEALS_URL}/approvals/{id}/decide` over HTTP.
struct DealsHTTPDecider: ApprovalDecider {
    let baseURL: String

    func decide(approvalId: String, approved: Bool, comment: String?, token: String) async throws {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let id = approvalId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? approvalId
        var request = HTTPClientRequest(url: "\(base)/approvals/\(id)/decide")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        var body: [String: Any] = ["approved": approved]
        if let comment, !comment.isEmpty { body["comment"] = comment }
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        } catch {
            throw DecisionRefused(status: 503, detail: "pacer-deals at \(base) did not answer: \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            let problem = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any]
            throw DecisionRefused(status: Int(response.status.code), detail: problem?["detail"] as? String ?? "HTTP \(response.status.code)")
        }
    }
}
