/// One unit of the runner's work. Remote jobs name their destination (a domain, or the relay
/// host) so that the runner keeps at most `OutboundLimits.perDestination` of them running at once.
struct QueueJob: Sendable {
    var destination: String?
    /// The domain the job delivers to (remote jobs), so that a claim can leave out the domains
    /// of a destination that is already at its limit.
    var domain: String? = nil
    /// The deliveries the job holds leases on.
    var claims: [ClaimedDelivery] = []
    var work: @Sendable () async -> [(ClaimedDelivery, DeliveryOutcome)]
}

/// Bounds on concurrent outbound delivery: every job holds at most one SMTP connection, so these
/// bound the connections too.
public struct OutboundLimits: Sendable, Equatable {
    /// Outbound transactions at once, over all destinations.
    public var total: Int
    /// Outbound transactions at once to one destination.
    public var perDestination: Int

    public init(total: Int = 50, perDestination: Int = 10) {
        self.total = max(1, total)
        self.perDestination = max(1, perDestination)
    }
}

extension QueueRunner {
    /// Runs `jobs` with at most `limit` at once and at most `perDestination` per destination
    /// (`LaneScheduler`). With `recordingEach`, records each job's outcomes as soon as it
    /// finishes (a new job starts only after that, so at most `limit` finished transactions are
    /// ever unrecorded).
    func run(_ jobs: [QueueJob], limit: Int, perDestination: Int, recordingEach: Bool) async throws
        -> [(ClaimedDelivery, DeliveryOutcome)]
    {
        try await withThrowingTaskGroup(of: (QueueJob, [(ClaimedDelivery, DeliveryOutcome)]).self) { group in
            var scheduler = LaneScheduler(limit: limit, perDestination: perDestination)
            var waiting = jobs
            var results: [(ClaimedDelivery, DeliveryOutcome)] = []
            while true {
                let (start, wait) = scheduler.admit(waiting) { ($0.destination, $0.domain) }
                waiting = wait
                for job in start { group.addTask { (job, await job.work()) } }
                guard let (job, done) = try await group.next() else { break }
                scheduler.finished(destination: job.destination, domain: job.domain)
                if recordingEach { try await record(done) } else { results += done }
            }
            return results
        }
    }
}
