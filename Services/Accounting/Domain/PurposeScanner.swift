import Foundation

/// Finds invoice numbers in a payment's purpose (`НазначениеПлатежа`) as people write them:
/// "Оплата по счету № 123 от 01.02.2026", "сч. 123", "по сч.№123", "по счетам №12, 13 и 14",
/// "по счёту на оплату № А-17/2". A "счет-фактура" is not an invoice to pay, and a 20-digit
/// bank account after "счет" is not an invoice number.
enum PurposeScanner {
    static func invoiceNumbers(in purpose: String) -> [String] {
        let chars = Array(purpose.lowercased())
        var found: [String] = []
        var index = 0
        while index + 1 < chars.count {
            defer { index += 1 }
            guard chars[index] == "с", chars[index + 1] == "ч", index == 0 || !chars[index - 1].isLetter else { continue }
            var cursor = index + 2
            var word = ""
            while cursor < chars.count, chars[cursor].isLetter || chars[cursor] == "-" {
                word.append(chars[cursor]); cursor += 1
            }
            guard Self.isInvoiceWord(word) else { continue }
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

    /// "сч", "сч.", "счет", "счёт", "счета", "счету", "счетам", "сч-т"; not "счет-фактура", "сч-ф".
    private static func isInvoiceWord(_ rest: String) -> Bool {
        if rest.contains("ф") { return false }
        let allowed: Set<String> = ["", "ет", "ёт", "ета", "ёта", "ету", "ёту", "етам", "етов", "ете", "етом", "-т", "-ту", "-та", "т"]
        return allowed.contains(rest)
    }

    private static func skipSeparators(_ chars: [Character], from start: Int) -> Int {
        func at(_ cursor: Int, _ word: String) -> Bool {
            let end = cursor + word.count
            return end <= chars.count && String(chars[cursor..<end]) == word && (end == chars.count || !chars[end].isLetter)
        }
        var cursor = start
        while cursor < chars.count {
            if " .:№#".contains(chars[cursor]) { cursor += 1; continue }
            // "на оплату", "No", "N" between the word and the number.
            if at(cursor, "на оплату") { cursor += 9; continue }
            if at(cursor, "no") { cursor += 2; continue }
            if at(cursor, "n") { cursor += 1; continue }
            break
        }
        return cursor
    }

    private static func readToken(_ chars: [Character], from start: Int) -> (String?, Int) {
        var cursor = start
        var token = ""
        while cursor < chars.count, chars[cursor].isLetter || chars[cursor].isNumber || "-/_".contains(chars[cursor]) {
            token.append(chars[cursor]); cursor += 1
        }
        while let last = token.last, "-/_".contains(last) { token.removeLast() }
        return (token.isEmpty ? nil : token, cursor)
    }

    private static func isInvoiceNumber(_ token: String) -> Bool {
        guard token.contains(where: \.isNumber), token.count <= 30 else { return false }
        let digits = token.filter(\.isNumber)
        return !(digits.count == token.count && digits.count >= 20)
    }

    /// The key invoices are found by: upper case, no spaces.
    static func key(_ number: String) -> String {
        number.uppercased().filter { $0 != " " }
    }

    /// The looser key: the trailing digits without leading zeros ("ТД00-000123" → "123").
    static func digitsKey(_ number: String) -> String {
        let trailing = String(number.reversed().prefix { $0.isNumber }.reversed())
        let stripped = trailing.drop { $0 == "0" }
        return stripped.isEmpty ? trailing : String(stripped)
    }
}
