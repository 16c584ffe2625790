import Admin

/// A chart over the buckets of a dashboard window: stacked bars (messages by kind or reason) or
/// an area (the queue's size), with a value axis of round steps and a UTC time axis.
struct TimeChart {
    struct Series {
        var label: String
        /// A colour class of console.css (`fill-blue`…).
        var colour: String
        var values: [Int64]
        var total: Int64 { values.reduce(0, +) }
    }

    let figure: ChartFigure
    let window: DashboardWindow
    let buckets: [Int64]

    static let width = 720
    static let height = 260
    static let left = 52.0
    static let right = 712.0
    static let top = 30.0
    static let bottom = 222.0

    /// Bars per bucket, the series stacked in order from the bottom.
    func stackedBars(_ series: [Series], caption: String) -> [String: Any] {
        let totals = buckets.indices.map { slot in
            series.reduce(0) { $0 + ($1.values.indices.contains(slot) ? $1.values[slot] : 0) }
        }
        guard totals.contains(where: { $0 > 0 }) else { return ChartFigure.empty("Nothing counted in this window.") }
        let scale = ChartScale(largest: totals.max() ?? 0)
        var shapes = axes(scale)
        let slot = (Self.right - Self.left) / Double(max(buckets.count, 1))
        let barWidth = max(1, slot * 0.72)
        for index in buckets.indices {
            var base = 0 as Int64
            for item in series {
                let value = item.values.indices.contains(index) ? item.values[index] : 0
                guard value > 0 else { continue }
                let y0 = y(base, scale)
                let y1 = y(base + value, scale)
                shapes.rect(
                    x: Self.left + Double(index) * slot + (slot - barWidth) / 2, y: y1, width: barWidth,
                    height: max(0.5, y0 - y1), class: "chart-bar \(item.colour)")
                base += value
            }
        }
        let legend = series.map { ChartFigure.LegendItem(colour: $0.colour, label: $0.label, value: "\($0.total)") }
        var rows: [[String]] = buckets.indices.filter { totals[$0] > 0 }.map { index in
            [ChartTime.full(buckets[index])] + series.map { "\($0.values.indices.contains(index) ? $0.values[index] : 0)" }
                + ["\(totals[index])"]
        }
        rows.append(["Total"] + series.map { "\($0.total)" } + ["\(totals.reduce(0, +))"])
        return figure.context(
            width: Self.width, height: Self.height, shapes: shapes, legend: legend, caption: caption,
            header: ["Time (UTC)"] + series.map(\.label) + ["Total"], rows: rows)
    }

    /// A line with the area under it through the sampled buckets; gaps where none was sampled.
    func area(_ values: [Int64?], label: String, colour: String, caption: String) -> [String: Any] {
        let sampled = values.compactMap { $0 }
        guard !sampled.isEmpty else { return ChartFigure.empty("No sample of the queue in this window yet.") }
        let scale = ChartScale(largest: sampled.max() ?? 0)
        var shapes = axes(scale)
        let slot = (Self.right - Self.left) / Double(max(buckets.count, 1))
        func x(_ index: Int) -> Double { Self.left + (Double(index) + 0.5) * slot }
        // Runs of consecutive samples, each its own area and line.
        var runs: [[Int]] = []
        for index in values.indices where values[index] != nil {
            if let last = runs.last?.last, last == index - 1 { runs[runs.count - 1].append(index) } else { runs.append([index]) }
        }
        for run in runs {
            let points = run.map { "\(ChartShapes.number(x($0))),\(ChartShapes.number(y(values[$0] ?? 0, scale)))" }
            if run.count == 1 {
                shapes.circle(cx: x(run[0]), cy: y(values[run[0]] ?? 0, scale), r: 4, class: "chart-dot \(colour)")
                continue
            }
            let base = ChartShapes.number(Self.bottom)
            let areaPath =
                "M\(ChartShapes.number(x(run[0]))),\(base) L" + points.joined(separator: " L")
                + " L\(ChartShapes.number(x(run[run.count - 1]))),\(base) Z"
            shapes.path(areaPath, class: "chart-area \(colour)")
            shapes.polyline(points.joined(separator: " "), class: "chart-line \(colour)")
        }
        let peak = sampled.max() ?? 0
        let rows =
            values.indices.compactMap { index in values[index].map { [ChartTime.full(buckets[index]), "\($0)"] } }
            + [["Peak", "\(peak)"]]
        return figure.context(
            width: Self.width, height: Self.height, shapes: shapes,
            legend: [.init(colour: colour, label: label, value: "peak \(peak)")], caption: caption,
            header: ["Time (UTC)", label], rows: rows)
    }

    private func y(_ value: Int64, _ scale: ChartScale) -> Double {
        Self.bottom - scale.fraction(value) * (Self.bottom - Self.top)
    }

    /// Gridlines with their values, and the time labels under the plot.
    private func axes(_ scale: ChartScale) -> ChartShapes {
        var shapes = ChartShapes()
        for tick in scale.ticks {
            let y = y(tick, scale)
            shapes.gridLine(x1: Self.left, y1: y, x2: Self.right, y2: y)
            // Just above its line, so the lowest never meets the time labels under the axis.
            shapes.axisText("\(tick)", x: Self.left - 8, y: y - 4, anchor: "end")
        }
        let slot = (Self.right - Self.left) / Double(max(buckets.count, 1))
        for (index, bucket) in buckets.enumerated() where ChartTime.isTick(bucket, window: window) {
            let x = Self.left + Double(index) * slot
            shapes.gridLine(x1: x, y1: Self.bottom, x2: x, y2: Self.bottom + 5)
            shapes.axisText(ChartTime.tickLabel(bucket, window: window), x: x, y: Self.bottom + 24, anchor: "middle")
        }
        return shapes
    }
}
