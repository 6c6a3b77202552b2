import Foundation

/// A config file of `key = value` lines; `#` starts a comment; keys are option names
/// (`http-port`); values may be quoted. `bus-source` may repeat.
public struct ConfigFile: Sendable, Equatable {
    public private(set) var values: [String: [String]] = [:]

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var message: String
        public var description: String { "config line \(line): \(message)" }
        public init(line: Int, message: String) { self.line = line; self.message = message }
    }

    public init(values: [String: [String]] = [:]) { self.values = values }

    public init(contentsOf path: String) throws {
        try self.init(text: String(contentsOfFile: path, encoding: .utf8))
    }

    public init(text: String) throws {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: index + 1, message: "expected `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw ParseError(line: index + 1, message: "bad key `\(key)`")
            }
            values[key, default: []].append(value)
        }
    }

    public subscript(key: String) -> String? { values[key]?.last }
}
