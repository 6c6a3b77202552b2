/// Russian taxpayer numbers: 10 digits for companies, 12 for persons, with check digits.
enum INN {
    static func isValid(_ inn: String) -> Bool {
        let d = inn.compactMap { $0.wholeNumberValue }
        guard d.count == inn.count, inn.allSatisfy(\.isASCIIDigit) else { return false }
        func check(_ weights: [Int], _ count: Int) -> Int { (zip(weights, d.prefix(count)).map(*).reduce(0, +) % 11) % 10 }
        switch d.count {
        case 10: return check([2, 4, 10, 3, 5, 9, 4, 6, 8], 9) == d[9]
        case 12: return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 10) == d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 11) == d[11]
        default: return false
        }
    }
}
