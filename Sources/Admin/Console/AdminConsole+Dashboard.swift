import Core
import Queue

/// The dashboard's counts.
public struct DashboardData: Sendable {
    public var domains: Int
    public var accounts: Int
    public var aliases: Int
    /// The queue by state, site-wide: nil for a principal with a domain scope.
    public var queue: QueueCounts?
    /// The site's traffic over the window asked for, site-wide: nil for a principal with a domain scope.
    public var traffic: DashboardTraffic?
}

extension AdminConsole {
    /// Counts of the domains the principal acts in, and the queue and the traffic over `window`
    /// ending `now` (site-wide, so only for a principal without a domain scope). This node's
    /// pending counts are flushed first, so the charts include the last minute.
    public func dashboard(
        as principal: Principal, window: DashboardWindow = .day, now: Int64 = UnixTime.now()
    ) async throws -> DashboardData {
        try principal.require(.viewDashboard)
        let domains = try await self.domains(as: principal)
        var data = DashboardData(
            domains: domains.count, accounts: domains.reduce(0) { $0 + $1.accounts },
            aliases: domains.reduce(0) { $0 + $1.aliases })
        guard principal.domainScope == nil else { return data }
        data.queue = try await QueueCounts.read(database)
        do {
            try await rollup?.flush()
        } catch {
            logger.warning("cannot flush the counts before the dashboard", metadata: ["error": "\(error)"])
        }
        data.traffic = try await DashboardTraffic.read(window, now: now, database: database)
        return data
    }
}
