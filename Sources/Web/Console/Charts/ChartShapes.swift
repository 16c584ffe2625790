/// The shapes of one chart's SVG, as the `chart` template draws them: numbers computed here, the
/// markup written by the template, whose `{{…}}` escapes every value (the console never uses the
/// triple mustache; keys such as sender addresses come from the network). No `style`
/// attributes (the CSP forbids them): sizes are presentation attributes, colours classes of
/// console.css.
struct ChartShapes {
    /// Gridlines and tick marks, and their labels (drawn first, hidden from screen readers: the
    /// table holds the numbers).
    private(set) var grid: [[String: Any]] = []
    private(set) var axis: [[String: Any]] = []
    private(set) var rects: [[String: Any]] = []
    private(set) var paths: [[String: Any]] = []
    private(set) var polylines: [[String: Any]] = []
    private(set) var circles: [[String: Any]] = []
    private(set) var texts: [[String: Any]] = []

    mutating func gridLine(x1: Double, y1: Double, x2: Double, y2: Double) {
        grid.append(["x1": Self.number(x1), "y1": Self.number(y1), "x2": Self.number(x2), "y2": Self.number(y2)])
    }

    mutating func axisText(_ text: String, x: Double, y: Double, anchor: String, dy: String = "0") {
        axis.append(["text": text, "x": Self.number(x), "y": Self.number(y), "anchor": anchor, "dy": dy])
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, rx: Double = 0, class name: String) {
        rects.append([
            "x": Self.number(x), "y": Self.number(y), "width": Self.number(width), "height": Self.number(height),
            "rx": Self.number(rx), "class": name,
        ])
    }

    mutating func path(_ d: String, class name: String) {
        paths.append(["d": d, "class": name])
    }

    mutating func polyline(_ points: String, class name: String) {
        polylines.append(["points": points, "class": name])
    }

    mutating func circle(cx: Double, cy: Double, r: Double, class name: String) {
        circles.append(["cx": Self.number(cx), "cy": Self.number(cy), "r": Self.number(r), "class": name])
    }

    mutating func text(_ text: String, x: Double, y: Double, anchor: String = "start", class name: String) {
        texts.append(["text": text, "x": Self.number(x), "y": Self.number(y), "anchor": anchor, "class": name])
    }

    var context: [String: Any] {
        [
            "grid": grid, "axis": axis, "rects": rects, "paths": paths, "polylines": polylines, "circles": circles,
            "texts": texts,
        ]
    }

    /// A coordinate as SVG writes it: at most one decimal.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
