import Core
import Directory
import Logging
import MailAuth
import Monitor
import Queue
import ServiceLifecycle

/// Keeps the rollup and sends the daily summary: every minute it samples the queue's size (the
/// hour's peak for the summary, the minute's and hour's for the dashboard) and adds this node's
/// counts to the database, purging old buckets (minutes and hours hourly, days daily); after `[summary] send_at` it
/// mails the previous day's summary once for the whole cluster (lease "summary", then a claim
/// per day in `monitor_summary_sent`) when `[summary] send` is on.
public struct DailySummarySender: Service {
    public let site: Site
    public let rollup: DailyRollup
    public let settings: SummarySettings
    public let interval: Duration
    let logger: Logger

    public init(site: Site, rollup: DailyRollup, interval: Duration = .seconds(60), logger: Logger) {
        self.site = site
        self.rollup = rollup
        self.settings = site.config.summary
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await tick(now: UnixTime.now()) }
        try? await rollup.flush()
    }

    /// One round as of `now`.
    public func tick(now: Int64) async {
        do {
            let size = Int64(try await QueueCounts.read(site.database).total)
            rollup.add(size, to: .queuePeak, key: Self.hour(of: now))
            rollup.add(size, to: .queueSize, key: "")
            try await rollup.flush()
            if settings.send, now - UnixTime.dayStart(of: now) >= settings.sendAt {
                try await send(day: UnixTime.dayStart(of: now) - 86_400, now: now)
            }
            // Once an hour: the dashboard's minute and hour buckets past their retention.
            if now % 3600 < Int64(interval.components.seconds) {
                try await DailyRollup.purgeSeries(
                    .minute, before: now - settings.minuteRetention.seconds, database: site.database)
                try await DailyRollup.purgeSeries(.hour, before: now - settings.hourRetention.seconds, database: site.database)
            }
            if now % 86_400 < Int64(interval.components.seconds) {
                try await DailyRollup.purge(
                    before: UnixTime.dayStart(of: now) - settings.retention.seconds, database: site.database)
            }
        } catch {
            logger.warning("daily summary round failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Mails the summary of `day` unless some node did; true when this call sent it. By hand
    /// (`posta summary send`) skips the lease, and `again` the once-a-day claim too.
    @discardableResult
    public func send(day: Int64, now: Int64, byHand: Bool = false, again: Bool = false) async throws -> Bool {
        let lease = MonitorLease(database: site.database, nodeID: site.config.nodeID)
        if !byHand, try await !lease.acquire("summary", now: now, duration: 300) { return false }
        if !again,
            try await !DailySummaryLedger(database: site.database).claim(day: day, nodeID: site.config.nodeID, at: now)
        {
            return false
        }
        let summary = try await DailySummary.gather(day: day, top: settings.top, database: site.database)
        let config = site.config
        let from = "postmaster@\(config.hostname)"
        let recipients = settings.recipients(hostname: config.hostname)
        let mail = DailySummaryMail(summary: summary, hostname: config.hostname, from: from, to: recipients, date: now)
        for address in recipients {
            guard let recipient = try? MailAddress(parsing: address) else { continue }
            let outcome = try await site.queue.queueGenerated(
                mail.render(), reversePath: nil, to: recipient, directory: site.directory,
                signer: DKIMMessageSigner(keys: DKIMKeyStore(database: site.database)), hostname: config.hostname,
                logger: logger)
            logger.info("daily summary queued", metadata: ["to": "\(address)", "outcome": "\(outcome)"])
        }
        return true
    }

    /// `00`…`23`, the UTC hour of `time`.
    static func hour(of time: Int64) -> String {
        let hour = (time - UnixTime.dayStart(of: time)) / 3600
        return hour < 10 ? "0\(hour)" : "\(hour)"
    }
}
