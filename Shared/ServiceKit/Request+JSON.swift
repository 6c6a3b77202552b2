import Foundation
import Hummingbird

extension Request {
    /// Decodes a JSON body; a body that does not fit becomes a 422 problem naming the field.
    /// Bodies are capped (default 1 MiB) so a client cannot make the service buffer without limit.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext, limit: Int = 1 << 20) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw Problem(.contentTooLarge, "request body is larger than \(limit) bytes")
        }
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Problem.decoding(error)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.badRequest, "body is not valid JSON: \(error)")
        }
    }
}

extension Problem {
    /// 422 for a body of the wrong shape, naming the field (`amount.kopecks`, `stages[2].id`).
    public static func decoding(_ error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return Problem(.unprocessableContent, "\(field) is required", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return Problem(.unprocessableContent, "\(field) must be \(Self.describe(type))", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return Problem(.unprocessableContent, "\(field) must be \(Self.describe(type)), not null", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty { return Problem(.badRequest, "body is not valid JSON") }
            return Problem(.unprocessableContent, "\(field): \(context.debugDescription)", field: field)
        @unknown default:
            return Problem(.unprocessableContent, "\(error)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: "\(type)".lowercased()
        }
    }

    /// 422 naming one field.
    public static func invalid(_ field: String, _ message: String) -> Problem {
        Problem(.unprocessableContent, "\(field) \(message)", field: field)
    }
}
