import Core
import Queue

/// The dashboard's counts.
public struct DashboardData: Sendable {
    public var domains: Int
    public var accounts: Int
    public var aliases: Int
    public var queue: QueueCounts
}

extension AdminConsole {
    /// Counts of the domains the principal acts in, and of the queue (site-wide).
    public func dashboard(as principal: Principal) async throws -> DashboardData {
        try principal.require(.viewDashboard)
        let domains = try await self.domains(as: principal)
        return DashboardData(
            domains: domains.count, accounts: domains.reduce(0) { $0 + $1.accounts },
            aliases: domains.reduce(0) { $0 + $1.aliases }, queue: try await QueueCounts.read(database))
    }
}
