import Testing

@testable import Queue

@Suite("Queue: the lane scheduler's limits (total, per destination) and what a claim leaves out")
struct LaneSchedulerTests {
    typealias Job = (name: String, destination: String?, domain: String?)

    func key(_ job: Job) -> (destination: String?, domain: String?) { (job.destination, job.domain) }

    @Test("a job for another destination passes one whose destination is at its limit")
    func passing() {
        var scheduler = LaneScheduler(limit: 4, perDestination: 2)
        let jobs: [Job] = [("s1", "slow", "slow"), ("s2", "slow", "slow"), ("s3", "slow", "slow"), ("f1", "fast", "fast")]
        let (start, wait) = scheduler.admit(jobs, key: key)
        #expect(start.map(\.name) == ["s1", "s2", "f1"])
        #expect(wait.map(\.name) == ["s3"])
        #expect(scheduler.saturated == ["slow"])
        #expect(scheduler.excludedDomains == ["slow"])
        #expect(scheduler.freeSlots == 1)
    }

    @Test("the total limit holds over all destinations; a finished job frees its slot")
    func total() {
        var scheduler = LaneScheduler(limit: 2, perDestination: 2)
        let (start, wait) = scheduler.admit([("a", "a", "a"), ("b", "b", "b"), ("c", "c", "c")] as [Job], key: key)
        #expect(start.map(\.name) == ["a", "b"] && wait.map(\.name) == ["c"])
        #expect(scheduler.freeSlots == 0 && scheduler.saturated.isEmpty)
        scheduler.finished(destination: "a", domain: "a")
        let (next, rest) = scheduler.admit(wait, key: key)
        #expect(next.map(\.name) == ["c"] && rest.isEmpty)
    }

    @Test("a shared destination (a relay) excludes every domain it is busy with, until a slot frees")
    func sharedDestination() {
        var scheduler = LaneScheduler(limit: 10, perDestination: 2)
        _ = scheduler.admit([("1", "relay", "a.example"), ("2", "relay", "b.example")] as [Job], key: key)
        #expect(scheduler.excludedDomains == ["a.example", "b.example"])
        scheduler.finished(destination: "relay", domain: "b.example")
        #expect(scheduler.excludedDomains.isEmpty && scheduler.saturated.isEmpty)
        let (start, _) = scheduler.admit([("3", "relay", "a.example")] as [Job], key: key)
        #expect(start.count == 1 && scheduler.excludedDomains == ["a.example"])
    }

    @Test("jobs without a destination (local) are bounded by the total only")
    func local() {
        var scheduler = LaneScheduler(limit: 3, perDestination: 1)
        let (start, wait) = scheduler.admit((0..<5).map { ("\($0)", nil, nil) } as [Job], key: key)
        #expect(start.count == 3 && wait.count == 2 && scheduler.saturated.isEmpty)
    }
}
