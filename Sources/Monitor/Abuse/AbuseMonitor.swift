import Core
import Directory
import Foundation
import Logging
import Queue

/// What `posta abuse show` prints.
public struct AbuseAccountView: Sendable, Codable {
    public var account: String
    public var suspended: Bool
    public var suspension: AbuseSuspension?
    public var score: AbuseScore?
    public var ips: [AbuseIPSummary]
    public var ignores: [AbuseIgnore]
    public var audit: [AbuseAuditEntry]

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(account, forKey: .account)
        try container.encode(suspended, forKey: .suspended)
        try container.encode(suspension, forKey: .suspension)
        try container.encode(score, forKey: .score)
        try container.encode(ips, forKey: .ips)
        try container.encode(ignores, forKey: .ignores)
        try container.encode(audit, forKey: .audit)
    }
}

/// What `posta abuse release` did.
public struct AbuseRelease: Sendable, Codable, Equatable {
    public var account: String
    public var released: Bool
    public var releasedMessages: Int
    public var deletedMessages: Int

    enum CodingKeys: String, CodingKey {
        case account, released
        case releasedMessages = "released_messages"
        case deletedMessages = "deleted_messages"
    }
}

/// What `posta abuse ignore` did.
public struct AbuseIgnoreResult: Sendable, Codable, Equatable {
    public var target: String
    public var kind: String
    public var rule: String
    public var removed: Bool
}

/// The seed-style report (`posta abuse report`).
public struct AbuseReportData: Sendable, Codable {
    public struct Account: Sendable, Codable {
        public var account: String
        public var ips: [AbuseIPSummary]
    }
    public var since: Int64
    public var accounts: [Account]
}

/// Why an abuse command was refused.
public enum AbuseError: Error, Equatable, CustomStringConvertible {
    case unknownAccount(String)
    case badTarget(String)

    public var description: String {
        switch self {
        case .unknownAccount(let account): "no account '\(account)'"
        case .badTarget(let target): "'\(target)' is neither an account address nor a network (192.0.2.0/24, 2001:db8::/48)"
        }
    }
}

/// Compromised-account detection and containment (docs/abuse.md) as a service both the
/// evaluator of `posta serve` and the `posta abuse` commands call: scoring every account that
/// sent in the window, suspending those over the threshold (suspension row, held mail, optional
/// lock, report mail to the postmaster, audit), and the admin's views and actions.
public struct AbuseMonitor: Sendable {
    public let store: AbuseStore
    public let directory: Directory
    public let queue: MailQueue
    public let settings: AbuseSettings
    public let hostname: String
    public let nodeID: String
    public let logger: Logger
    /// The PTR name of an address through the site's resolver; nil when there is none.
    public let reverseDNS: (@Sendable (String) async -> String?)?
    /// Signs the report mail (DKIM), if the site has a key.
    public let signer: (any MessageSigner)?

    public init(
        database: Database, directory: Directory, queue: MailQueue, settings: AbuseSettings, hostname: String,
        nodeID: String, logger: Logger, reverseDNS: (@Sendable (String) async -> String?)? = nil,
        signer: (any MessageSigner)? = nil
    ) {
        self.store = AbuseStore(database: database)
        self.directory = directory
        self.queue = queue
        self.settings = settings
        self.hostname = hostname
        self.nodeID = nodeID
        self.logger = logger
        self.reverseDNS = reverseDNS
        self.signer = signer
    }

    var scorer: AbuseScorer { AbuseScorer(settings: settings) }

    // MARK: Evaluation

    /// The scores of every account that sent in the window ending at `now`.
    public func scores(now: Int64) async throws -> [AbuseScore] {
        let ignores = try await store.ignores()
        var scores: [AbuseScore] = []
        for (id, account) in try await store.activeAccounts(since: now - settings.window.seconds) {
            let history = try await store.history(accountID: id, account: account, now: now, settings: settings)
            scores.append(scorer.score(history, ignores: ignores))
        }
        return scores
    }

    /// One evaluation: scores every active account, suspends those at or over the threshold,
    /// holds mail that suspended accounts still got queued, lifts locks whose password changed,
    /// purges old records. Returns the accounts suspended by this run.
    @discardableResult
    public func evaluate(now: Int64 = UnixTime.now()) async throws -> [AbuseScore] {
        var suspended: [AbuseScore] = []
        let already = Set(try await store.suspensions().map(\.accountID))
        for score in try await scores(now: now) where score.exceeds && !already.contains(score.accountID) {
            if try await contain(score, now: now) { suspended.append(score) }
        }
        if settings.holdQueued {
            for suspension in try await store.suspensions() {
                let held = try await store.holdQueued(accountID: suspension.accountID)
                if !held.isEmpty {
                    try await record(
                        suspension.account, "hold", "held \(held.count) queued message(s): \(held.joined(separator: " "))", now)
                }
            }
        }
        try await unlockChangedPasswords(now: now)
        try await store.purge(before: now - settings.retention.seconds)
        return suspended
    }

    /// Suspends the account of `score` (unless another evaluation did); false when it was already.
    func contain(_ score: AbuseScore, now: Int64) async throws -> Bool {
        let account = try await directory.account(id: score.accountID)
        let lock = settings.lockAccount && account?.enabled == true
        let suspension = AbuseSuspension(
            accountID: score.accountID, account: score.account, suspendedAt: now, node: nodeID, score: score.total, locked: lock)
        guard try await store.suspend(suspension, password: lock ? account?.password : nil) else { return false }
        let rules = score.rules.filter { $0.score > 0 }.map { "\($0.rule.rawValue)=\($0.score)" }.joined(separator: " ")
        logger.warning(
            "account suspended: sending from it is refused",
            metadata: ["account": "\(score.account)", "score": "\(score.total)", "rules": "\(rules)"])
        var actions = ["submission refused (550 5.7.1)"]
        try await record(score.account, "suspend", "score \(score.total) >= \(score.threshold): \(rules)", now)
        if settings.holdQueued {
            let held = try await store.holdQueued(accountID: score.accountID)
            actions.append("\(held.count) queued message(s) for remote recipients held")
            try await record(score.account, "hold", "held \(held.count) queued message(s): \(held.joined(separator: " "))", now)
        }
        if lock, let account {
            do {
                try await directory.setEnabled(account.address, false)
                actions.append("account locked until its password is changed")
                try await record(score.account, "lock", "account disabled until its password changes", now)
            } catch {
                logger.error("account not locked", metadata: ["account": "\(score.account)", "error": "\(error)"])
            }
        }
        await sendReport(score, actions: actions, now: now)
        return true
    }

    /// A lock ends when the account's password changed since it was set: the account is enabled again.
    func unlockChangedPasswords(now: Int64) async throws {
        for lock in try await store.locks() {
            guard let account = try await directory.account(id: lock.accountID) else {
                try await store.clearLock(accountID: lock.accountID)
                continue
            }
            guard account.password != lock.password else { continue }
            try await directory.setEnabled(account.address, true)
            try await store.clearLock(accountID: lock.accountID)
            try await record(lock.account, "unlock", "password changed: account enabled (sending stays suspended)", now)
        }
    }

    func record(_ account: String, _ action: String, _ detail: String, _ now: Int64) async throws {
        logger.notice("abuse: \(action)", metadata: ["account": "\(account)", "detail": "\(detail)"])
        try await store.audit(account: account, action: action, detail: detail, nodeID: nodeID, at: now)
    }

    // MARK: Report mail

    /// The PTR name of `ip`, "unknown" on failure or after `rdns_timeout`.
    public func reverseName(_ ip: String) async -> String {
        guard let reverseDNS else { return "unknown" }
        let timeout = settings.rdnsTimeout.duration
        return await withTaskGroup(of: String?.self) { group in
            group.addTask { await reverseDNS(ip) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? "unknown"
        }
    }

    /// Fills in `rdns` of at most `limit` addresses (the others stay "unknown"), a few at a time.
    func withReverseNames(_ ips: [AbuseIPSummary], limit: Int = 100) async -> [AbuseIPSummary] {
        var result = ips
        await withTaskGroup(of: (Int, String).self) { group in
            var next = 0
            func add() {
                guard next < min(result.count, limit) else { return }
                let (index, ip) = (next, result[next].ip)
                group.addTask { (index, await reverseName(ip)) }
                next += 1
            }
            for _ in 0..<8 { add() }
            while let (index, name) = await group.next() {
                result[index].rdns = name
                add()
            }
        }
        for index in result.indices where result[index].rdns == nil { result[index].rdns = "unknown" }
        return result
    }

    /// The report mail's text.
    public static func reportBody(
        _ score: AbuseScore, ips: [AbuseIPSummary], actions: [String], node: String, hostname: String
    ) -> String {
        var lines = [
            "Node \(node) (\(hostname)) suspended sending for the account \(score.account):",
            "it sent mail through SMTP AUTH in a way that looks like a stolen password.", "",
            "Account: \(score.account)", "Score: \(score.total) (threshold \(score.threshold), window \(score.window) s)", "",
            "Rules:",
        ]
        for rule in score.rules {
            lines.append(
                "  \(rule.rule.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) value \(rule.value), threshold \(rule.threshold), weight \(rule.weight), score \(rule.score)\(rule.ignored ? " (ignored)" : "")"
            )
        }
        lines += ["", "Client addresses:"]
        lines += table(ips.map { (score.account, $0) }).map { "  " + $0 }
        lines += ["", "Actions taken:"] + actions.map { "  - " + $0 }
        lines += [
            "", "Lift the suspension with: posta abuse release \(score.account) [--delete-held]",
            "Whitelist an account or network for a rule with: posta abuse ignore TARGET --rule RULE",
        ]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The seed-style table: account, IP, messages, rDNS, first, last, read mail.
    public static func table(_ rows: [(account: String, ip: AbuseIPSummary)]) -> [String] {
        let header = ["ACCOUNT", "IP", "MESSAGES", "RDNS", "FIRST", "LAST", "READ-MAIL"]
        let cells = rows.map { row in
            [
                row.account, row.ip.ip, "\(row.ip.messages)", row.ip.rdns ?? "unknown", isoDate(row.ip.firstSeen),
                isoDate(row.ip.lastSeen), row.ip.readMail ? "yes" : "no",
            ]
        }
        let all = [header] + cells
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    static func isoDate(_ unix: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    /// Queues the report to `report_to`; a failure is logged and audited, never thrown.
    func sendReport(_ score: AbuseScore, actions: [String], now: Int64) async {
        let recipientText = settings.reportRecipient(hostname: hostname)
        do {
            let ips = await withReverseNames(score.ips)
            let recipient = try MailAddress(parsing: recipientText)
            let subject = "[\(nodeID)] Suspicious actions on mailserver: \(Self.headerSafe(score.account)) suspended"
            let message =
                [
                    "From: Posta abuse monitor <postmaster@\(hostname)>", "To: <\(recipientText)>", "Subject: \(subject)",
                    "Date: \(TraceHeaders.rfc5322Date(Date(timeIntervalSince1970: TimeInterval(now))))",
                    "Message-ID: <abuse.\(score.accountID).\(now).\(nodeID)@\(hostname)>", "MIME-Version: 1.0",
                    "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
                    "Auto-Submitted: auto-generated",
                    "",
                ].joined(separator: "\r\n") + "\r\n"
                + Self.reportBody(score, ips: ips, actions: actions, node: nodeID, hostname: hostname)
            let outcome = try await queue.queueGenerated(
                Array(message.utf8), reversePath: nil, to: recipient, directory: directory, signer: signer,
                hostname: hostname, logger: logger)
            switch outcome {
            case .queued(let id): try await record(score.account, "report", "report queued to \(recipientText) as \(id)", now)
            case .unknownRecipient:
                try await record(score.account, "report", "report not sent: \(recipientText) does not exist", now)
            }
        } catch {
            logger.error("abuse report not sent", metadata: ["account": "\(score.account)", "error": "\(error)"])
            try? await record(score.account, "report", "report not sent: \(error)", now)
        }
    }

    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(200)))
    }

    // MARK: Admin

    /// Suspended accounts.
    public func list() async throws -> [AbuseSuspension] {
        try await store.suspensions()
    }

    /// The account's suspension, current score, addresses, whitelist entries and audit trail.
    public func show(account address: String, now: Int64 = UnixTime.now()) async throws -> AbuseAccountView {
        guard let account = try await directory.account(address) else { throw AbuseError.unknownAccount(address) }
        let ignores = try await store.ignores()
        let history = try await store.history(accountID: account.id, account: account.address, now: now, settings: settings)
        let score = scorer.score(history, ignores: ignores)
        let suspension = try await store.suspension(account: account.address)
        return AbuseAccountView(
            account: account.address, suspended: suspension != nil, suspension: suspension, score: score, ips: score.ips,
            ignores: ignores.filter { $0.target.lowercased() == account.address.lowercased() },
            audit: try await store.auditTrail(account: account.address))
    }

    /// Lifts the suspension of `address` and releases (or deletes) the mail it held.
    public func release(account address: String, deleteHeld: Bool, now: Int64 = UnixTime.now()) async throws -> AbuseRelease {
        guard let account = try await directory.account(address) else { throw AbuseError.unknownAccount(address) }
        guard let lifted = try await store.lift(accountID: account.id, at: now) else {
            return AbuseRelease(account: account.address, released: false, releasedMessages: 0, deletedMessages: 0)
        }
        let (suspension, held) = lifted
        var (released, deleted) = (0, 0)
        for id in held {
            do {
                if deleteHeld {
                    try await queue.delete(id)
                    deleted += 1
                } else {
                    try await queue.setHeld(id, false)
                    released += 1
                }
            } catch QueueAdminError.noSuchMessage {
                continue
            }
        }
        if suspension.locked, !account.enabled { try await directory.setEnabled(account.address, true) }
        try await record(
            account.address, "release",
            "suspension lifted\(suspension.locked ? ", account enabled" : ""); \(released) message(s) released, \(deleted) deleted",
            now)
        return AbuseRelease(account: account.address, released: true, releasedMessages: released, deletedMessages: deleted)
    }

    /// Whitelists an account address or a network for `rule` (nil: every rule), or removes the entry.
    public func ignore(_ target: String, rule: AbuseRule?, remove: Bool, now: Int64 = UnixTime.now()) async throws
        -> AbuseIgnoreResult
    {
        let entry: AbuseIgnore
        let kind: String
        if let network = AbuseNetwork.parse(target) {
            (entry, kind) = (AbuseIgnore(target: network, rule: rule), "network")
        } else if target.contains("@") {
            guard let account = try await directory.account(target) else { throw AbuseError.unknownAccount(target) }
            (entry, kind) = (AbuseIgnore(target: account.address.lowercased(), rule: rule), "account")
        } else {
            throw AbuseError.badTarget(target)
        }
        try await store.setIgnore(entry, remove: remove, at: now)
        let ruleName = rule?.rawValue ?? "all"
        try await record(entry.target, remove ? "unignore" : "ignore", "\(kind) \(entry.target), rule \(ruleName)", now)
        return AbuseIgnoreResult(target: entry.target, kind: kind, rule: ruleName, removed: remove)
    }

    /// The accounts that sent from `since` on from an address they never read mail from, with
    /// every address they sent from (message counts, reverse DNS, first/last seen, read mail);
    /// only the accounts `including` accepts (a domain admin's), checked before any lookup.
    public func report(
        since: Int64, now: Int64 = UnixTime.now(), including: (String) -> Bool = { _ in true }
    ) async throws -> AbuseReportData {
        let sends = try await store.allSends(since: since)
        let byAccount = Dictionary(grouping: sends, by: \.accountID)
        var accounts: [AbuseReportData.Account] = []
        for (accountID, rows) in byAccount where including(rows[0].account) {
            let readIPs = try await store.readIPs(accountID: accountID, since: now - settings.readHistory.seconds)
            let ips = AbuseScorer.summaries(rows.map(\.send), readIPs: readIPs)
            guard ips.contains(where: { !$0.readMail }) else { continue }
            accounts.append(.init(account: rows[0].account, ips: await withReverseNames(ips)))
        }
        return AbuseReportData(since: since, accounts: accounts.sorted { $0.account < $1.account })
    }
}
