/// Server-rendered HTML, built as text: `escape` everything that came from data, `raw` only what
/// the code itself wrote. No template engine — the pages are small and a compiler-checked string
/// is easier to follow than a template with its own syntax.
struct HTML: Sendable {
    private(set) var text = ""

    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    mutating func raw(_ markup: String) { text += markup }
    mutating func text(_ value: String) { text += HTML.escape(value) }

    /// `<tag attr="…">escaped text</tag>`; attribute values are escaped too.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ content: String) {
        open(tag, attributes)
        text(content)
        text += "</\(tag)>"
    }

    mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
        text += "<\(tag)"
        for (name, value) in attributes { text += " \(name)=\"\(HTML.escape(value))\"" }
        text += ">"
    }

    mutating func close(_ tag: String) { text += "</\(tag)>" }
}

/// `h(value)` in interpolations: escaped.
func h(_ value: String) -> String { HTML.escape(value) }
