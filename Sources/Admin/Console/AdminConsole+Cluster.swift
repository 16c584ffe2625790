import Core
import Monitor

extension AdminConsole {
    /// The cluster's nodes, job leases and queue ownership (site-wide; a superadmin's view).
    public func clusterStatus(as principal: Principal, staleAfter: Int64 = ClusterCheck.defaultStaleAfter) async throws
        -> ClusterStatus
    {
        try principal.requireSiteWide(.manageQueue)
        return try await ClusterStatus.read(database: database, queue: queue, now: now, staleAfter: staleAfter)
    }
}
