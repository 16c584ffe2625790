import Admin
import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Monitor
import PostaTestSupport
import Web

/// A `ReportMailing` that records the summaries asked for and answers like the site's ledger:
/// each day once unless `again`.
final class RecordingSummaryMailing: ReportMailing, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: Set<Int64> = []
    private var recorded: [(day: Int64, again: Bool)] = []

    var calls: [(day: Int64, again: Bool)] { lock.withLock { recorded } }

    func queueDMARCReports(periodStart: Int64) async throws -> [QueuedReport] { [] }
    func queueTLSReports(periodStart: Int64) async throws -> [QueuedReport] { [] }

    func queueSummary(day: Int64, again: Bool) async throws -> Bool {
        lock.withLock {
            recorded.append((day, again))
            return sent.insert(day).inserted || again
        }
    }
}

/// `TestConsole`'s console with a recording `ReportMailing`, with both the console pages and
/// the API mounted: what the summary and abuse report tests drive.
enum SummaryFixture {
    static let logger = Logger(label: "summary-tests")

    static func with(
        _ body: @Sendable (AdminConsole, RecordingSummaryMailing, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestConsole.with(.sqlite, logger: logger) { base in
            let mailing = RecordingSummaryMailing()
            let console = AdminConsole(
                database: base.database, directory: base.directory, store: base.store, queue: base.queue,
                authenticator: base.authenticator, settings: base.settings, abuse: base.abuse, rollup: base.rollup,
                reportMailing: mailing, logger: logger)
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: logger)
            WebRoutes.addAPI(to: router, console: console, logger: logger)
            try await Application(router: router).test(.router) { client in try await body(console, mailing, client) }
        }
    }

    /// Domains example.org and other.org with alice@ and carol@ accounts, and the administrators
    /// boss (superadmin), dora (domain admin of example.org) and desk (helpdesk); passwords
    /// `<login>-secret-1`.
    static func seed(_ console: AdminConsole) async throws {
        let cli = Principal(.console(unixUser: "test"), channel: .cli, clientIP: nil)
        for (domain, user) in [("example.org", "alice"), ("other.org", "carol")] {
            _ = try await console.addDomain(as: cli, name: domain)
            _ = try await console.createAccount(
                as: cli, address: "\(user)@\(domain)", password: "user-secret-1", displayName: "", quotaBytes: 0)
        }
        for (login, role, domains) in [
            ("boss", AdminRole.superadmin, [String]()), ("dora", .domainAdmin, ["example.org"]), ("desk", .helpdesk, []),
        ] {
            _ = try await console.addAdministrator(
                as: cli, login: login, password: "\(login)-secret-1", role: role, domains: domains, displayName: login)
        }
    }

    /// Three sends by alice@example.org and one by carol@other.org in the last ten minutes, from
    /// addresses neither ever read mail from.
    static func recordSends(_ console: AdminConsole) async throws {
        let store = console.abuse!.store
        let now = UnixTime.now()
        for (address, ips) in [
            ("alice@example.org", ["198.51.100.7", "198.51.100.7", "203.0.113.9"]), ("carol@other.org", ["192.0.2.77"]),
        ] {
            let account = try await console.directory.account(address)!
            for (index, ip) in ips.enumerated() {
                try await store.recordSend(
                    accountID: account.id, account: address, ip: ip, network: ip, queueID: "q\(account.id)-\(index)",
                    nodeID: "n1", recipients: ["x@remote.example"], at: now - 600 + Int64(index))
            }
        }
    }
}
