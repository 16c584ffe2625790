import Core
import Queue

/// The dashboard's counts.
public struct DashboardData: Sendable {
    public var domains: Int
    public var accounts: Int
    public var aliases: Int
    /// The queue by state, site-wide: nil for a principal with a domain scope.
    public var queue: QueueCounts?
}

extension AdminConsole {
    /// Counts of the domains the principal acts in, and of the queue (site-wide, so only for a
    /// principal without a domain scope).
    public func dashboard(as principal: Principal) async throws -> DashboardData {
        try principal.require(.viewDashboard)
        let domains = try await self.domains(as: principal)
        return DashboardData(
            domains: domains.count, accounts: domains.reduce(0) { $0 + $1.accounts },
            aliases: domains.reduce(0) { $0 + $1.aliases },
            queue: principal.domainScope == nil ? try await QueueCounts.read(database) : nil)
    }
}
