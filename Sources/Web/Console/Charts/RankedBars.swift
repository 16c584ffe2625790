/// A ranked list as horizontal bars, largest first: top senders, top refused clients, and logins
/// by protocol (bars of two segments, succeeded and failed). Each row's name above its bar, so
/// long addresses need no room beside it; names are cut at `maximumLabel` characters
/// in the picture (the table has them whole).
struct RankedBars {
    struct Row {
        var label: String
        var values: [Int64]
        var total: Int64 { values.reduce(0, +) }
    }

    struct Segment {
        var label: String
        var colour: String
    }

    let figure: ChartFigure
    let segments: [Segment]

    static let width = 400
    static let rowHeight = 44
    static let barLeft = 0.0
    static let barRight = 340.0
    static let maximumLabel = 40

    func render(_ rows: [Row], caption: String, nameHeader: String, emptyText: String) -> [String: Any] {
        guard rows.contains(where: { $0.total > 0 }) else { return ChartFigure.empty(emptyText) }
        let largest = max(1, rows.map(\.total).max() ?? 1)
        var shapes = ChartShapes()
        for (index, row) in rows.enumerated() {
            let top = Double(index * Self.rowHeight)
            let label = row.label.count > Self.maximumLabel ? String(row.label.prefix(Self.maximumLabel - 1)) + "…" : row.label
            shapes.text(label, x: 0, y: top + 16, class: "chart-name")
            shapes.rect(x: 0, y: top + 24, width: Self.barRight, height: 12, rx: 3, class: "chart-track")
            var x = 0.0
            for (segment, value) in zip(segments, row.values) where value > 0 {
                let width = max(2, Double(value) / Double(largest) * Self.barRight)
                shapes.rect(x: x, y: top + 24, width: width, height: 12, class: "chart-bar \(segment.colour)")
                x += width
            }
            shapes.text("\(row.total)", x: Double(Self.width), y: top + 35, anchor: "end", class: "chart-value")
        }
        let legend =
            segments.count > 1
            ? segments.enumerated().map { index, segment in
                ChartFigure.LegendItem(
                    colour: segment.colour, label: segment.label,
                    value: "\(rows.reduce(0) { $0 + ($1.values.indices.contains(index) ? $1.values[index] : 0) })")
            } : []
        let header = [nameHeader] + (segments.count > 1 ? segments.map(\.label) + ["Total"] : [segments.first?.label ?? "Count"])
        let table = rows.map { row in
            [row.label] + (segments.count > 1 ? row.values.map { "\($0)" } + ["\(row.total)"] : ["\(row.total)"])
        }
        return figure.context(
            width: Self.width, height: max(1, rows.count * Self.rowHeight), shapes: shapes, legend: legend, caption: caption,
            header: header, rows: table)
    }
}
