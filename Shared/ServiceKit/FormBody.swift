import Foundation

/// `application/x-www-form-urlencoded` text — the dashboard's forms, a cloud PBX's webhook — as
/// name → value; `+` is a space, percent escapes are decoded (a malformed escape is kept as sent),
/// a later repeat of a name wins.
public enum FormBody {
    public static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
