import Admin
import Core
import Directory
import Logging
import Monitor
import Web
import Webmail

extension PostaServer {
    /// The admin console, the API and autoconfiguration over this server's site and logins (the
    /// console's logins share the mail protocols' throttle and login log).
    func makeWebFrontEnds() -> WebFrontEnds {
        let config = site.config
        return WebFrontEnds(
            console: console, autoconfig: AutoconfigSite(config: config, directory: site.directory),
            hostname: config.hostname, httpsPort: WebFrontEnds.httpsPort(of: config.listeners),
            webmail: Webmail(
                database: site.database, directory: site.directory, store: site.store, backfill: summaryBackfill,
                logger: logger),
            webmailSender: webmailSender())
    }
}

extension Site {
    /// The administration service layer over this site; `authenticator` is the one the mail
    /// protocols use in `serve` (so the console's logins share their throttle), a new one in the CLI;
    /// `rollup` is the server's counts, flushed before the dashboard reads (none in the CLI).
    public func adminConsole(authenticator: Authenticator? = nil, rollup: DailyRollup? = nil, logger: Logger)
        -> AdminConsole
    {
        AdminConsole(
            database: database, directory: directory, store: store, queue: queue,
            authenticator: authenticator ?? Authenticator(directory: directory, loginLog: LoginLog(database: database)),
            settings: config.admin, quarantine: PostaServer.quarantine(self),
            abuse: PostaServer.abuseMonitor(self, logger: logger), spamDefaults: config.filter.spamDefaults,
            rollup: rollup, reportMailing: SiteReportMailing(site: self, logger: logger), summarySettings: config.summary,
            logger: logger,
            dnsSite: DNSRecordSite(
                config: config, mtaSTSPolicy: config.mtaSTS.servedPolicy(hostname: config.hostname),
                tlsReportURIs: config.mtaSTS.reportURIs),
            listTransport: listTransport(logger: logger))
    }
}
