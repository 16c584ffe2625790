import Admin
import Core
import Directory
import Filter
import Logging
import MailAuth
import Monitor
import Policy
import PostaTestSupport
import Queue
import Store
import Webmail

/// An `AdminConsole` over a fresh test database (every schema the console reads) and a
/// throw-away mail folder: what the console and API fixtures mount.
enum TestConsole {
    /// The site whose DNS records the console shows: IMAPS, submission and HTTPS listeners,
    /// DMARC reports to `dmarc@example.org`.
    static let dnsSite = DNSRecordSite(
        hostname: "mx.example.net",
        services: [
            .init(protocol: .imaps, port: 993, tls: .implicit), .init(protocol: .submission, port: 587, tls: .starttls),
            .init(protocol: .http, port: 443, tls: .implicit),
        ], dmarcReportAddress: "dmarc@example.org")

    static func with<R: Sendable>(
        _ dialect: Database.Dialect, logger: Logger, _ body: (AdminConsole) async throws -> R
    ) async throws -> R {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(
                DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
                    + PolicySchema.migrations + AdminSchema.migrations + DKIMKeySchema.migrations + AbuseSchema.migrations
                    + SpamSettingsSchema.migrations
                    + DMARCSchema.migrations + TLSRPTSchema.migrations + MTASTSSchema.migrations
                    + SummarySchema.migrations + WebmailSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let directory = Directory(database: db)
            let queue = MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger)
            let abuse = AbuseMonitor(
                database: db, directory: directory, queue: queue, settings: AbuseSettings(), hostname: "mx.example.org",
                nodeID: "n1", logger: logger)
            let console = AdminConsole(
                database: db, directory: directory,
                store: MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger), queue: queue,
                authenticator: Authenticator(directory: directory, loginLog: LoginLog(database: db)),
                settings: AdminSettings(), abuse: abuse, rollup: DailyRollup(database: db), logger: logger,
                dnsSite: dnsSite)
            return try await body(console)
        }
    }
}
