import Foundation
import Hummingbird

/// An HTTP error with an RFC 9457 problem body naming what was wrong:
/// `{"type":"about:blank","title":"Bad Request","status":400,"detail":"…","field":"amount"}`.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var detail: String
    public var field: String?
    public var errors: [FieldError]

    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String
        public init(field: String, message: String) { self.field = field; self.message = message }
    }

    public init(_ status: HTTPResponse.Status, _ detail: String, field: String? = nil, errors: [FieldError] = []) {
        self.status = status; self.detail = detail; self.field = field; self.errors = errors
    }

    public static func badRequest(_ detail: String, field: String? = nil) -> Problem { Problem(.badRequest, detail, field: field) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, detail) }
    public static func conflict(_ detail: String, field: String? = nil) -> Problem { Problem(.conflict, detail, field: field) }
    public static func unavailable(_ detail: String) -> Problem { Problem(.serviceUnavailable, detail) }

    struct Body: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var field: String?
        var errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(Body(title: status.reasonPhrase, status: status.code, detail: detail, field: field,
                                           errors: errors.isEmpty ? nil : errors))
        return Response(status: status, headers: [.contentType: "application/problem+json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
