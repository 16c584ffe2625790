import Core
import Logging
import SQLKit
import ServiceLifecycle

/// The runner's independent lanes of work. Each claims only its own kinds of delivery and
/// claims again as its slots free, so a remote host that accepts connections and never answers
/// holds one slot of the remote lane until the SMTP client's timeouts end it (RFC 5321 §4.5.3.2)
/// — never local delivery, and never another destination.
enum QueueLane: Hashable, Sendable, CaseIterable {
    /// Into local mailboxes: short jobs, recorded a batch at a time.
    case local
    /// To other domains, within `OutboundLimits` (total and per destination).
    case remote
    /// To the external content filter, at most `OutboundLimits.perDestination` at once.
    case filter
    /// Posts to mailing lists, at most `OutboundLimits.perDestination` at once.
    case list

    var kinds: [QueuedDelivery.Kind] {
        switch self {
        case .local: [.local]
        case .remote: [.remote]
        case .filter: [.filter]
        case .list: [.list]
        }
    }
}

extension QueueRunner {
    /// Most rows one claim takes.
    static let claimBatch = 200

    /// The lanes this runner has a transport for.
    var activeLanes: [QueueLane] {
        [.local] + (remote == nil ? [] : [.remote]) + (contentFilter == nil ? [] : [.filter]) + (lists == nil ? [] : [.list])
    }

    /// How long a lane sleeps without a wake-up: new retries fall due, and leases are renewed.
    var laneInterval: Duration { min(pollInterval, .seconds(lease / 3)) }

    /// Passes each wake-up of the queue (new mail, `posta queue flush`) on to every lane.
    func forwardWakes() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await queue.wake.wait(timeout: .seconds(60))
            for wake in wakes.values { wake.notify() }
        }
    }

    /// Runs one lane until graceful shutdown (or cancellation); then cancels its running jobs and
    /// records their outcomes.
    func runLane(_ lane: QueueLane) async {
        if lane == .local {
            await runLocalLane()
            return
        }
        let perFilter = outboundLimits.perDestination
        let limits = lane == .remote ? outboundLimits : OutboundLimits(total: perFilter, perDestination: perFilter)
        let wake = wakes[lane]!
        enum Event: Sendable {
            case done(QueueJob, [(ClaimedDelivery, DeliveryOutcome)])
            case woken
        }
        await withTaskGroup(of: Event.self) { group in
            var scheduler = LaneScheduler(limit: limits.total, perDestination: limits.perDestination)
            var held: Set<Int64> = []
            var renewed = ContinuousClock.now
            var claimNow = true
            var abandoned = false
            let interval = laneInterval
            group.addTask {
                await wake.wait(timeout: interval)
                return .woken
            }
            while true {
                let stopping = Task.isShuttingDownGracefully || Task.isCancelled
                if claimNow && !stopping && scheduler.freeSlots > 0 {
                    claimNow = false
                    // About what can start: a claim of far more would mostly be given back.
                    let batch = min(Self.claimBatch, scheduler.freeSlots * 10)
                    do {
                        let claims = try await claim(limit: batch, kinds: lane.kinds, excludingDomains: scheduler.excludedDomains)
                        let jobs =
                            switch lane {
                            case .remote: remoteJobs(claims)
                            case .filter: contentFilterJobs(claims)
                            case .list: listJobs(claims)
                            case .local: localJobs(claims)
                            }
                        let (start, wait) = scheduler.admit(jobs) { ($0.destination, $0.domain) }
                        // What cannot start now goes back at once (no attempt counted): its
                        // destination is at its limit, and the next claim leaves that one out.
                        try await release(wait.flatMap(\.claims).map(\.rowID))
                        for job in start {
                            held.formUnion(job.claims.map(\.rowID))
                            group.addTask { .done(job, await job.work()) }
                        }
                        // A full batch that all started: more may be due.
                        claimNow = claims.count == batch && wait.isEmpty
                    } catch {
                        if !Task.isCancelled {
                            let detail = String(reflecting: error)
                            logger.error("queue claim failed", metadata: ["lane": "\(lane)", "error": "\(detail)"])
                        }
                    }
                    if claimNow { continue }
                }
                if stopping && !abandoned {
                    // Running transactions are cut short (their connections closed) and recorded
                    // as deferred: a tarpit must not hold up the shutdown until its timeouts.
                    group.cancelAll()
                    abandoned = true
                }
                if stopping && scheduler.running == 0 { break }
                guard let event = await group.next() else { break }
                switch event {
                case .done(let job, let results):
                    scheduler.finished(destination: job.destination, domain: job.domain)
                    held.subtract(job.claims.map(\.rowID))
                    do {
                        try await record(results)
                    } catch  where !Task.isCancelled {
                        logger.error(
                            "queue record failed", metadata: ["lane": "\(lane)", "error": "\(String(reflecting: error))"])
                    } catch {}
                    claimNow = true
                case .woken:
                    claimNow = true
                    if !(Task.isShuttingDownGracefully || Task.isCancelled) {
                        group.addTask {
                            await wake.wait(timeout: interval)
                            return .woken
                        }
                    }
                }
                // A transaction may outlast the lease: renew it, or another node would take
                // the delivery over and send it a second time.
                if !held.isEmpty, ContinuousClock.now - renewed >= .seconds(lease / 3) {
                    renewed = .now
                    do {
                        try await renew(held)
                    } catch {
                        logger.error("queue lease renewal failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                }
            }
        }
    }

    /// The local lane: claims due local deliveries a batch at a time, delivers them (at most
    /// `concurrency` at once) and records the batch in one transaction.
    private func runLocalLane() async {
        let wake = wakes[.local]!
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var worked = 0
            do {
                let claims = try await claim(limit: Self.claimBatch, kinds: [.local])
                worked = claims.count
                let outcomes = try await renewing(Set(claims.map(\.rowID))) { [self] in
                    try await run(localJobs(claims), limit: concurrency, perDestination: concurrency, recordingEach: false)
                }
                try await record(outcomes)
            } catch {
                if !Task.isCancelled {
                    logger.error("queue run failed", metadata: ["lane": "local", "error": "\(String(reflecting: error))"])
                }
            }
            if worked == 0 { await wake.wait(timeout: laneInterval) }
        }
    }

    /// Runs `work` while renewing this node's leases on `rowIDs` every third of a lease, so that a
    /// batch slower than the lease is not taken over (and delivered again) by another node.
    func renewing<R: Sendable>(_ rowIDs: Set<Int64>, _ work: @escaping @Sendable () async throws -> R) async throws -> R {
        guard !rowIDs.isEmpty else { return try await work() }
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                while true {
                    do { try await Task.sleep(for: .seconds(self.lease) / 3) } catch { return nil }
                    do {
                        try await self.renew(rowIDs)
                    } catch {
                        self.logger.error("queue lease renewal failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                }
            }
            group.addTask { try await work() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            preconditionFailure("the work task always returns")
        }
    }

    /// Gives claimed rows back without an attempt (their job could not start).
    func release(_ rowIDs: [Int64]) async throws {
        guard !rowIDs.isEmpty else { return }
        let node = queue.nodeID
        try await queue.database.withConnection { db in
            try await db.update("queue_recipient").set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
                .where("id", .in, SQLBind.group(rowIDs)).where("locked_by", .equal, SQLBind(node)).run()
        }
    }

    /// Extends this node's leases on `rowIDs` by a full lease from now.
    func renew(_ rowIDs: Set<Int64>) async throws {
        let node = queue.nodeID
        let until = UnixTime.now() + lease
        try await queue.database.withConnection { db in
            try await db.update("queue_recipient").set("locked_until", to: SQLBind(until))
                .where("id", .in, SQLBind.group(rowIDs.sorted())).where("locked_by", .equal, SQLBind(node)).run()
        }
    }

    /// `candidates` without remote deliveries whose target is in `domain` (compared as the
    /// claim's `ClaimedDelivery.domain` does: the part after the last `@`, lower-cased).
    static func excluding(_ domain: String, from candidates: SQLSelectBuilder) -> SQLSelectBuilder {
        let suffix = "@" + domain
        let target = SQLColumn("target", table: "r")
        // substr(lower(target), length(target) - n): the last n + 1 characters (1-based, both dialects).
        let tail = SQLFunction(
            "substr", args: SQLFunction("lower", args: target),
            SQLBinaryExpression(
                left: SQLFunction("length", args: target), op: SQLBinaryOperator.subtract,
                right: SQLLiteral.numeric("\(suffix.unicodeScalars.count - 1)")))
        return candidates.where {
            $0.where(SQLColumn("kind", table: "r"), .notEqual, SQLBind(QueuedDelivery.Kind.remote.rawValue))
                .orWhere(tail, .notEqual, SQLBind(suffix))
        }
    }
}
