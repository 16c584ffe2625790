import Core
import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Store

/// Delivers what the queue holds: claims due deliveries (cluster-safe, by a lease on each row),
/// runs them with bounded concurrency, records outcomes, retries on a schedule, and removes
/// messages once nothing is left to do. Runs under the service group of `posta serve`.
public final class QueueRunner: Service, Sendable {
    public let queue: MailQueue
    let local: LocalDelivery
    /// Delivers to other domains; without it, remote deliveries wait in the queue.
    let remote: (any RemoteTransport)?
    /// Hands messages to the external content filter (`.filter` deliveries); nil: they wait.
    let contentFilter: (any RemoteTransport)?
    /// Posts to mailing lists (`.list` deliveries: the `Lists` module); nil: they wait.
    let lists: (any RemoteTransport)?
    /// Sends DSNs for failed deliveries; without it, failures stay queued with their reason.
    let bounces: Bounces?
    let schedule: RetrySchedule
    let concurrency: Int
    let outboundLimits: OutboundLimits
    /// How long a claim holds a delivery before another node may take it over (seconds); a
    /// lane renews the leases of its running jobs every third of it.
    let lease: Int64
    /// Each lane's wake-up: `run` passes the queue's (new mail) on to every lane.
    let wakes: [QueueLane: WakeSignal]
    /// How often to look for due retries when nothing wakes the runner.
    let pollInterval: Duration
    /// Told the message ids of deliveries that just failed for good (a remote 5xx, expiry), before
    /// their DSNs go out: the abuse monitor counts them per account. Must not throw or block long.
    let onPermanentFailure: (@Sendable ([String]) async -> Void)?
    /// Counts delivery outcomes for the dashboard (`DailyCounter.delivered`); nil: not counted.
    let dailyCounts: (any DailyCounting)?
    let logger: Logger

    public init(
        queue: MailQueue, store: MailStore, remote: (any RemoteTransport)? = nil, bounces: Bounces? = nil,
        schedule: RetrySchedule = RetrySchedule(), concurrency: Int = 8, outboundLimits: OutboundLimits = OutboundLimits(),
        pollInterval: Duration = .seconds(10), contentFilter: (any RemoteTransport)? = nil, lease: Int64 = 30,
        onPermanentFailure: (@Sendable ([String]) async -> Void)? = nil, dailyCounts: (any DailyCounting)? = nil,
        lists: (any RemoteTransport)? = nil, rules: (any LocalDeliveryRules)? = nil, logger: Logger
    ) {
        self.lists = lists
        self.dailyCounts = dailyCounts
        self.onPermanentFailure = onPermanentFailure
        self.lease = max(3, lease)
        self.wakes = Dictionary(uniqueKeysWithValues: QueueLane.allCases.map { ($0, WakeSignal()) })
        self.contentFilter = contentFilter
        self.outboundLimits = outboundLimits
        self.bounces = bounces
        self.remote = remote
        self.queue = queue
        self.local = LocalDelivery(store: store, queue: queue, rules: rules, logger: logger)
        self.schedule = schedule
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Delivers until graceful shutdown: each lane (`QueueLane`) claims and runs its own work,
    /// so local delivery never waits behind a slow remote host, nor one destination behind another.
    /// Call `recover()` first, before any listener can start a spool write (`PostaServer` does).
    public func run() async throws {
        await deliver()
    }

    /// The lanes of `run`, without the recovery at start (tests start them around their own work).
    public func deliver() async {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for lane in activeLanes { group.addTask { await self.runLane(lane) } }
                group.addTask { await self.forwardWakes() }
            }
        } onGracefulShutdown: {
            self.queue.wake.notify()
            for wake in self.wakes.values { wake.notify() }
        }
    }

    /// Claims and delivers one batch of due deliveries of every kind, waiting for all of them;
    /// returns how many it handled (tests and tools; `run` drives the lanes instead).
    @discardableResult
    public func runOnce(limit: Int = 200) async throws -> Int {
        let claims = try await claim(limit: limit)
        guard !claims.isEmpty else { return 0 }
        // Local deliveries are recorded as one batch; each remote transaction on its own, so a
        // slow remote host never holds back the bookkeeping of local mail.
        async let local: Void = record(
            run(localJobs(claims), limit: concurrency, perDestination: concurrency, recordingEach: false))
        async let remote = run(
            remoteJobs(claims) + contentFilterJobs(claims) + listJobs(claims), limit: outboundLimits.total,
            perDestination: outboundLimits.perDestination, recordingEach: true)
        _ = try await (local, remote)
        return claims.count
    }

    func localJobs(_ claims: [ClaimedDelivery]) -> [QueueJob] {
        claims.filter { $0.kind == .local }.map { claim in
            QueueJob(destination: nil, claims: [claim]) { [local] in [(claim, await local.deliver(claim))] }
        }
    }

    /// One job per message and destination domain: a single SMTP transaction carries all
    /// recipients of one domain (that have the same added header fields: the same copy), with the
    /// fields Posta added on top, the recipient's before the message's, as at local delivery.
    func remoteJobs(_ claims: [ClaimedDelivery]) -> [QueueJob] {
        guard let remote else { return [] }
        let groups = Dictionary(grouping: claims.filter { $0.kind == .remote }) {
            "\($0.messageID) \($0.domain) \($0.recipientHeaders ?? "")"
        }
        return groups.values.map { group in
            let first = group[0]
            let message = OutboundMessage(
                id: first.messageID, reversePath: first.reversePath, spoolPath: queue.spoolPath(first.spoolFile),
                headers: (first.recipientHeaders ?? "") + (first.headers ?? ""),
                size: first.size, body: first.body, smtpUTF8: first.smtpUTF8, dsnRet: first.dsnRet, dsnEnvID: first.dsnEnvID,
                requireTLS: first.requireTLS)
            let targets = group.map { OutboundTarget(rowID: $0.rowID, address: $0.target, notify: $0.notify, orcpt: $0.orcpt) }
            return QueueJob(destination: remote.destination(for: first.domain), domain: first.domain, claims: group) {
                let outcomes = await remote.deliver(message, domain: first.domain, targets: targets)
                return group.map { ($0, outcomes[$0.rowID] ?? .missing) }
            }
        }
    }

    /// Delivers the local deliveries of one message now (LMTP answers per recipient with this).
    public func deliverNow(messageID: String) async throws -> [Int64: DeliveryOutcome] {
        var results: [(ClaimedDelivery, DeliveryOutcome)] = []
        for claim in try await claim(limit: 10_000, messageID: messageID) {
            results.append((claim, await local.deliver(claim)))
        }
        try await record(results)
        return Dictionary(results.map { ($0.0.rowID, $0.1) }, uniquingKeysWith: { first, _ in first })
    }

    /// Takes a lease on due deliveries not leased by anyone (or whose lease ran out): of
    /// `kinds` (default: every kind this runner has a transport for), leaving out remote
    /// deliveries to `excludingDomains` (lower-case).
    func claim(
        limit: Int, messageID: String? = nil, kinds wanted: [QueuedDelivery.Kind]? = nil, excludingDomains: Set<String> = []
    ) async throws -> [ClaimedDelivery] {
        let now = UnixTime.now()
        let node = queue.nodeID
        let lease = lease
        // Remote deliveries wait (queued, visible) until there is a transport for them.
        let available =
            (remote == nil || messageID != nil ? [QueuedDelivery.Kind.local] : [.local, .remote]).map(\.rawValue)
            + contentFilterKinds(messageID: messageID) + listKinds(messageID: messageID)
        let kinds = wanted.map { $0.map(\.rawValue).filter(available.contains) } ?? available
        guard !kinds.isEmpty else { return [] }
        // Candidates are looked for outside the write transaction: most claims (every lane is woken
        // by every new message) find nothing, and must not take the database's write lock for that.
        let candidateIDs = try await queue.database.withConnection { db in
            var candidates = db.select().column(SQLColumn("id", table: "r")).from(
                SQLAlias(SQLIdentifier("queue_recipient"), as: SQLIdentifier("r"))
            )
            .join(
                SQLAlias(SQLIdentifier("queue_message"), as: SQLIdentifier("m")), on: SQLColumn("message_id", table: "r"), .equal,
                SQLColumn("id", table: "m")
            )
            .where(SQLColumn("status", table: "r"), .equal, SQLBind(DeliveryStatus.pending.rawValue))
            .where(SQLColumn("kind", table: "r"), .in, SQLBind.group(kinds))
            .where(SQLColumn("held", table: "m"), .equal, SQLBind(false))
            .where {
                $0.where(SQLColumn("locked_until", table: "r"), .is, SQLLiteral.null)
                    .orWhere(SQLColumn("locked_until", table: "r"), .lessThan, SQLBind(now))
            }
            for domain in excludingDomains.sorted() { candidates = Self.excluding(domain, from: candidates) }
            if let messageID {
                // A caller delivering one message now (LMTP) does not wait for its schedule.
                candidates = candidates.where(SQLColumn("message_id", table: "r"), .equal, SQLBind(messageID))
            } else {
                candidates = candidates.where(SQLColumn("next_attempt_at", table: "r"), .lessThanOrEqual, SQLBind(now))
            }
            return try await candidates.orderBy(SQLColumn("next_attempt_at", table: "r")).limit(limit).all()
                .map { try $0.decode(column: "id", as: Int64.self) }
        }
        guard !candidateIDs.isEmpty else { return [] }
        return try await queue.database.transaction { db in
            // Re-checked in the UPDATE: another claimer (a lane, another node) that took some of
            // them first leaves them leased, and this claim takes only what is still free.
            let ids = try await db.update("queue_recipient").set("locked_by", to: SQLBind(node))
                .set("locked_until", to: SQLBind(now + lease))
                .where("id", .in, SQLBind.group(candidateIDs))
                .where("status", .equal, SQLBind(DeliveryStatus.pending.rawValue))
                .where {
                    $0.where("locked_until", .is, SQLLiteral.null).orWhere("locked_until", .lessThan, SQLBind(now))
                }
                .where(SQLRaw("message_id IN (SELECT id FROM queue_message WHERE NOT held)"))  // held meanwhile
                .returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }
            guard !ids.isEmpty else { return [] }
            return try await db.select()
                .columns(
                    SQLColumn("id", table: "r"), SQLColumn("message_id", table: "r"), SQLColumn("recipient", table: "r"),
                    SQLColumn("kind", table: "r"), SQLColumn("account_id", table: "r"), SQLColumn("target", table: "r"),
                    SQLColumn("attempts", table: "r"), SQLColumn("reverse_path", table: "m"), SQLColumn("spool_file", table: "m"),
                    SQLColumn("received_at", table: "m"), SQLColumn("size", table: "m"), SQLColumn("body", table: "m"),
                    SQLColumn("smtputf8", table: "m"), SQLColumn("dsn_ret", table: "m"), SQLColumn("dsn_envid", table: "m"),
                    SQLColumn("notify", table: "r"), SQLColumn("orcpt", table: "r"), SQLColumn("mailbox", table: "r"),
                    SQLColumn("headers", table: "m"), SQLColumn("requiretls", table: "m"),
                    SQLAlias(SQLColumn("headers", table: "r"), as: SQLIdentifier("recipient_headers"))
                )
                .from(SQLAlias(SQLIdentifier("queue_recipient"), as: SQLIdentifier("r")))
                .join(
                    SQLAlias(SQLIdentifier("queue_message"), as: SQLIdentifier("m")), on: SQLColumn("message_id", table: "r"),
                    .equal, SQLColumn("id", table: "m")
                )
                .where(SQLColumn("id", table: "r"), .in, SQLBind.group(ids))
                .all().map { row in
                    ClaimedDelivery(
                        rowID: try row.decode(column: "id", as: Int64.self),
                        messageID: try row.decode(column: "message_id", as: String.self),
                        recipient: try row.decode(column: "recipient", as: String.self),
                        kind: try QueueColumns.value(QueuedDelivery.Kind.self, row, "kind"),
                        accountID: try row.decode(column: "account_id", as: Int64?.self),
                        target: try row.decode(column: "target", as: String.self),
                        attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                        reversePath: try row.decode(column: "reverse_path", as: String.self),
                        spoolFile: try row.decode(column: "spool_file", as: String.self),
                        receivedAt: try row.decode(column: "received_at", as: Int64.self),
                        size: try row.decode(column: "size", as: Int64.self),
                        body: try QueueColumns.body(row),
                        smtpUTF8: try row.decode(column: "smtputf8", as: Bool.self),
                        dsnRet: try QueueColumns.dsnRet(row),
                        dsnEnvID: try row.decode(column: "dsn_envid", as: String?.self),
                        notify: try QueueColumns.notify(row),
                        orcpt: try QueueColumns.orcpt(row),
                        mailbox: try row.decode(column: "mailbox", as: String?.self),
                        headers: try row.decode(column: "headers", as: String?.self),
                        recipientHeaders: try row.decode(column: "recipient_headers", as: String?.self),
                        requireTLS: try row.decode(column: "requiretls", as: Bool.self))
                }
        }
    }

    /// The dashboard's key of one recipient's outcome: `local`, `remote`, `bounced`, `deferred`;
    /// nil for a hand-off to the content filter (the message comes back and is counted then).
    static func dailyKey(_ kind: QueuedDelivery.Kind, _ status: DeliveryStatus) -> String? {
        switch status {
        case .delivered: kind == .local ? "local" : kind == .remote ? "remote" : nil
        case .failed, .bounced: "bounced"
        case .pending: "deferred"
        }
    }

    /// Stores the outcomes of a batch of attempts and releases their leases, and removes the
    /// messages that have nothing left to do — in one transaction, so a batch costs one commit.
    func record(_ results: [(ClaimedDelivery, DeliveryOutcome)]) async throws {
        guard !results.isEmpty else { return }
        let now = UnixTime.now()
        let updates = results.map { claim, outcome in update(for: claim, outcome, now: now) }
        let messageIDs = Array(Set(results.map(\.0.messageID)))
        let spoolFiles = try await queue.database.transaction { db in
            for (rowID, status, attempts, next, error) in updates {
                try await db.update("queue_recipient")
                    .set("status", to: SQLBind(status.rawValue)).set("attempts", to: SQLBind(attempts))
                    .set("next_attempt_at", to: SQLBind(next)).set("last_error", to: SQLBind(error?.description))
                    .set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
                    .where("id", .equal, rowID).run()
            }
            return try await Self.removeFinished(messageIDs, in: db)
        }
        removeSpoolFiles(spoolFiles)
        for (result, update) in zip(results, updates) {
            QueueMetrics.outcome(result.0.kind, update.status, receivedAt: result.0.receivedAt, now: now)
            if let dailyCounts, let key = Self.dailyKey(result.0.kind, update.status) {
                dailyCounts.add(1, to: .delivered, key: key)
            }
        }
        let failures = zip(results, updates).compactMap { result, update -> (ClaimedDelivery, DeliveryReply)? in
            update.status == .failed ? update.error.map { (result.0, $0) } : nil
        }
        if !failures.isEmpty {
            await onPermanentFailure?(Array(Set(failures.map(\.0.messageID))).sorted())
            try await bounce(failures)
        }
        let delayed = zip(results, updates).compactMap { result, update -> (ClaimedDelivery, DeliveryReply)? in
            update.status == .pending ? update.error.map { (result.0, $0) } : nil
        }
        if !delayed.isEmpty { try await warnDelayed(delayed) }
    }

    /// The row update for one attempt's outcome (with its log line).
    private func update(for claim: ClaimedDelivery, _ outcome: DeliveryOutcome, now: Int64)
        -> (rowID: Int64, status: DeliveryStatus, attempts: Int, next: Int64, error: DeliveryReply?)
    {
        let meta: Logger.Metadata = ["id": "\(claim.messageID)", "to": "\(claim.target)"]
        switch outcome {
        case .delivered:
            logger.info("delivered", metadata: meta)
            return (claim.rowID, .delivered, claim.attempts + 1, now, nil)
        case .failed(let reason):
            logger.warning("delivery failed", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
            return (claim.rowID, .failed, claim.attempts + 1, now, reason)
        case .deferred(let reason):
            logger.notice("delivery deferred", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
            if schedule.isExpired(receivedAt: claim.receivedAt, now: now) {
                return (claim.rowID, .failed, claim.attempts + 1, now, reason.appending(" (expired after \(schedule.expiry))"))
            }
            return (claim.rowID, .pending, claim.attempts + 1, now + schedule.delay(afterAttempt: claim.attempts + 1), reason)
        }
    }

    /// Deletes, within `db`'s transaction, those of `messageIDs` whose deliveries are all done;
    /// returns their spool files. Messages with failed deliveries stay until their bounce is sent
    /// (outbound queue) or an admin removes them.
    static func removeFinished(_ messageIDs: [String], in db: any SQLDatabase) async throws -> [String] {
        var files: [String] = []
        for messageID in messageIDs {
            let open =
                try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("queue_recipient")
                .where("message_id", .equal, messageID)
                .where("status", .notIn, SQLBind.group([DeliveryStatus.delivered.rawValue, DeliveryStatus.bounced.rawValue]))
                .first(decodingColumn: "n", as: Int64.self) ?? 0
            guard open == 0 else { continue }
            if let file = try await db.select().column("spool_file").from("queue_message").where("id", .equal, messageID)
                .first(decodingColumn: "spool_file", as: String.self)
            {
                files.append(file)
            }
            try await db.delete(from: "queue_message").where("id", .equal, messageID).run()
        }
        return files
    }

    func removeSpoolFiles(_ files: [String]) {
        // A running backup may still need them (`SpoolHold`).
        SpoolHold.remove(files, spool: queue.spoolDirectory)
        if let first = files.first { try? DurableFile.syncDirectory(containing: queue.spoolPath(first)) }
    }

    /// Finishes messages whose deliveries are all done but which are still queued (a crash
    /// between the last delivery and the clean-up leaves them so). Returns how many.
    @discardableResult
    public func finishCompleted() async throws -> Int {
        let done = try await queue.database.withConnection { db in
            let open = SQLSubquery.select {
                $0.column("message_id").from("queue_recipient")
                    .where("status", .notIn, SQLBind.group([DeliveryStatus.delivered.rawValue, DeliveryStatus.bounced.rawValue]))
            }
            return try await db.select().column("id").from("queue_message").where("id", .notIn, open)
                .all().map { try $0.decode(column: "id", as: String.self) }
        }
        let files = try await queue.database.transaction { db in try await Self.removeFinished(done, in: db) }
        removeSpoolFiles(files)
        return done.count
    }

    /// At start-up: drops unfinished spool writes, releases this node's leases (it crashed
    /// holding them), and deletes spool files that were never acknowledged.
    public func recover() async throws {
        try queue.prepare()
        // Files held for a backup that was killed (a running one keeps its marker fresh).
        if !SpoolHold.isActive(spool: queue.spoolDirectory) { SpoolHold.end(spool: queue.spoolDirectory) }
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: queue.temporaryDirectory)) ?? [] {
            unlink("\(queue.temporaryDirectory)/\(name)")
        }
        let node = queue.nodeID
        try await queue.database.withConnection { db in
            try await db.update("queue_recipient").set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
                .where("locked_by", .equal, node).run()
        }
        let known = Set(
            try await queue.database.withConnection { db in
                try await db.select().column("spool_file").from("queue_message").all().map {
                    try $0.decode(column: "spool_file", as: String.self)
                }
            })
        // Another node of a cluster may be between its rename and its commit: leave young files alone.
        let cutoff = Date().addingTimeInterval(-3600)
        var removed = 0
        for name in (try? fm.contentsOfDirectory(atPath: queue.messageDirectory)) ?? [] where !known.contains("msg/\(name)") {
            let path = "\(queue.messageDirectory)/\(name)"
            if let modified = try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date, modified < cutoff {
                unlink(path)
                removed += 1
            }
        }
        let finished = try await finishCompleted()
        let (messages, pending) = try await queue.size()
        logger.info(
            "queue recovered",
            metadata: [
                "messages": "\(messages)", "pending": "\(pending)", "orphans_removed": "\(removed)", "finished": "\(finished)",
            ])
    }
}
