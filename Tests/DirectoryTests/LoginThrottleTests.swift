import Core
import Directory
import Testing

/// The throttle's rules, one by one, on injected instants (no sleeping).
@Suite("Login throttle rules (per client, per login, per pair; trust; reservations)")
struct LoginThrottleTests {
    let t0 = ContinuousClock.now
    let home = ClientKey(address: "192.0.2.1")
    let attacker = ClientKey(address: "198.51.100.7")
    let other = ClientKey(address: "203.0.113.9")

    func at(_ seconds: Int) -> ContinuousClock.Instant { t0 + .seconds(seconds) }

    /// One attempt that fails; nil when refused.
    @discardableResult
    func fail(_ throttle: LoginThrottle, _ client: ClientKey, _ login: String, at second: Int) async -> Duration? {
        guard case .allowed(let attempt) = await throttle.begin(client: client, login: login, now: at(second)) else { return nil }
        return await throttle.failed(attempt, now: at(second))
    }

    func succeed(_ throttle: LoginThrottle, _ client: ClientKey, _ login: String, at second: Int) async -> Bool {
        guard case .allowed(let attempt) = await throttle.begin(client: client, login: login, now: at(second)) else {
            return false
        }
        await throttle.succeeded(attempt, now: at(second))
        return true
    }

    func allowed(_ throttle: LoginThrottle, _ client: ClientKey, _ login: String, at second: Int) async -> Bool {
        guard case .allowed(let attempt) = await throttle.begin(client: client, login: login, now: at(second)) else {
            return false
        }
        await throttle.abandoned(attempt)
        return true
    }

    @Test("no delay for 3 failures, then 1, 2, 4, 8, 15 s; refused from the 11th attempt for 15 min after the last failure")
    func schedule() async {
        let throttle = LoginThrottle()
        var delays: [Duration?] = []
        for i in 0..<10 { delays.append(await fail(throttle, attacker, "Alice", at: i)) }
        #expect(
            delays == [
                .zero, .zero, .zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(15), .seconds(15),
            ])
        // A refusal costs the client the longest delay.
        #expect(await throttle.begin(client: attacker, login: "alice", now: at(20)) == .refused(delay: .seconds(15)))
        // Untrusted clients: the login is locked from any address, the address for any login.
        #expect(await !allowed(throttle, other, "alice", at: 20))
        #expect(await !allowed(throttle, attacker, "bob", at: 20))
        #expect(await allowed(throttle, other, "bob", at: 20))
        #expect(await allowed(throttle, attacker, "alice", at: 9 + 900))
    }

    @Test("refused attempts are not failures: they neither extend the lockout nor count against the refused client")
    func refusalsAreNotFailures() async {
        let throttle = LoginThrottle()
        for i in 0..<10 { await fail(throttle, attacker, "alice", at: i) }
        // Alice (no history anywhere) retries from her address for the whole lockout: refused each time…
        for second in stride(from: 10, to: 900, by: 10) {
            #expect(await !allowed(throttle, home, "alice", at: second))
            #expect(await fail(throttle, attacker, "alice", at: second) == nil)
        }
        // …but her address collected no failures: bob behind it was never refused,
        #expect(await allowed(throttle, home, "bob", at: 905))
        // and the lockout still ends 15 min after the last real failure (second 9).
        #expect(await !allowed(throttle, home, "alice", at: 908))
        #expect(await allowed(throttle, home, "alice", at: 909))
    }

    @Test("the owner's usual address is not locked out by others' failures for her login")
    func trustedPairIsExempt() async {
        let throttle = LoginThrottle()
        #expect(await succeed(throttle, home, "alice", at: 0))
        for i in 1...30 { await fail(throttle, attacker, "alice", at: i) }
        // Guessing from elsewhere locks the login for untrusted addresses only.
        #expect(await !allowed(throttle, other, "alice", at: 31))
        #expect(await succeed(throttle, home, "alice", at: 31))
        #expect(await !allowed(throttle, other, "alice", at: 32))
        // A success does not clear the attacker's own lockout (his client and his pair).
        #expect(await !allowed(throttle, attacker, "alice", at: 32))
        // Trust lasts `trustedFor` (30 days) from the last success.
        let expired = 31 + 30 * 86400
        for i in 0..<10 { await fail(throttle, attacker, "alice", at: expired + i) }
        #expect(await !allowed(throttle, home, "alice", at: expired + 10))
    }

    @Test("behind one NAT: an attacker's failures lock the address for logins it has no history with, not for its regular users")
    func natNeighbours() async {
        let throttle = LoginThrottle()
        #expect(await succeed(throttle, home, "alice", at: 0))
        for (i, user) in (1...12).map({ "u\($0)" }).enumerated() { await fail(throttle, home, user, at: 1 + i) }
        #expect(await allowed(throttle, home, "alice", at: 20))
        #expect(await !allowed(throttle, home, "carol", at: 20))
        // The pair's own failures always count: guessing alice's password from her address is limited too.
        for i in 0..<10 { await fail(throttle, home, "alice", at: 30 + i) }
        #expect(await !allowed(throttle, home, "alice", at: 41))
    }

    @Test("checking and reserving are one step: concurrent attempts cannot all pass before any is recorded")
    func reservations() async {
        let throttle = LoginThrottle()
        let begun = await withTaskGroup(of: LoginThrottle.Decision.self) { group in
            for _ in 0..<25 { group.addTask { await throttle.begin(client: attacker, login: "alice", now: at(0)) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(begun.filter { if case .allowed = $0 { true } else { false } }.count == 10)
        // A reservation that ends in success, or that could not check, is taken back.
        let throttle2 = LoginThrottle()
        for _ in 0..<10 {
            guard case .allowed(let attempt) = await throttle2.begin(client: other, login: "bob", now: at(0)) else {
                Issue.record("refused")
                return
            }
            await throttle2.abandoned(attempt)
        }
        #expect(await allowed(throttle2, other, "bob", at: 1))
    }

    @Test("counts from the other nodes join the decision; their trust exempts too")
    func sharedCounts() async {
        let throttle = LoginThrottle()
        let many = LoginThrottle.SharedCounts(client: 0, login: 10, pair: 0, trusted: false)
        #expect(await throttle.begin(client: home, login: "alice", shared: many, now: at(0)) == .refused(delay: .seconds(15)))
        var trusted = many
        trusted.trusted = true
        guard case .allowed(let attempt) = await throttle.begin(client: home, login: "alice", shared: trusted, now: at(0)) else {
            Issue.record("a trusted pair was refused")
            return
        }
        // The delay follows the larger count: 9 failures elsewhere for this pair + this one = 10th.
        await throttle.abandoned(attempt)
        let pair = LoginThrottle.SharedCounts(client: 0, login: 0, pair: 9, trusted: true)
        guard case .allowed(let second) = await throttle.begin(client: home, login: "alice", shared: pair, now: at(1)) else {
            Issue.record("refused before the 10th failure")
            return
        }
        #expect(await throttle.failed(second, now: at(1)) == .seconds(15))
    }

    @Test("failures leave the window; a success forgets only its pair's failures")
    func successResets() async {
        let throttle = LoginThrottle()
        for i in 0..<4 { await fail(throttle, other, "bob", at: i) }
        #expect(await fail(throttle, other, "bob", at: 700) == .zero)  // the first four left the 10-minute window

        for i in 0..<4 { await fail(throttle, attacker, "alice", at: 1000 + i) }
        #expect(await succeed(throttle, attacker, "alice", at: 1005))
        for i in 0..<2 { await fail(throttle, attacker, "alice", at: 1010 + i) }
        // The pair starts again from zero: its third failure is not delayed…
        #expect(await fail(throttle, attacker, "alice", at: 1012) == .zero)
        // …while the login kept all of them for other addresses: this is its 8th, 15 s.
        #expect(await fail(throttle, home, "alice", at: 1020) == .seconds(15))
    }

    @Test("IPv6 clients are counted by their /64")
    func ipv6Prefix() async {
        let throttle = LoginThrottle()
        for i in 0..<10 {
            await fail(throttle, ClientKey(address: "2001:db8:1:2::\(i + 1)"), "u\(i)", at: i)
        }
        #expect(await !allowed(throttle, ClientKey(address: "2001:db8:1:2:ffff::1"), "carol", at: 11))
        #expect(await allowed(throttle, ClientKey(address: "2001:db8:1:3::1"), "carol", at: 11))
        #expect(throttle.clientKey("2001:db8:1:2::99") == ClientKey(address: "2001:db8:1:2::1"))
    }
}
