import Core
import DNS
import Directory
import Logging
import MailAuth
import Monitor
import NIOConcurrencyHelpers
import Queue
import SMTP
import ServiceLifecycle

/// The submission side of compromised-account containment (docs/abuse.md): refuses a suspended
/// account's MAIL FROM, and records every accepted submission in `abuse_send`, waking this
/// node's evaluator. The suspension is read from the database (every node's evaluator writes
/// there) and cached per account for `cacheTime`.
final class AbuseSubmissionWatch: SubmissionWatch {
    let store: AbuseStore
    let directory: Directory
    let settings: AbuseSettings
    let nodeID: String
    let wake: WakeSignal
    /// How long a suspension answer is reused.
    static let cacheTime: Duration = .seconds(2)
    /// Accounts cached at most; the cache is emptied when full.
    static let cacheLimit = 10_000
    private let cache = NIOLockedValueBox([String: (suspended: Bool, at: ContinuousClock.Instant)]())

    /// The reply a suspended account gets (RFC 3463 §3.8: 5.7.1 delivery not authorized).
    static let refusal = SMTPReply(550, .init(5, 7, 1), "sending suspended for this account, contact the helpdesk")

    init(database: Database, directory: Directory, settings: AbuseSettings, nodeID: String, wake: WakeSignal) {
        self.store = AbuseStore(database: database)
        self.directory = directory
        self.settings = settings
        self.nodeID = nodeID
        self.wake = wake
    }

    func refusal(user: String, logger: Logger) async -> SMTPReply? {
        let key = user.lowercased()
        let now = ContinuousClock.now
        if let cached = cache.withLockedValue({ $0[key] }), now - cached.at < Self.cacheTime {
            return cached.suspended ? Self.refusal : nil
        }
        do {
            let suspended = try await store.isSuspended(account: key)
            cache.withLockedValue {
                if $0.count >= Self.cacheLimit { $0.removeAll() }
                $0[key] = (suspended, now)
            }
            if suspended { logger.notice("submission refused: sending suspended", metadata: ["user": "\(user)"]) }
            return suspended ? Self.refusal : nil
        } catch {
            // The check failing must not stop every sender: the evaluator holds what slips through.
            logger.error("suspension check failed", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
    }

    func accepted(user: String, clientIP: String, queueID: String, recipients: [String], logger: Logger) async {
        guard settings.enabled else { return }
        do {
            guard let account = try await directory.account(user) else { return }
            try await store.recordSend(
                accountID: account.id, account: account.address, ip: clientIP,
                network: AbuseNetwork.key(clientIP, v4: settings.networkPrefixV4, v6: settings.networkPrefixV6),
                queueID: queueID, nodeID: nodeID, recipients: recipients, at: UnixTime.now())
            wake.notify()
            // The evaluator may run on another node: tell it too (PostgreSQL; SQLite serves one node).
            if store.database.dialect == .postgres {
                try? await store.database.notify(channel: AbuseEvaluator.channel, payloads: [nodeID])
            }
        } catch {
            logger.error("send not recorded for abuse detection", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}

/// The compromised-account evaluator of `posta serve`: every `evaluate_interval`, and about a
/// second after this node accepted a submission, the node holding the `abuse` lease
/// (`MonitorLease`) scores the accounts that sent in the window and contains those over the
/// threshold (`AbuseMonitor.evaluate`). The others only keep asking for the lease, so when the
/// holder stops another node takes over once it has expired.
public struct AbuseEvaluator: Service {
    public static let leaseName = "abuse"
    let monitor: AbuseMonitor
    let lease: MonitorLease
    let wake: WakeSignal
    let logger: Logger

    init(monitor: AbuseMonitor, lease: MonitorLease, wake: WakeSignal, logger: Logger) {
        self.monitor = monitor
        self.lease = lease
        self.wake = wake
        self.logger = logger
    }

    var interval: Duration { monitor.settings.evaluateInterval.duration }

    /// The PostgreSQL channel on which every node's submissions wake the evaluators.
    public static let channel = "posta_abuse_send"

    public func run() async throws {
        let database = monitor.store.database
        let listener = database.dialect == .postgres ? Task { await listen(database) } : nil
        await repeatUntilShutdown(wake: wake, every: interval) {
            // Debounce: a burst of submissions is evaluated once, a second after it began.
            try? await Task.sleep(for: .seconds(1))
            await evaluateOnce(now: UnixTime.now())
        }
        listener?.cancel()
        await listener?.value
        try? await lease.release(Self.leaseName)
    }

    /// Wakes the evaluator on each other node's submission, reconnecting with a bounded backoff;
    /// while the connection is down, `evaluate_interval` still finds every send.
    private func listen(_ database: Database) async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            let connected = NIOLockedValueBox(false)
            do {
                try await database.listen(channel: Self.channel) {
                    connected.withLockedValue { $0 = true }
                } received: { _ in
                    wake.notify()
                }
            } catch {
                logger.warning("abuse evaluator: LISTEN failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if connected.withLockedValue({ $0 }) { delay = .milliseconds(100) }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// One evaluation if this node holds (or takes) the lease.
    func evaluateOnce(now: Int64) async {
        do {
            let duration = 3 * monitor.settings.evaluateInterval.seconds + 10
            guard try await lease.acquire(Self.leaseName, now: now, duration: duration) else { return }
            let suspended = try await monitor.evaluate(now: now)
            if !suspended.isEmpty {
                logger.info("abuse evaluation suspended accounts", metadata: ["accounts": "\(suspended.map(\.account))"])
            }
        } catch {
            logger.warning("abuse evaluation failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}

extension PostaServer {
    /// Counts permanent failures of submitted messages for the `bounces` rule (`abuse_bounce`).
    static func abuseBounceCounter(_ site: Site, logger: Logger) -> @Sendable ([String]) async -> Void {
        let store = AbuseStore(database: site.database)
        return { ids in
            do {
                try await store.recordBounces(queueIDs: ids, at: UnixTime.now())
            } catch {
                logger.warning("bounces not counted for abuse detection", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// The abuse monitor of `site` with the site's resolver for reverse DNS (none when it cannot
    /// be set up: every name reads "unknown").
    public static func abuseMonitor(_ site: Site, logger: Logger) -> AbuseMonitor {
        let config = site.config
        var reverseDNS: (@Sendable (String) async -> String?)?
        if let configuration = try? config.resolverConfiguration() {
            let resolver = DNSResolver(configuration: configuration, logger: logger)
            reverseDNS = { @Sendable ip in
                guard let result = try? await resolver.ptr(ip: ip), let first = result.value?.first else { return nil }
                let name = first.description
                return name.hasSuffix(".") ? String(name.dropLast()) : name
            }
        }
        return AbuseMonitor(
            database: site.database, directory: site.directory, queue: site.queue, settings: config.abuse,
            hostname: config.hostname, nodeID: config.nodeID, logger: logger, reverseDNS: reverseDNS,
            signer: DKIMMessageSigner(keys: DKIMKeyStore(database: site.database)))
    }
}
