import Core
import Directory
import Filter
import Lists
import Logging
import Monitor
import Queue
import Store

/// The administration service layer: every operation the CLI, the admin console, the JSON API
/// and user self-service perform, each checking the principal's permission on the server side
/// and writing one audit row per change (who, what, before/after, when, from which IP). Front
/// ends only translate requests into these calls and results into pages or JSON.
public final class AdminConsole: Sendable {
    public let database: Database
    public let directory: Directory
    public let store: MailStore
    public let queue: MailQueue
    public let authenticator: Authenticator
    public let settings: AdminSettings
    /// The content filters' quarantine; nil where the site keeps none (tests).
    public let quarantine: QuarantineStore?
    /// Compromised-account detection, for its suspensions; nil where the site runs none (tests).
    public let abuse: AbuseMonitor?
    /// The site's spam settings (`FilterSettings.spamDefaults`): what accounts and domains without
    /// their own inherit; nil when no spam scanner is configured.
    public let spamDefaults: SpamPreferences?
    /// The server's counts, flushed before the dashboard reads so it shows this node's last
    /// minute too; nil outside `posta serve` (the CLI, tests): the dashboard reads what is stored.
    public let rollup: DailyRollup?
    /// Queues report mail (DMARC, TLS, daily summary); nil outside a site (tests).
    public let reportMailing: (any ReportMailing)?
    /// What the site publishes in DNS for its domains (`dnsRecords(as:domain:)`); nil outside a
    /// site (tests), and the DNS records then answer `AdminError.conflict`.
    public let dnsSite: DNSRecordSite?
    /// `[summary]`: the rows per list of the daily summary (`top`).
    public let summarySettings: SummarySettings
    /// The lists' transport, for held posts a moderator approves; nil outside a site (tests),
    /// and moderation then answers `AdminError.conflict`.
    public let listTransport: ListTransport?
    public let logger: Logger

    public init(
        database: Database, directory: Directory, store: MailStore, queue: MailQueue, authenticator: Authenticator,
        settings: AdminSettings, quarantine: QuarantineStore? = nil, abuse: AbuseMonitor? = nil,
        spamDefaults: SpamPreferences? = nil, rollup: DailyRollup? = nil, reportMailing: (any ReportMailing)? = nil,
        summarySettings: SummarySettings = SummarySettings(), logger: Logger, dnsSite: DNSRecordSite? = nil,
        listTransport: ListTransport? = nil
    ) {
        self.listTransport = listTransport
        self.summarySettings = summarySettings
        self.dnsSite = dnsSite
        self.rollup = rollup
        self.reportMailing = reportMailing
        self.database = database
        self.directory = directory
        self.store = store
        self.queue = queue
        self.authenticator = authenticator
        self.settings = settings
        self.quarantine = quarantine
        self.abuse = abuse
        self.spamDefaults = spamDefaults
        self.logger = logger
    }
}
