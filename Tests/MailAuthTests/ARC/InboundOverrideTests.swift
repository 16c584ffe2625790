import Core
import DNS
import Testing

@testable import MailAuth

/// ARC and the local DMARC overrides through `MessageAuthenticator`, and the rule that turns
/// temporary DNS failures into a deferral (`MessageAuthentication.action`).
@Suite("Inbound overrides: trusted ARC sealers, whitelist, temperror")
struct InboundOverrideTests {
    static let listIP = IPAddress("192.0.2.25")!
    let sealer = ARCTestSealer(key: ARCTestMessage.key, domain: "lists.example")
    let zone = ZoneDNS([
        "_dmarc.author.example": [.txt("v=DMARC1; p=reject")],
        "lists.example": [.txt("v=spf1 ip4:192.0.2.0/24 -all")],
        "author.example": [.txt("v=spf1 -all")],
    ])

    func authenticator(trusted: [String] = [], policy: DMARCLocalPolicy = DMARCLocalPolicy(), keys: KeyZone? = nil)
        -> MessageAuthenticator
    {
        MessageAuthenticator(
            spf: SPFChecker(dns: zone), dkim: DKIMVerifier(dns: keys ?? KeyZone([sealer.record.0: sealer.record.1])),
            dmarc: DMARCChecker(dns: zone, localPolicy: policy), trustedARCSealers: trusted)
    }

    func run(_ authenticator: MessageAuthenticator, _ message: [UInt8], from: String = "bounce@lists.example")
        async -> MessageAuthentication
    {
        await authenticator.authenticate(
            clientIP: Self.listIP, helo: "lists.example", reversePath: from, message: message, now: 1_780_000_000)
    }

    @Test func aTrustedSealerLetsFailingMailThrough() async throws {
        let sealed = try sealer.seal(ARCTestMessage.plain)
        let trusted = await run(authenticator(trusted: ["lists.example"]), sealed)
        #expect(trusted.dmarc.result == .fail && trusted.dmarc.disposition == .none)
        #expect(trusted.dmarc.overrides.map(\.type) == [.trustedForwarder])
        #expect(trusted.action == .deliver)
        let field = trusted.authenticationResultsField(authservID: "mx.example.net")
        #expect(field.contains("\tarc=pass (i=1 d=lists.example) header.oldest-pass=0 smtp.remote-ip=192.0.2.25;"))
        #expect(field.contains("override=trusted_forwarder"))
        // The same chain from a sealer the site does not trust: the policy applies.
        let untrusted = await run(authenticator(trusted: ["other.example"]), sealed)
        #expect(untrusted.arc.status == .pass && untrusted.action == .reject && untrusted.dmarc.overrides.isEmpty)
        // A trusted sealer whose chain fails does not count.
        let broken = await run(authenticator(trusted: ["lists.example"]), sealed + Array("more\r\n".utf8))
        #expect(broken.arc.status == .fail && broken.action == .reject)
    }

    @Test func theWhitelistMatchesAuthenticatedDomainsAndClientNetworks() async throws {
        let byDomain = DMARCLocalPolicy(exemptions: [DMARCExemption(.authenticatedDomain("lists.example"), reason: .mailingList)])
        let listed = await run(authenticator(policy: byDomain), ARCTestMessage.plain)
        #expect(listed.spf.result == .pass && listed.action == .deliver)
        #expect(listed.dmarc.overrides.map(\.type) == [.mailingList])
        // A forger who claims the list's domain without passing SPF for it gets no exemption.
        let forged = await run(authenticator(policy: byDomain), ARCTestMessage.plain, from: "x@author.example")
        #expect(forged.action == .reject)
        let network = try #require(NetworkPrefix(parsing: "192.0.2.0/24"))
        let byNetwork = DMARCLocalPolicy(exemptions: [DMARCExemption(.clientNetwork(network), reason: .localPolicy)])
        let fromNetwork = await run(authenticator(policy: byNetwork), ARCTestMessage.plain, from: "x@author.example")
        #expect(fromNetwork.action == .deliver && fromNetwork.dmarc.overrides.map(\.type) == [.localPolicy])
        let elsewhere = DMARCLocalPolicy(
            exemptions: [DMARCExemption(.clientNetwork(try #require(NetworkPrefix(parsing: "198.51.100.0/24"))))])
        #expect(await run(authenticator(policy: elsewhere), ARCTestMessage.plain).action == .reject)
    }

    @Test func aTrustedSealerWhoseKeyLookupFailsDefers() async throws {
        let sealed = try sealer.seal(ARCTestMessage.plain)
        let failing = KeyZone([sealer.record.0: [sealer.record.1]], failing: [sealer.record.0])
        let trusted = await run(authenticator(trusted: ["lists.example"], keys: failing), sealed)
        guard case .deferral(let why) = trusted.action else {
            Issue.record("expected a deferral, got \(trusted.action)")
            return
        }
        #expect(why.contains("ARC"))
        // Not trusted: the answer would be a refusal either way.
        #expect(await run(authenticator(keys: failing), sealed).action == .reject)
    }

    // MARK: The temperror rule

    let spf = SPFVerdict(
        identity: .mailfrom, clientIP: IPAddress("192.0.2.1")!, sender: "b@mail.example.com",
        envelopeFrom: "b@mail.example.com", domain: "mail.example.com", helo: "mx.example.com", outcome: SPFOutcome(result: .fail)
    )

    func action(_ dmarc: DMARCEvaluation, spf spfResult: SPFResult = .fail, dkim: [DKIMSignatureResult] = [])
        -> MessageAuthentication.Action
    {
        var verdict = spf
        verdict.outcome = SPFOutcome(result: spfResult)
        return MessageAuthentication(spf: verdict, dkim: dkim, dmarc: dmarc, dmarcMessage: DMARCMessage(fromDomains: [])).action
    }

    @Test func temporaryFailuresDeferOnlyWhenARefusalIsAtStake() {
        // DMARC itself could not be evaluated: defer unless the policy is known and mild.
        #expect(action(DMARCEvaluation(result: .temperror)) == .deferral("DMARC lookup failed: temporary DNS failure"))
        #expect(isDeferral(action(DMARCEvaluation(result: .temperror, requestedPolicy: .reject))))
        #expect(action(DMARCEvaluation(result: .temperror, requestedPolicy: .quarantine)) == .deliver)
        #expect(action(DMARCEvaluation(result: .temperror, requestedPolicy: DMARCPolicy.none)) == .deliver)
        // DMARC failed to reject, but a lookup that failed might have made it pass.
        let rejecting = DMARCEvaluation(result: .fail, requestedPolicy: .reject, disposition: .reject)
        #expect(action(rejecting) == .reject)
        #expect(isDeferral(action(rejecting, spf: .temperror)))
        // Only a domain that could align matters: the MAIL FROM domain is mail.example.com.
        var author = rejecting
        author.authorDomain = "news.example.com"
        #expect(isDeferral(action(author, spf: .temperror)))
        author.authorDomain = "example.net"
        #expect(action(author, spf: .temperror) == .reject)
        let unrelated = DKIMSignatureResult(result: .temperror, domain: "other.example", selector: "s")
        #expect(action(author, dkim: [unrelated]) == .reject)
        let keyFailed = DKIMSignatureResult(result: .temperror, reason: "key lookup failed", domain: "example.com", selector: "s")
        #expect(action(rejecting, dkim: [keyFailed]) == .deferral("DKIM key lookup failed for s._domainkey.example.com"))
        // Quarantine stays Junk; pass, none and permerror deliver.
        let quarantining = DMARCEvaluation(result: .fail, requestedPolicy: .quarantine, disposition: .quarantine)
        #expect(action(quarantining, spf: .temperror) == .junk)
        for result in [DMARCResult.pass, .none, .permerror] {
            #expect(action(DMARCEvaluation(result: result), spf: .temperror) == .deliver)
        }
    }

    func isDeferral(_ action: MessageAuthentication.Action) -> Bool {
        if case .deferral = action { return true }
        return false
    }
}
