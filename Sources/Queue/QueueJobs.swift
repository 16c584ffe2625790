/// One unit of the runner's work. Remote jobs name their destination (a domain, or the relay
/// host) so that the runner keeps at most `OutboundLimits.perDestination` of them running at once.
struct QueueJob: Sendable {
    var destination: String?
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
    /// Runs `jobs` with at most `limit` at once and at most `perDestination` per destination,
    /// taking them in order but letting a job for another destination pass one that must wait.
    /// With `recordingEach`, records each job's outcomes as soon as it finishes (a new job starts
    /// only after that, so at most `limit` finished transactions are ever unrecorded).
    func run(_ jobs: [QueueJob], limit: Int, perDestination: Int, recordingEach: Bool) async throws
        -> [(ClaimedDelivery, DeliveryOutcome)]
    {
        try await withThrowingTaskGroup(of: (String?, [(ClaimedDelivery, DeliveryOutcome)]).self) { group in
            var waiting = jobs[...]
            var busy: [String: Int] = [:]
            var running = 0
            var results: [(ClaimedDelivery, DeliveryOutcome)] = []
            while true {
                while running < limit,
                    let index = waiting.firstIndex(where: { job in job.destination.map { busy[$0, default: 0] < perDestination } ?? true })
                {
                    let job = waiting.remove(at: index)
                    if let destination = job.destination { busy[destination, default: 0] += 1 }
                    running += 1
                    group.addTask { (job.destination, await job.work()) }
                }
                guard let (destination, done) = try await group.next() else { break }
                running -= 1
                if let destination { busy[destination, default: 1] -= 1 }
                if recordingEach { try await record(done) } else { results += done }
            }
            return results
        }
    }
}
