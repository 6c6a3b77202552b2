import Foundation

/// Finds invoice numbers in a payment's purpose (`НазначениеПлатежа`) as people write them:
/// "Оплата по счету № 123 от 01.02.2026", "сч. 123", "по сч.№123", "по счетам №12, 13 и 14",
/// "по счёту на оплату № А-17/2". A "счет-фактура" is not an invoice to pay, and a 20-digit
/// bank account after "счет" is not an invoice number.
enum PurposeScanner {
    /// Works on lowercased Unicode scalars: Characters (grapheme clusters) cost far more and
    /// purposes are plain text.
    typealias Text = [Unicode.Scalar]

    static func invoiceNumbers(in purpose: String) -> [String] {
        // Every number follows "сч" (in either case); most purposes have none, and a look at
        // their bytes costs a tenth of lowering their scalars.
        mentionsInvoice(purpose) ? scan(purpose) : []
    }

    /// `invoiceNumbers` without the look for "сч" first.
    static func scan(_ purpose: String) -> [String] {
        let chars: Text = purpose.unicodeScalars.map(lower)
        var found: [String] = []
        var index = 0
        while index + 1 < chars.count {
            defer { index += 1 }
            guard chars[index] == "с", chars[index + 1] == "ч", index == 0 || !isLetter(chars[index - 1]) else { continue }
            var cursor = index + 2
            var word = ""
            while cursor < chars.count, isLetter(chars[cursor]) || chars[cursor] == "-" {
                word.unicodeScalars.append(chars[cursor]); cursor += 1
            }
            guard isInvoiceWord(word) else { continue }
            var numbers: [String] = []
            while true {
                cursor = skipSeparators(chars, from: cursor)
                let (token, end) = readToken(chars, from: cursor)
                guard let token, isInvoiceNumber(token) else { break }
                numbers.append(token)
                cursor = end
                // A list goes on after a comma, a semicolon or "и".
                var next = cursor
                while next < chars.count, chars[next] == " " { next += 1 }
                if next < chars.count, chars[next] == "," || chars[next] == ";" { cursor = next + 1; continue }
                if next + 1 < chars.count, chars[next] == "и", chars[next + 1] == " " { cursor = next + 1; continue }
                break
            }
            found += numbers.filter { !found.contains($0) }
            index = max(index, cursor - 1)
        }
        return found
    }

    /// Whether "с" or "С" is followed by "ч" or "Ч" anywhere, read from the UTF-8 bytes
    /// (с D1 81, С D0 A1, ч D1 87, Ч D0 A7).
    static func mentionsInvoice(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 4 else { return false }
            for index in 0..<(bytes.count - 3) {
                let first = (bytes[index], bytes[index + 1])
                guard first == (0xD1, 0x81) || first == (0xD0, 0xA1) else { continue }
                let second = (bytes[index + 2], bytes[index + 3])
                if second == (0xD1, 0x87) || second == (0xD0, 0xA7) { return true }
            }
            return false
        }
    }

    static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x41...0x5A, 0x410...0x42F: Unicode.Scalar(scalar.value + 0x20)!
        case 0x401: "ё"
        default: scalar
        }
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x61...0x7A, 0x430...0x44F, 0x451: true
        case 0...0x7F: false
        default: scalar.properties.isAlphabetic
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { (0x30...0x39).contains(scalar.value) }

    /// "сч", "сч.", "счет", "счёт", "счета", "счету", "счетам", "сч-т"; not "счет-фактура", "сч-ф".
    private static func isInvoiceWord(_ rest: String) -> Bool {
        if rest.unicodeScalars.contains("ф") { return false }
        return invoiceWordEndings.contains(rest)
    }

    private static let invoiceWordEndings: Set<String> = ["", "ет", "ёт", "ета", "ёта", "ету", "ёту", "етам", "етов", "ете", "етом", "-т", "-ту", "-та", "т"]
    private static let onPayment = Array("на оплату".unicodeScalars)
    private static let no = Array("no".unicodeScalars)
    private static let n = Array("n".unicodeScalars)

    private static func skipSeparators(_ chars: Text, from start: Int) -> Int {
        func at(_ cursor: Int, _ scalars: [Unicode.Scalar]) -> Bool {
            let end = cursor + scalars.count
            return end <= chars.count && chars[cursor..<end].elementsEqual(scalars) && (end == chars.count || !isLetter(chars[end]))
        }
        var cursor = start
        while cursor < chars.count {
            if " .:№#".unicodeScalars.contains(chars[cursor]) { cursor += 1; continue }
            // "на оплату", "No", "N" between the word and the number.
            if at(cursor, onPayment) { cursor += 9; continue }
            if at(cursor, no) { cursor += 2; continue }
            if at(cursor, n) { cursor += 1; continue }
            break
        }
        return cursor
    }

    private static func readToken(_ chars: Text, from start: Int) -> (String?, Int) {
        var cursor = start
        var token = String.UnicodeScalarView()
        while cursor < chars.count, isLetter(chars[cursor]) || isDigit(chars[cursor]) || "-/_".unicodeScalars.contains(chars[cursor]) {
            token.append(chars[cursor]); cursor += 1
        }
        while let last = token.last, "-/_".unicodeScalars.contains(last) { token.removeLast() }
        return (token.isEmpty ? nil : String(token), cursor)
    }

    private static func isInvoiceNumber(_ token: String) -> Bool {
        let digits = token.unicodeScalars.filter(isDigit).count
        guard digits > 0, token.unicodeScalars.count <= 30 else { return false }
        return !(digits == token.unicodeScalars.count && digits >= 20)
    }

    /// The key invoices are found by: upper case, no spaces.
    static func key(_ number: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in number.unicodeScalars where scalar != " " {
            switch scalar.value {
            case 0x61...0x7A, 0x430...0x44F: out.append(Unicode.Scalar(scalar.value - 0x20)!)
            case 0x451: out.append("Ё")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The looser key: the trailing digits without leading zeros ("ТД00-000123" → "123").
    static func digitsKey(_ number: String) -> String {
        let trailing = String(String.UnicodeScalarView(number.unicodeScalars.reversed().prefix(while: isDigit).reversed()))
        let stripped = trailing.drop { $0 == "0" }
        return stripped.isEmpty ? trailing : String(stripped)
    }
}
