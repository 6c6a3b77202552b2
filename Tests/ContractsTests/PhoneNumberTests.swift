@testable import Contracts
import Testing

@Suite("Phone numbers to E.164")
struct PhoneNumberTests {
    @Test("the usual ways of writing a number", arguments: [
        ("8 912 345-67-89", "+79123456789"), ("+7 (912) 345-67-89", "+79123456789"), ("79123456789", "+79123456789"),
        ("9123456789", "+79123456789"), ("+44 20 7946 0958", "+442079460958"), ("8-10-44-20-7946-0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"), ("\t+7 912 345 67 89 ", "+79123456789"), ("\u{00A0}+7 912 345 67 89", "+79123456789"),
        ("101", nil), ("abc", nil), ("", nil), ("  ", nil), ("+7 912\t345 67 89", nil), ("1234567890", nil),
    ] as [(String, String?)])
    func table(text: String, e164: String?) {
        #expect(PhoneNumber.e164(text) == e164)
    }

    @Test("the byte rules say what the Character rules say, for every ASCII shape")
    func sameAsCharacterRules() {
        let prefixes = ["", "+", "8", "7", "00", "810", " ", "\t", "(", "+7", "8 (", "x"]
        let separators = ["", " ", "-", ".", "/", ")", "\t", "_"]
        var checked = 0
        for prefix in prefixes {
            for separator in separators {
                for length in 0...16 {
                    let body = (0..<length).map { String("3894561270".utf8.map { Character(UnicodeScalar($0)) }[$0 % 10]) }
                    for text in [prefix + body.joined(separator: separator), prefix + body.joined() + separator] {
                        #expect(PhoneNumber.e164(text) == PhoneNumber.characterRules(text), "\(text)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 12 * 8 * 17 * 2)
    }
}
