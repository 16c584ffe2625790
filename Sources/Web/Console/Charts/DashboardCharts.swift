import Admin

/// The dashboard's traffic charts from `DashboardTraffic`: each chart's context for the `chart`
/// template (shapes, legend, table), which escapes every value.
struct DashboardCharts {
    let traffic: DashboardTraffic

    init(_ traffic: DashboardTraffic) {
        self.traffic = traffic
    }

    /// The window's words: the selector's label, and how the charts describe it.
    static func describe(_ window: DashboardWindow) -> (label: String, period: String, bucket: String) {
        switch window {
        case .hour: ("Last hour", "the last 60 minutes", "minute")
        case .day: ("Last 24 hours", "the last 24 hours", "hour")
        case .week: ("Last 7 days", "the last 7 days", "hour")
        }
    }

    /// The colour classes of console.css for the series of a chart, by key where the key means
    /// something, else in turn.
    static let palette = ["fill-red", "fill-amber", "fill-violet", "fill-pink", "fill-teal", "fill-slate"]
    static let keyed = [
        "mx": "fill-blue", "submission": "fill-teal", "lmtp": "fill-violet", "local": "fill-green",
        "remote": "fill-blue", "bounced": "fill-red", "deferred": "fill-amber", "other": "fill-slate",
    ]

    var context: [String: Any] {
        let window = traffic.window
        let words = Self.describe(window)
        let total = { (series: [DashboardSeries]) in series.reduce(0) { $0 + $1.total } }
        return [
            "windows": DashboardWindow.allCases.map { option in
                ["href": "/admin?window=\(option.rawValue)", "label": Self.describe(option).label, "current": option == window]
            },
            "period": words.period, "bucket": words.bucket, "empty": traffic.isEmpty,
            "receivedTotal": total(traffic.received), "sentTotal": total(traffic.sent.filter { $0.key != "deferred" }),
            "refusedTotal": total(traffic.refused),
            "received": chart(
                "received", "Messages received per \(words.bucket)", traffic.received.map { ($0.label, $0) },
                caption: "Messages accepted per \(words.bucket) (UTC), by listener."),
            "sent": chart(
                "sent", "Delivery outcomes per \(words.bucket)", traffic.sent.map { ($0.label, $0) },
                caption: "Recipients delivered, bounced or deferred per \(words.bucket) (UTC), as the queue recorded them."),
            "refused": chart(
                "refused", "Refused commands per \(words.bucket), by reason",
                traffic.refused.map { ($0.key == "other" ? $0.label : "\($0.key) · \($0.label)", $0) },
                caption:
                    "SMTP commands refused per \(words.bucket) (UTC), by listener, reply code and enhanced status (RFC 3463)."),
            "queueChart": queueChart(), "logins": loginsChart(), "senders": sendersChart(), "clients": clientsChart(),
        ]
    }

    private func chart(_ id: String, _ title: String, _ series: [(String, DashboardSeries)], caption: String) -> [String: Any] {
        var turn = 0
        let drawn = series.map { label, item -> TimeChart.Series in
            let colour = id == "refused" && item.key != "other" ? nil : Self.keyed[item.key]
            defer { if colour == nil { turn += 1 } }
            return TimeChart.Series(
                label: label, colour: colour ?? Self.palette[turn % Self.palette.count], values: item.values)
        }
        let sum = drawn.reduce(0) { $0 + $1.total }
        let parts = drawn.map { "\($0.total) \($0.label)" }.joined(separator: ", ")
        let figure = ChartFigure(
            id: "chart-\(id)", title: title,
            description: "\(sum) in \(Self.describe(traffic.window).period)\(parts.isEmpty ? "" : ": \(parts)").")
        return TimeChart(figure: figure, window: traffic.window, buckets: traffic.buckets)
            .stackedBars(drawn, caption: caption)
    }

    private func queueChart() -> [String: Any] {
        let words = Self.describe(traffic.window)
        let peak = traffic.queueSize.compactMap { $0 }.max() ?? 0
        let figure = ChartFigure(
            id: "chart-queue", title: "Queue size",
            description: "The largest number of queued messages per \(words.bucket) in \(words.period); peak \(peak).")
        return TimeChart(figure: figure, window: traffic.window, buckets: traffic.buckets)
            .area(
                traffic.queueSize, label: "Queued messages", colour: "fill-blue",
                caption: "The largest queue seen per \(words.bucket) (UTC), sampled every minute by every node.")
    }

    private func loginsChart() -> [String: Any] {
        let rows = traffic.logins.map { RankedBars.Row(label: $0.protocolName, values: [$0.succeeded, $0.failed]) }
        let ok = traffic.logins.reduce(0) { $0 + $1.succeeded }
        let failed = traffic.logins.reduce(0) { $0 + $1.failed }
        return RankedBars(
            figure: ChartFigure(
                id: "chart-logins", title: "Logins by protocol",
                description: "\(ok) logins succeeded and \(failed) failed in \(Self.describe(traffic.window).period)."),
            segments: [.init(label: "Succeeded", colour: "fill-green"), .init(label: "Failed", colour: "fill-red")]
        ).render(
            rows, caption: "Login attempts by protocol (web is this console).", nameHeader: "Protocol",
            emptyText: "No logins in this window.")
    }

    private func sendersChart() -> [String: Any] {
        RankedBars(
            figure: ChartFigure(
                id: "chart-senders", title: "Top senders",
                description: "The accounts that submitted the most messages, \(traffic.topSenders.count) shown."),
            segments: [.init(label: "Messages", colour: "fill-blue")]
        ).render(
            traffic.topSenders.map { RankedBars.Row(label: $0.key, values: [$0.value]) },
            caption: "Messages submitted by authenticated accounts (counted per hour: the hours of the window).",
            nameHeader: "Account", emptyText: "No submissions in this window.")
    }

    private func clientsChart() -> [String: Any] {
        RankedBars(
            figure: ChartFigure(
                id: "chart-clients", title: "Top refused clients",
                description: "The client addresses with the most refused SMTP commands, \(traffic.topRefusedClients.count) shown."
            ),
            segments: [.init(label: "Refusals", colour: "fill-red")]
        ).render(
            traffic.topRefusedClients.map { RankedBars.Row(label: $0.key, values: [$0.value]) },
            caption: "SMTP commands refused, by client address (counted per hour: the hours of the window).",
            nameHeader: "Client", emptyText: "No refused clients in this window.")
    }
}
