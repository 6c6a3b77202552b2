/// Charts as inline SVG: they scale with the page, print, and need no script. Every figure drawn
/// also carries its exact value in a `data-value` attribute, so a test (or a screen reader's
/// title) reads the number, not pixels.
enum Charts {
    /// A horizontal progress bar: green ahead or on track, amber behind, the expected-by-now mark
    /// as a thin line.
    static func progress(completion: Double, expected: Double?, status: String?) -> String {
        let width = max(0, min(100, completion))
        let color = status == "behind" ? "#d97706" : (status == "ahead" ? "#059669" : "#2563eb")
        var svg = "<svg class=\"bar\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(Int(completion.rounded())) %\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"100\" height=\"8\" rx=\"2\" fill=\"#e5e7eb\"/>"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(fmt(width))\" height=\"8\" rx=\"2\" fill=\"\(color)\"/>"
        if let expected {
            let x = max(0, min(100, expected))
            svg += "<rect x=\"\(fmt(x - 0.4))\" y=\"0\" width=\"0.8\" height=\"8\" fill=\"#111827\"/>"
        }
        return svg + "</svg>"
    }

    struct Column: Sendable {
        var label: String
        var fact: Int64
        var plan: Int64?
    }

    /// Fact as bars, plan as a dash over each bar; the tallest of either sets the scale.
    static func planFactColumns(_ columns: [Column], factLabel: String, planLabel: String) -> String {
        let peak = max(1, columns.map { max($0.fact, $0.plan ?? 0) }.max() ?? 1)
        let step = 40.0, height = 160.0, top = 10.0
        let width = Double(columns.count) * step + 10
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(fmt(width)) \(fmt(height + 30))\" role=\"img\">"
        svg += "<line x1=\"0\" y1=\"\(fmt(top + height))\" x2=\"\(fmt(width))\" y2=\"\(fmt(top + height))\" stroke=\"#9ca3af\"/>"
        for (index, column) in columns.enumerated() {
            let x = 10 + Double(index) * step
            let barHeight = height * Double(column.fact) / Double(peak)
            svg += "<rect class=\"fact\" data-value=\"\(column.fact)\" x=\"\(fmt(x))\" y=\"\(fmt(top + height - barHeight))\" width=\"24\" height=\"\(fmt(barHeight))\" fill=\"#2563eb\"><title>\(h(factLabel)): \(column.fact)</title></rect>"
            if let plan = column.plan {
                let y = top + height - height * Double(plan) / Double(peak)
                svg += "<rect class=\"plan\" data-value=\"\(plan)\" x=\"\(fmt(x - 3))\" y=\"\(fmt(y - 1.5))\" width=\"30\" height=\"3\" fill=\"#111827\"><title>\(h(planLabel)): \(plan)</title></rect>"
            }
            svg += "<text x=\"\(fmt(x + 12))\" y=\"\(fmt(top + height + 16))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#374151\">\(h(column.label))</text>"
        }
        return svg + "</svg>"
    }

    /// The funnel as bars narrowing with the number of deals that reached each stage.
    static func funnel(_ stages: [(label: String, deals: Int)]) -> String {
        let peak = max(1, stages.map(\.deals).max() ?? 1)
        let rowHeight = 26.0
        var svg = "<svg class=\"chart\" viewBox=\"0 0 400 \(fmt(Double(stages.count) * rowHeight + 4))\" role=\"img\">"
        for (index, stage) in stages.enumerated() {
            let width = 240.0 * Double(stage.deals) / Double(peak)
            let y = Double(index) * rowHeight + 2
            svg += "<rect data-value=\"\(stage.deals)\" x=\"\(fmt(150 + (240 - width) / 2))\" y=\"\(fmt(y))\" width=\"\(fmt(max(width, 1)))\" height=\"\(fmt(rowHeight - 4))\" fill=\"#3b82f6\"/>"
            svg += "<text x=\"0\" y=\"\(fmt(y + 16))\" font-size=\"12\" fill=\"#111827\">\(h(stage.label))</text>"
            svg += "<text x=\"270\" y=\"\(fmt(y + 16))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#fff\">\(stage.deals)</text>"
        }
        return svg + "</svg>"
    }

    private static func fmt(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
