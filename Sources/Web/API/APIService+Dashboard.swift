import Admin

extension APIService {
    func getDashboard(_ input: Operations.GetDashboard.Input) async throws -> Operations.GetDashboard.Output {
        let window = input.query.window.flatMap { DashboardWindow(rawValue: $0.rawValue) } ?? .day
        let data = try await console.dashboard(as: principal(), window: window)
        return .ok(
            .init(
                body: .json(
                    .init(
                        domains: data.domains, accounts: data.accounts, aliases: data.aliases,
                        queue: data.queue.map {
                            .init(active: $0.active, deferred: $0.deferred, held: $0.held, other: $0.other, total: $0.total)
                        }, traffic: data.traffic.map(Components.Schemas.Traffic.init)))))
    }
}

extension Components.Schemas.Traffic {
    init(_ traffic: DashboardTraffic) {
        func series(_ items: [DashboardSeries]) -> [Components.Schemas.TrafficSeries] {
            items.map { .init(key: $0.key, label: $0.label, values: $0.values, total: $0.total) }
        }
        self.init(
            window: Self.window(traffic.window), bucketSeconds: traffic.window.span.rawValue,
            buckets: traffic.buckets, received: series(traffic.received), sent: series(traffic.sent),
            refused: series(traffic.refused),
            queueSize: zip(traffic.buckets, traffic.queueSize).compactMap { at, peak in peak.map { .init(at: at, peak: $0) } },
            logins: traffic.logins.map { .init(_protocol: $0.protocolName, succeeded: $0.succeeded, failed: $0.failed) },
            topSenders: traffic.topSenders.map { .init(key: $0.key, value: $0.value) },
            topRefusedClients: traffic.topRefusedClients.map { .init(key: $0.key, value: $0.value) })
    }

    static func window(_ window: DashboardWindow) -> WindowPayload {
        switch window {
        case .hour: .hour
        case .day: .day
        case .week: .week
        }
    }
}
