/// Which claimed jobs of a delivery lane may start now (sans-I/O: the lane performs them).
///
/// At most `limit` jobs run at once, at most `perDestination` of them for one destination; jobs
/// are taken in order, but a job for another destination passes one that must wait, so one slow
/// destination never holds back the others. Calling order: `admit` what was claimed (start the
/// first part, release the rest back to the queue), `finished` for each job that ends;
/// `excludedDomains` tells the next claim which domains would only wait.
struct LaneScheduler: Sendable {
    let limit: Int
    let perDestination: Int
    private(set) var running = 0
    /// Running jobs per destination, and the domains (with counts) they deliver to.
    private var busy: [String: Int] = [:]
    private var domains: [String: [String: Int]] = [:]

    init(limit: Int, perDestination: Int) {
        self.limit = max(1, limit)
        self.perDestination = max(1, perDestination)
    }

    /// How many more jobs could start now.
    var freeSlots: Int { limit - running }

    /// Destinations that already run `perDestination` jobs.
    var saturated: Set<String> { Set(busy.filter { $0.value >= perDestination }.keys) }

    /// The domains of the running jobs of saturated destinations: a claim that leaves them out
    /// takes only work that can start.
    var excludedDomains: Set<String> {
        Set(saturated.flatMap { destination in domains[destination]?.keys.map { $0 } ?? [] })
    }

    /// Splits `jobs` into those that start now (counted as running) and those that must wait.
    /// `key` gives a job's destination (nil: not limited per destination) and its domain.
    mutating func admit<Job>(_ jobs: [Job], key: (Job) -> (destination: String?, domain: String?)) -> (start: [Job], wait: [Job])
    {
        var start: [Job] = []
        var wait: [Job] = []
        for job in jobs {
            let (destination, domain) = key(job)
            guard running < limit, destination.map({ busy[$0, default: 0] < perDestination }) ?? true else {
                wait.append(job)
                continue
            }
            running += 1
            if let destination {
                busy[destination, default: 0] += 1
                if let domain { domains[destination, default: [:]][domain, default: 0] += 1 }
            }
            start.append(job)
        }
        return (start, wait)
    }

    /// A started job ended; its slot is free again.
    mutating func finished(destination: String?, domain: String?) {
        running = max(0, running - 1)
        guard let destination else { return }
        let count = busy[destination, default: 1] - 1
        busy[destination] = count > 0 ? count : nil
        guard let domain else { return }
        let left = domains[destination]?[domain].map { $0 - 1 } ?? 0
        domains[destination]?[domain] = left > 0 ? left : nil
        if domains[destination]?.isEmpty == true { domains[destination] = nil }
    }
}
