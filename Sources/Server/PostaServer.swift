import Admin
import Core
import DNS
import Directory
import IMAP
import Logging
import MailAuth
import ManageSieve
import Monitor
import NIOCore
import NIOSSL
import POP3
import Policy
import Queue
import SMTP
import ServiceLifecycle
import Store
import Web
import Webmail

/// `posta serve`: every configured listener and the queue runner under one service group,
/// stopped by SIGTERM/SIGINT.
public struct PostaServer: Sendable {
    public let site: Site
    /// Delivers what the queue holds.
    public let runner: QueueRunner
    /// The protocol services of this build, by listener protocol (HTTP is built in).
    public let services: [ListenerProtocol: any ProtocolService]
    /// POP3 maildrop locks, shared with the other nodes through the database.
    public let maildropLocks: MaildropLocks
    /// Logins of every protocol, with the registry of authenticated sessions.
    public let authenticator: Authenticator
    /// The counts for the daily summary and the dashboard, added to the database every minute.
    public let rollup: DailyRollup
    /// The administration service layer behind the console and the API (and their session purge);
    /// its logins go through `authenticator`, the mail protocols' throttle.
    public let console: AdminConsole
    /// Woken by each recorded submission: the abuse evaluator runs soon after (`[abuse]`).
    let abuseWake = WakeSignal()
    /// Summarises, for the webmail's lists, mail stored before the webmail existed.
    let summaryBackfill: SummaryBackfill
    let logger: Logger

    /// Listener protocols this version of Posta serves.
    public static let availableProtocols: Set<ListenerProtocol> = [
        .smtp, .submission, .submissions, .lmtp, .http, .pop3, .pop3s, .imap, .imaps, .policy, .managesieve,
    ]

    public init(site: Site, logger: Logger) {
        let delivery = site.config.delivery
        let retrySchedule = RetrySchedule(
            first: delivery.retryFirst.duration, maximum: delivery.retryMaximum.duration, expiry: delivery.expiry.duration)
        self.site = site
        self.logger = logger
        self.summaryBackfill = SummaryBackfill(database: site.database, store: site.store, logger: logger)
        // Counts of SMTP, the queue and every login, for the daily summary and the dashboard.
        let rollup = DailyRollup(database: site.database)
        self.rollup = rollup
        let signer = DKIMMessageSigner(keys: DKIMKeyStore(database: site.database))
        let policy = Self.policyEngine(site, logger: logger)
        let runner = QueueRunner(
            queue: site.queue, store: site.store, remote: Self.outbound(site.config, database: site.database, logger: logger),
            bounces: Bounces(
                hostname: site.config.hostname, directory: site.directory, delayWarning: delivery.delayWarning.duration,
                signer: signer),
            schedule: retrySchedule,
            outboundLimits: OutboundLimits(total: delivery.maxConnections, perDestination: delivery.maxConnectionsPerDomain),
            pollInterval: min(.seconds(10), retrySchedule.first), contentFilter: Self.contentFilter(site.config, logger: logger),
            lease: delivery.queueLease.seconds,
            onPermanentFailure: site.config.abuse.enabled ? Self.abuseBounceCounter(site, logger: logger) : nil,
            dailyCounts: rollup, lists: site.listTransport(logger: logger),
            rules: Self.sieveRules(site, policy: policy, signer: signer, logger: logger), logger: logger)
        self.runner = runner
        let authenticator = Authenticator(
            directory: site.directory, loginLog: LoginLog(database: site.database),
            throttle: LoginThrottle(
                policy: LoginThrottle.Policy(site.config.auth, ipv6PrefixLength: site.config.limits.ipv6PrefixLength)),
            dailyCounts: rollup)
        self.authenticator = authenticator
        self.console = site.adminConsole(authenticator: authenticator, rollup: rollup, logger: logger)
        let filtering = Self.filtering(site, logger: logger)
        let senderAuthentication =
            site.config.filter.senderAuthentication ? Self.senderAuthentication(site, logger: logger) : nil
        // Suspended accounts are refused even with `[abuse] enabled = false` (a suspension an
        // admin has not released yet); sends are recorded only when enabled.
        let submissionWatch = AbuseSubmissionWatch(
            database: site.database, directory: site.directory, settings: site.config.abuse, nodeID: site.config.nodeID,
            wake: abuseWake)
        func smtp(_ mode: SMTPReceiver.Mode) -> SMTPProtocolService {
            SMTPProtocolService(
                receiver: SMTPReceiver(
                    mode: mode, hostname: site.config.hostname, directory: site.directory, store: site.store,
                    queue: site.queue, runner: runner, authenticator: authenticator, logger: logger
                ).withPolicy(SMTPPolicyAdapter(engine: policy)).withFiltering(filtering)
                    .withSigning(mode == .submission ? signer : nil)
                    .withAuthentication(mode == .mx ? senderAuthentication : nil).withDailyCounts(rollup)
                    .withSubmissionWatch(mode == .submission ? submissionWatch : nil),
                limits: site.config.limits)
        }
        maildropLocks = MaildropLocks(database: site.database, nodeID: site.store.nodeID, logger: logger)
        let pop3 = POP3ProtocolService(
            backend: POP3Backend(authenticator: authenticator, store: site.store, locks: maildropLocks, logger: logger))
        let imap = IMAPProtocolService(
            backend: IMAPBackend(authenticator: authenticator, store: site.store, logger: logger),
            appendLimit: Int(clamping: site.config.limits.maxMessageSize.bytes))
        self.services = [
            .smtp: smtp(.mx), .lmtp: smtp(.lmtp), .submission: smtp(.submission), .submissions: smtp(.submission),
            .pop3: pop3, .pop3s: pop3, .imap: imap, .imaps: imap,
            .policy: PolicyProtocolService(engine: policy),
            .managesieve: ManageSieveProtocolService(
                backend: ManageSieveBackend(
                    authenticator: authenticator, scripts: SieveScriptsManageSieveStore(scripts: site.sieve, logger: logger),
                    logger: logger)),
        ]
    }

    /// SPF, DKIM and DMARC of received mail through the site's resolver; nil, with an error logged,
    /// when no resolver can be set up.
    static func senderAuthentication(_ site: Site, logger: Logger) -> SenderAuthentication? {
        let config = site.config
        do {
            let resolver = DNSResolver(configuration: try config.resolverConfiguration(), logger: logger)
            return SenderAuthentication(
                authenticator: MessageAuthenticator(
                    resolver: resolver, logger: logger, localPolicy: SenderAuthentication.localPolicy(config.filter),
                    trustedARCSealers: config.filter.trustedARCSealers),
                evaluations: DMARCEvaluationStore(database: site.database), hostname: config.hostname)
        } catch {
            logger.error(
                "no DNS resolver: received mail is not authenticated (SPF, DKIM, DMARC)", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Outbound delivery with the configured (or the system's) DNS servers; nil, with an error
    /// logged, when no resolver can be set up — mail for other domains then stays queued.
    static func outbound(_ config: PostaConfig, database: Database? = nil, logger: Logger) -> OutboundDelivery? {
        do {
            let configuration = try config.resolverConfiguration()
            let resolver = DNSResolver(configuration: configuration, logger: logger)
            return try OutboundDelivery(
                resolver: resolver, heloName: config.hostname,
                port: config.delivery.smtpPort, timeouts: SMTPClientTimeouts(config.delivery.timeouts),
                requireTLS: Set(config.delivery.requireTLS), verifyTLS: Set(config.delivery.verifyTLS),
                caFile: config.delivery.tlsCAFile,
                relay: try SMTPRelay(config.delivery), maxConnectionsPerDestination: config.delivery.maxConnectionsPerDomain,
                tlsPolicies: try database.flatMap {
                    try transportSecurity(config, database: $0, resolver: resolver, logger: logger)
                },
                logger: logger)
        } catch {
            logger.error(
                "no outbound delivery (DNS resolver, relay password or CA file): mail for other domains stays queued",
                metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// MTA-STS policies of recipient domains and the TLS-RPT counts (`[mta_sts]`); nil when both
    /// are switched off.
    static func transportSecurity(
        _ config: PostaConfig, database: Database, resolver: DNSResolver, logger: Logger
    ) throws -> (any OutboundTLSPolicySource)? {
        let settings = config.mtaSTS
        guard settings.outbound || settings.recordTLSReports else { return nil }
        let policies =
            settings.outbound
            ? MTASTSPolicyResolver(
                dns: resolver,
                fetcher: ThrottledMTASTSFetcher(
                    try MTASTSHTTPSFetcher(
                        resolver: resolver, caFile: config.delivery.tlsCAFile, port: settings.fetchPort,
                        timeout: .seconds(settings.fetchTimeout.seconds))),
                store: MTASTSPolicyStore(database: database)) : nil
        return MTASTSOutboundPolicies(
            resolver: policies, sessions: settings.recordTLSReports ? TLSRPTSessionStore(database: database) : nil,
            logger: logger)
    }

    /// Protocols this build can serve.
    public var availableProtocols: Set<ListenerProtocol> { Self.availableProtocols }

    /// Builds the listener services; fails if a listener names a protocol this build lacks.
    public func makeListeners() throws -> [any Service] {
        let config = site.config
        var tlsConfiguration: TLSConfiguration?
        var tlsContext: NIOSSLContext?
        if let tls = config.tls {
            let configuration = try ServerTLS.makeConfiguration(tls)
            tlsConfiguration = configuration
            tlsContext = try NIOSSLContext(configuration: configuration)
        }
        // Every check that can fail comes before the first listener is built: a listener that is
        // built and then dropped unrun would leave its bound-address promise unfulfilled.
        for listener in config.listeners {
            if listener.protocol == .http {
                try HTTPService.checkAddressIsFree(listener)
            } else if services[listener.protocol] == nil {
                throw ServerError.protocolUnavailable(
                    "listener \(listener.host):\(listener.port) (line \(listener.line)): protocol '\(listener.protocol.rawValue)' is not available in this version of Posta (available: \(availableProtocols.map(\.rawValue).sorted().joined(separator: ", ")))"
                )
            }
        }
        let budget = ConnectionBudget(limits: config.limits)
        let health = HealthMonitor(database: site.database)
        let web = makeWebFrontEnds()
        let listeners = try config.listeners.map { listener -> any Service in
            guard let service = services[listener.protocol] else {
                return try HTTPService.make(
                    settings: listener, tls: tlsConfiguration, health: health, budget: budget,
                    mtaSTSPolicy: config.mtaSTS.servedPolicy(hostname: config.hostname), metrics: config.metrics,
                    web: web, logger: logger)
            }
            return TCPListener(
                settings: listener, service: service, budget: budget, tls: tlsContext, hostname: config.hostname,
                logger: logger)
        }
        // The HTTP listeners' /healthz answers from the monitor's background checks.
        return config.listeners.contains { $0.protocol == .http } ? listeners + [health] : listeners
    }

    /// Housekeeping that runs beside the listeners: ending revoked sessions, purging the login log,
    /// sweeping orphaned message files, the node's heartbeat, list digests, DMARC aggregate reports.
    var backgroundServices: [any Service] {
        var services: [any Service] = [
            OrphanSweep(
                store: site.store, age: site.config.store.orphanAge.duration, interval: site.config.store.sweepInterval.duration,
                logger: logger),
            UndeletePurge(store: site.store, interval: site.config.store.sweepInterval.duration, logger: logger),
            SessionRevocationWatcher(directory: site.directory, sessions: authenticator.sessions, logger: logger),
            LoginLogPurge(
                loginLog: authenticator.loginLog, directory: site.directory, retention: site.config.auth.logRetention.seconds,
                logger: logger),
            ConsoleSessionPurge(console: console, logger: logger),
            NodeHeartbeat(
                nodes: ClusterNodes(database: site.database), nodeID: site.config.nodeID, hostname: site.config.hostname,
                logger: logger),
            DailySummarySender(site: site, rollup: rollup, logger: logger),
            MetricsRefresher(
                queue: site.queue, store: site.store, interval: site.config.metrics.refreshInterval.duration, logger: logger),
            WebmailSummaryBackfill(backfill: summaryBackfill),
            ListMaintenance(transport: site.listTransport(logger: logger), logger: logger),
        ]
        if site.config.abuse.enabled {
            services.append(
                AbuseEvaluator(
                    monitor: Self.abuseMonitor(site, logger: logger),
                    lease: MonitorLease(database: site.database, nodeID: site.config.nodeID), wake: abuseWake, logger: logger))
        }
        do {
            services.append(try DMARCReporting.make(site, logger: logger))
        } catch {
            logger.error("no DNS resolver: DMARC reports are neither sent nor read", metadata: ["error": "\(error)"])
        }
        let settings = site.config.mtaSTS
        if settings.recordTLSReports || settings.sendTLSReports || settings.tlsReportAddress != nil,
            let sender = try? Self.tlsReportSender(site, send: settings.sendTLSReports, logger: logger)
        {
            services.append(sender)
        }
        return services
    }

    /// The daily TLS report mail (`[mta_sts] send_tls_reports`, through the site's resolver) and
    /// the purge of old counts.
    public static func tlsReportSender(_ site: Site, send: Bool = true, logger: Logger) throws -> TLSReportSender {
        let config = site.config
        return TLSReportSender(
            sessions: TLSRPTSessionStore(database: site.database),
            dns: DNSResolver(configuration: try config.resolverConfiguration(), logger: logger), queue: site.queue,
            directory: site.directory, signer: DKIMMessageSigner(keys: DKIMKeyStore(database: site.database)),
            reporter: config.tlsReporter,
            receivedReports: config.mtaSTS.tlsReportAddress.map {
                ReportMailbox(site: site, address: $0, kind: "tlsrpt", logger: logger)
            },
            send: send, logger: logger)
    }

    /// Runs until SIGTERM or SIGINT, then drains and returns. `onStart` runs once every
    /// listener is built, just before they bind.
    public func run(onStart: @Sendable () -> Void = {}) async throws {
        let listeners = try makeListeners()
        // No POP3 session of this node survived its last run: its maildrop locks go at once.
        try await maildropLocks.releaseAll()
        // The queue's recovery clears unfinished spool writes: it must be done before a listener
        // can start a new one (else a message arriving at start-up loses its spool file: 451).
        try await runner.recover()
        onStart()
        let group = ServiceGroup(
            configuration: .init(
                services: ([runner] + backgroundServices + listeners).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
