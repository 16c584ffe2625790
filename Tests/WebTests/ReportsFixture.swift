import Admin
import Core
import Hummingbird
import HummingbirdTesting
import Logging
import MailAuth
import Policy
import PostaTestSupport
import Web

/// A site with reports stored, its console given a recording `ReportMailing`, the console and
/// the API mounted on one router, and a superadmin (`root`), a domain admin of example.org
/// (`dora`) and a helpdesk (`hal`), each with a password and an API token.
struct ReportsFixture {
    let console: AdminConsole
    let mailing: RecordingReportMailing
    let tokens: [String: String]

    static let logger = Logger(label: "reports-test")
    static let cli = Principal(.console(unixUser: "test"), channel: .cli, clientIP: nil)
    /// 2023-11-15, the reporting period of the stored reports.
    static let day: Int64 = 1_700_006_400
    static let password = "report-secret-1"

    static func with(
        _ dialect: Database.Dialect = .sqlite,
        _ body: @escaping @Sendable (ReportsFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestConsole.with(dialect, logger: logger) { base in
            let mailing = RecordingReportMailing()
            let console = AdminConsole(
                database: base.database, directory: base.directory, store: base.store, queue: base.queue,
                authenticator: base.authenticator, settings: base.settings, reportMailing: mailing, logger: logger)
            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: cli, name: domain) }
            var tokens: [String: String] = [:]
            for (login, role, domains) in [
                ("root", AdminRole.superadmin, [String]()), ("dora", .domainAdmin, ["example.org"]), ("hal", .helpdesk, []),
            ] {
                _ = try await console.addAdministrator(
                    as: cli, login: login, password: password, role: role, domains: domains, displayName: login)
                tokens[login] = try await console.addToken(as: cli, admin: login, name: "tests").token
            }
            try await seed(base.database)
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: logger)
            WebRoutes.addAPI(to: router, console: console, logger: logger)
            let fixture = ReportsFixture(console: console, mailing: mailing, tokens: tokens)
            try await Application(router: router).test(.router) { client in try await body(fixture, client) }
        }
    }

    /// Received DMARC reports about example.org (a passing source) and other.org (a failing
    /// one); Posta's own DMARC result about example.org; TLS sessions with gmail.example; a
    /// received TLS report about both domains; a cached MTA-STS policy of gmail.example.
    static func seed(_ db: Database) async throws {
        for (domain, ip, pass) in [("example.org", "192.0.2.1", true), ("other.org", "198.51.100.7", false)] {
            let feedback = DMARCFeedback(
                metadata: DMARCReportMetadata(
                    orgName: "receiver.example", email: "noreply@receiver.example", reportID: "r-\(domain)",
                    dateRange: DMARCDateRange(begin: day, end: day + 86_399)),
                policyPublished: DMARCPolicyPublished(domain: domain, p: .reject),
                records: [
                    DMARCReportRecord(
                        row: DMARCReportRow(
                            sourceIP: ip, count: 4,
                            policyEvaluated: DMARCPolicyEvaluated(
                                disposition: pass ? .pass : .reject, dkim: .init(pass), spf: .init(pass))),
                        identifiers: DMARCReportIdentifiers(headerFrom: domain),
                        authResults: DMARCReportAuthResults(
                            spf: DMARCReportSPFResult(domain: domain, result: pass ? .pass : .fail)))
                ])
            _ = try await DMARCReportStore(database: db).store(feedback, receivedAt: day + 90_000)
        }
        let record = DMARCRecord(policy: .reject, aggregateReportURIs: [DMARCReportURI("mailto:dmarc@example.org")!])
        try await DMARCEvaluationStore(database: db).record(
            DMARCEvaluation(
                result: .pass, authorDomain: "example.org", policyDomain: "example.org", record: record,
                publishedPolicy: .reject, requestedPolicy: .reject, disposition: .none, dkimAlignedDomain: "example.org",
                spfAlignedDomain: nil),
            message: DMARCMessage(
                fromDomains: ["example.org"], spf: nil,
                dkim: [DMARCDKIMInput(domain: "example.org", selector: "s1", result: .pass)]),
            sourceIP: "203.0.113.5", envelopeFrom: "example.org", at: day + 60)
        let policy = TLSRPTReport.Policy(policyType: .sts, policyString: ["version: STSv1"], policyDomain: "gmail.example")
        try await TLSRPTSessionStore(database: db).record(TLSRPTSession(policy: policy), at: day + 100, count: 3)
        try await TLSRPTSessionStore(database: db).record(
            TLSRPTSession(policy: policy, failure: .certificateExpired, receivingMX: "mx.gmail.example"), at: day + 200)
        try await TLSRPTReceivedStore(database: db).store(
            TLSRPTReport(
                organizationName: "sender.example", dateRange: .init(begin: day, end: day + 86_399),
                contactInfo: "tls@sender.example", reportID: "tls-1",
                policies: ["example.org", "other.org"].map {
                    .init(
                        policy: .init(policyType: .sts, policyDomain: $0), summary: .init(successful: 5, failed: 1),
                        failureDetails: [.init(resultType: .certificateNotTrusted, failedSessionCount: 1)])
                }), receivedAt: day + 90_000)
        try await MTASTSPolicyStore(database: db).save(
            MTASTSCachedPolicy(
                domain: "gmail.example", id: "20231115",
                policy: MTASTSPolicy(mode: .enforce, mx: [MTASTSMXPattern("*.gmail.example")!], maxAge: 86_400),
                fetchedAt: day))
    }
}

/// Records the days it was asked to queue; answers one domain each, like a site would.
actor RecordingReportMailing: ReportMailing {
    var dmarcDays: [Int64] = []
    var tlsDays: [Int64] = []
    nonisolated let dmarcReporter: DMARCReporter? = DMARCReporter(
        orgName: "Posta Test", email: "postmaster@mx.test", domain: "mx.test", generator: "Posta test")
    nonisolated let tlsReporter: TLSRPTReporter? = TLSRPTReporter(
        organizationName: "mx.test", contactInfo: "postmaster@mx.test", submitter: "mx.test")

    func queueDMARCReports(periodStart: Int64) async throws -> [QueuedReport] {
        dmarcDays.append(periodStart)
        return [QueuedReport(domain: "sender.example", recipients: ["agg@sender.example"], problems: [])]
    }

    func queueTLSReports(periodStart: Int64) async throws -> [QueuedReport] {
        tlsDays.append(periodStart)
        return [QueuedReport(domain: "gmail.example", recipients: [], problems: ["not to <b>x</b>: refused"])]
    }

    func queueSummary(day: Int64, again: Bool) async throws -> Bool { false }
}
