import Core
import Monitor

extension AdminConsole {
    /// The abuse report (`posta abuse report`, docs/abuse.md): the accounts that sent mail
    /// during the last `within` from an address they never read mail from, with every address
    /// they sent from. A domain admin sees the accounts of their domains only.
    public func abuseReport(as principal: Principal, within: ConfigDuration) async throws -> AbuseReportData {
        try principal.require(.manageAbuse)
        guard within.seconds > 0, within.seconds <= Self.abuseReportLimit.seconds else {
            throw AdminError.invalid("Choose a period from 1s to \(Self.abuseReportLimit).")
        }
        let monitor = try abuseMonitor()
        let scope = principal.domainScope
        let end = now
        return try await monitor.report(since: end - within.seconds, now: end) { account in
            scope.map { $0.contains(Principal.domain(of: account)) } ?? true
        }
    }

    /// The longest period a report may cover: a year of sends.
    public static let abuseReportLimit = ConfigDuration.days(366)
}
