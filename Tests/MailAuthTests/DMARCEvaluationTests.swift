import DNS
import MailAuth
import Testing

/// RFC 9989 §5.3: alignment, policy selection (p, sp, np, t), results, overrides and the
/// Authentication-Results clause.
@Suite("DMARC evaluation")
struct DMARCEvaluationTests {
    static let zone: [String: [ZoneDNS.Entry]] = [
        "_dmarc.example.com": [.txt("v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@example.com")],
        "_dmarc.strict.example": [.txt("v=DMARC1; p=reject; adkim=s; aspf=s")],
        "mail.strict.example": [.a(IPAddress("192.0.2.1")!)],
        "_dmarc.testing.example": [.txt("v=DMARC1; p=reject; sp=quarantine; t=y")],
        "_dmarc.monitor.example": [.txt("v=DMARC1; p=none")],
        "_dmarc.bank.example": [.txt("v=DMARC1; p=reject; psd=y")],
        "_dmarc.giant.bank.example": [.txt("v=DMARC1; p=quarantine")],
        "news.example.com": [.txt("some text")],
        "_dmarc.broken.example": [.txt("v=DMARC1; p=rejec")],
        "_dmarc.repaired.example": [.txt("v=DMARC1; p=rejec; rua=mailto:x@repaired.example")],
        "_dmarc.slow.example": [.timeout],
    ]

    private func evaluate(_ message: DMARCMessage, localPolicy: DMARCLocalPolicy = DMARCLocalPolicy()) async -> DMARCEvaluation {
        await DMARCChecker(dns: ZoneDNS(Self.zone), localPolicy: localPolicy).evaluate(message)
    }

    @Test func relaxedAlignmentAcceptsTheSameOrganizationalDomain() async {
        let spf = await evaluate(Mail.message(from: "news.example.com", spf: ("bounce.example.com", .pass)))
        #expect(spf.result == .pass)
        #expect(spf.spfAlignedDomain == "bounce.example.com")
        #expect(!spf.dkimAligned)
        let dkim = await evaluate(
            Mail.message(from: "example.com", dkim: [("other.example", .pass), ("mail.example.com", .pass)]))
        #expect(dkim.result == .pass)
        #expect(dkim.dkimAlignedDomain == "mail.example.com")
    }

    @Test func strictAlignmentNeedsIdenticalDomains() async {
        let subdomain = await evaluate(
            Mail.message(from: "strict.example", spf: ("mail.strict.example", .pass), dkim: [("mail.strict.example", .pass)]))
        #expect(subdomain.result == .fail)
        #expect(subdomain.disposition == .reject)
        let same = await evaluate(Mail.message(from: "STRICT.example", dkim: [("strict.example", .pass)]))
        #expect(same.result == .pass)
    }

    @Test func onlyPassingResultsCount() async {
        let evaluation = await evaluate(
            Mail.message(
                from: "example.com", spf: ("example.com", .softfail),
                dkim: [("example.com", .fail), ("example.com", .neutral), ("evil.example", .pass)]))
        #expect(evaluation.result == .fail)
        #expect(evaluation.disposition == .reject)
        #expect(evaluation.reasons.last?.contains("SPF softfail") == true)
    }

    @Test func otherOrganizationsDoNotAlign() async {
        let evaluation = await evaluate(Mail.message(from: "example.com", spf: ("example.com.evil.example", .pass)))
        #expect(evaluation.result == .fail)
    }

    /// A broken lookup leaves alignment open only where it could change the answer.
    @Test func brokenTopLevelLookups() async {
        let zone: [String: [ZoneDNS.Entry]] = ["_dmarc.example.com": [.txt("v=DMARC1; p=reject")], "_dmarc.com": [.timeout]]
        let checker = DMARCChecker(dns: ZoneDNS(zone))
        let unrelated = await checker.evaluate(Mail.message(from: "example.com", spf: ("forger.example", .pass)))
        #expect(unrelated.result == .fail)
        let related = await checker.evaluate(Mail.message(from: "example.com", spf: ("mail.example.com", .pass)))
        #expect(related.result == .temperror)
        let exact = await checker.evaluate(
            Mail.message(from: "example.com", spf: ("mail.example.com", .pass), dkim: [("example.com", .pass)]))
        #expect(exact.result == .pass)
    }

    /// Appendix B.4.3: SPF aligns through the PSD's Organizational Domain, DKIM does not.
    @Test func publicSuffixDomainExample() async {
        let evaluation = await evaluate(
            Mail.message(
                from: "giant.bank.example", spf: ("mail.giant.bank.example", .pass), dkim: [("mail.mega.bank.example", .pass)]))
        #expect(evaluation.result == .pass)
        #expect(evaluation.spfAligned && !evaluation.dkimAligned)
        #expect(evaluation.policyDomain == "giant.bank.example")
        // A domain under the PSD without its own record gets the PSD's policy.
        let orphan = await evaluate(Mail.message(from: "small.bank.example", spf: ("other.example", .pass)))
        #expect(orphan.policyDomain == "bank.example")
        #expect(orphan.result == .fail)
        #expect(orphan.disposition == .reject)
    }

    @Test func policyOfTheDomainItselfIsP() async {
        let evaluation = await evaluate(Mail.message(from: "example.com"))
        #expect(evaluation.result == .fail)
        #expect(evaluation.publishedPolicy == .reject)
        #expect(evaluation.disposition == .reject)
    }

    @Test func existingSubdomainsGetSp() async {
        let evaluation = await evaluate(Mail.message(from: "news.example.com"))
        #expect(evaluation.policyDomain == "example.com")
        #expect(evaluation.publishedPolicy == .quarantine)
        #expect(evaluation.disposition == .quarantine)
    }

    @Test func nonexistentSubdomainsGetNp() async {
        let evaluation = await evaluate(Mail.message(from: "nowhere.example.com"))
        #expect(evaluation.publishedPolicy == .reject)
        #expect(evaluation.disposition == .reject)
    }

    @Test func subdomainsGetPWithoutSp() async {
        let evaluation = await evaluate(Mail.message(from: "mail.strict.example"))
        #expect(evaluation.publishedPolicy == .reject)
    }

    @Test func testingModeAppliesOneLevelLower() async {
        let domain = await evaluate(Mail.message(from: "testing.example"))
        #expect(domain.publishedPolicy == .reject)
        #expect(domain.requestedPolicy == .quarantine)
        #expect(domain.disposition == .quarantine)
        #expect(domain.overrides == [DMARCOverrideReason(.policyTestMode, comment: "t=y")])
        #expect(domain.reportDisposition == .quarantine)
        let subdomain = await evaluate(Mail.message(from: "x.testing.example"))
        #expect(subdomain.disposition == DMARCPolicy.none)
        #expect(subdomain.overrides.map(\.type) == [.policyTestMode])
    }

    @Test func monitoringModeChangesNothing() async {
        let evaluation = await evaluate(Mail.message(from: "monitor.example", spf: ("elsewhere.example", .pass)))
        #expect(evaluation.result == .fail)
        #expect(evaluation.disposition == DMARCPolicy.none)
        #expect(evaluation.overrides.isEmpty)
        #expect(evaluation.reportDisposition == DMARCReportDisposition.none)
    }

    @Test func passUnderAnEnforcingPolicyIsReportedAsPass() async {
        let evaluation = await evaluate(Mail.message(from: "example.com", dkim: [("example.com", .pass)]))
        #expect(evaluation.disposition == DMARCPolicy.none)
        #expect(evaluation.reportDisposition == .pass)
    }

    @Test func noRecordIsNone() async {
        let evaluation = await evaluate(Mail.message(from: "unknown.example", spf: ("unknown.example", .fail)))
        #expect(evaluation.result == DMARCResult.none)
        #expect(evaluation.disposition == DMARCPolicy.none)
        #expect(evaluation.authenticationResultsClause == "dmarc=none header.from=unknown.example")
    }

    @Test func invalidPolicyRecords() async {
        let broken = await evaluate(Mail.message(from: "broken.example"))
        #expect(broken.result == .permerror)
        #expect(broken.disposition == DMARCPolicy.none)
        let repaired = await evaluate(Mail.message(from: "repaired.example"))
        #expect(repaired.result == .fail)
        #expect(repaired.publishedPolicy == DMARCPolicy.none)
        #expect(repaired.disposition == DMARCPolicy.none)
    }

    @Test func dnsTimeoutIsTemperror() async {
        let evaluation = await evaluate(Mail.message(from: "slow.example", spf: ("slow.example", .pass)))
        #expect(evaluation.result == .temperror)
        #expect(evaluation.disposition == DMARCPolicy.none)
        #expect(
            evaluation.authenticationResultsClause.hasPrefix("dmarc=temperror reason=\"DNS lookup of _dmarc.slow.example failed"))
    }

    /// §5.3.1 and §11.5: no From domain, several, too many.
    @Test func fromDomainCounts() async {
        let none = await evaluate(Mail.message())
        #expect(none.result == .permerror)
        #expect(none.authorDomain == nil)
        let several = await evaluate(
            Mail.message(from: "monitor.example", "example.com", "Example.COM", spf: ("monitor.example", .pass)))
        #expect(several.result == .fail)
        #expect(several.authorDomain == "example.com")
        #expect(several.disposition == .reject)
        #expect(several.reasons.last?.contains("2 From domains") == true)
        let tooMany = await evaluate(Mail.message(from: "a.example", "b.example", "c.example", "d.example", "e.example"))
        #expect(tooMany.result == .permerror)
        let invalid = await evaluate(Mail.message(from: "not a domain"))
        #expect(invalid.result == .permerror)
    }

    @Test func internationalizedAuthorDomains() async {
        let zone: [String: [ZoneDNS.Entry]] = ["_dmarc.xn--bcher-kva.example": [.txt("v=DMARC1; p=reject")]]
        let evaluation = await DMARCChecker(dns: ZoneDNS(zone)).evaluate(Mail.message(from: "BÜCHER.example"))
        #expect(evaluation.authorDomain == "xn--bcher-kva.example")
        #expect(evaluation.result == .fail)
    }

    @Test func localExemptionsLowerTheDispositionAndSayWhy() async {
        let policy = DMARCLocalPolicy(exemptions: [
            DMARCExemption(.authenticatedDomain("lists.example.org"), reason: .mailingList, comment: "lists.example.org"),
            DMARCExemption(.authorDomain("partner.example.com"), reason: .localPolicy, disposition: .quarantine),
        ])
        let list = await evaluate(
            Mail.message(from: "example.com", spf: ("bounces.lists.example.org", .pass)), localPolicy: policy)
        #expect(list.result == .fail)
        #expect(list.disposition == DMARCPolicy.none)
        #expect(list.overrides == [DMARCOverrideReason(.mailingList, comment: "lists.example.org")])
        #expect(list.reportDisposition == DMARCReportDisposition.none)
        // A forged claim: the list domain did not pass SPF, so nothing is exempted.
        let forged = await evaluate(Mail.message(from: "example.com", spf: ("lists.example.org", .fail)), localPolicy: policy)
        #expect(forged.disposition == .reject)
        #expect(forged.overrides.isEmpty)
        let partner = await evaluate(Mail.message(from: "partner.example.com"), localPolicy: policy)
        #expect(partner.disposition == .quarantine)
        #expect(partner.overrides.map(\.type) == [.localPolicy])
    }

    @Test func trustedARCChainsAreTrustedForwarders() async {
        let evaluation = await evaluate(Mail.message(from: "example.com", arcTrusted: true))
        #expect(evaluation.result == .fail)
        #expect(evaluation.disposition == DMARCPolicy.none)
        #expect(evaluation.overrides == [DMARCOverrideReason(.trustedForwarder, comment: "trusted ARC chain")])
        let quarantined = await evaluate(
            Mail.message(from: "example.com", arcTrusted: true), localPolicy: DMARCLocalPolicy(trustedARCDisposition: .quarantine)
        )
        #expect(quarantined.disposition == .quarantine)
        let passing = await evaluate(Mail.message(from: "example.com", dkim: [("example.com", .pass)], arcTrusted: true))
        #expect(passing.overrides.isEmpty)
    }

    @Test func authenticationResultsClause() async {
        let fail = await evaluate(Mail.message(from: "testing.example"))
        #expect(
            fail.authenticationResultsClause
                == "dmarc=fail (p=reject dis=quarantine override=policy_test_mode) header.from=testing.example policy.dmarc=quarantine"
        )
        let pass = await evaluate(Mail.message(from: "news.example.com", dkim: [("example.com", .pass)]))
        #expect(
            pass.authenticationResultsClause == "dmarc=pass (p=quarantine) header.from=news.example.com policy.dmarc=quarantine")
        let none = await evaluate(Mail.message())
        #expect(none.authenticationResultsClause == "dmarc=permerror reason=\"no RFC5322.From domain (RFC 9989 section 5.3.1)\"")
    }
}
