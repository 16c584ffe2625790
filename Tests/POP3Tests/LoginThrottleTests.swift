import Directory
import Testing

@Suite("Login throttle (per IP and per login)")
struct LoginThrottleTests {
    @Test("no delay for 3 failures, then 1, 2, 4, 8, 15 s; refusal from the 10th failure for 15 min")
    func schedule() async {
        let throttle = LoginThrottle()
        let t0 = ContinuousClock.now
        var delays: [Duration] = []
        for i in 0..<10 {
            #expect(await throttle.check(ip: "192.0.2.1", login: "alice", now: t0 + .seconds(i)) == .allowed)
            delays.append(await throttle.recordFailure(ip: "192.0.2.1", login: "Alice", now: t0 + .seconds(i)))
        }
        #expect(delays == [.zero, .zero, .zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(15), .seconds(15)])
        #expect(await throttle.check(ip: "192.0.2.1", login: "alice", now: t0 + .seconds(20)) == .refused)
        // The login is locked from any address; the address for any login.
        #expect(await throttle.check(ip: "198.51.100.7", login: "alice", now: t0 + .seconds(20)) == .refused)
        #expect(await throttle.check(ip: "192.0.2.1", login: "bob", now: t0 + .seconds(20)) == .refused)
        #expect(await throttle.check(ip: "198.51.100.7", login: "bob", now: t0 + .seconds(20)) == .allowed)
        #expect(await throttle.check(ip: "192.0.2.1", login: "alice", now: t0 + .seconds(9 + 901)) == .allowed)
    }

    @Test("failures expire after the window; success resets the login, not the IP")
    func resets() async {
        let throttle = LoginThrottle()
        let t0 = ContinuousClock.now
        for i in 0..<4 { _ = await throttle.recordFailure(ip: "ip", login: "alice", now: t0 + .seconds(i)) }
        #expect(await throttle.recordFailure(ip: "ip2", login: "alice", now: t0 + .seconds(700)) == .zero)
        await throttle.recordSuccess(ip: "ip", login: "alice")
        for i in 0..<2 { _ = await throttle.recordFailure(ip: "ip", login: "alice", now: t0 + .seconds(10 + i)) }
        // The IP still has 4 + 2 failures in the window; the 7th waits 8 s.
        #expect(await throttle.recordFailure(ip: "ip", login: "carol", now: t0 + .seconds(20)) == .seconds(8))
    }
}
