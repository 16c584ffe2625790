import MailAuth
import Testing

/// RFC 9989 §4.7–§4.8: the policy record grammar.
@Suite("DMARC record parsing")
struct DMARCRecordTests {
    private func record(_ text: String, limits: DMARCLimits = DMARCLimits()) -> DMARCRecord? {
        if case .record(let record) = DMARCRecord.parse(text, limits: limits) { return record }
        return nil
    }

    @Test func everyTagWithItsValue() throws {
        let parsed = try #require(
            record(
                "v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; t=y; adkim=s; aspf=s; fo=1:d; rua=mailto:agg@example.com,mailto:agg2@example.net!10m; ruf=mailto:ruf@example.com"
            ))
        #expect(parsed.policy == .quarantine)
        #expect(parsed.subdomainPolicy == .reject)
        #expect(parsed.nonexistentSubdomainPolicy == DMARCPolicy.none)
        #expect(parsed.publicSuffix == .no)
        #expect(parsed.testing)
        #expect(parsed.dkimAlignment == .strict && parsed.spfAlignment == .strict)
        #expect(parsed.failureOptions == "1:d")
        #expect(parsed.aggregateReportURIs.map(\.uri) == ["mailto:agg@example.com", "mailto:agg2@example.net"])
        #expect(parsed.aggregateReportURIs.map(\.mailbox) == ["agg@example.com", "agg2@example.net"])
        #expect(parsed.aggregateReportURIs[1].host?.name == "example.net")
        #expect(parsed.failureReportURIs.map(\.uri) == ["mailto:ruf@example.com"])
        #expect(parsed.problems.isEmpty)
    }

    @Test func defaults() throws {
        let parsed = try #require(record("v=DMARC1; p=reject"))
        #expect(parsed.subdomainPolicy == nil && parsed.nonexistentSubdomainPolicy == nil)
        #expect(parsed.publicSuffix == .unknown)
        #expect(!parsed.testing)
        #expect(parsed.dkimAlignment == .relaxed && parsed.spfAlignment == .relaxed)
        #expect(parsed.failureOptions == "0")
        #expect(parsed.aggregateReportURIs.isEmpty)
    }

    @Test func whiteSpaceCaseAndTrailingSeparator() throws {
        let parsed = try #require(record("v = DMARC1 ;\tP = Reject ; ADKIM=S;"))
        #expect(parsed.policy == .reject)
        #expect(parsed.dkimAlignment == .strict)
        #expect(parsed.problems.isEmpty)
    }

    @Test func unknownAndRemovedTagsAreIgnored() throws {
        let parsed = try #require(record("v=DMARC1; p=none; pct=50; rf=afrf; ri=3600; future=whatever"))
        #expect(parsed.policy == DMARCPolicy.none)
        #expect(parsed.problems.isEmpty)
    }

    @Test func onlyRecordsStartingWithVersionAreDMARC() {
        #expect(DMARCRecord.parse("p=reject; v=DMARC1") == .notDMARC)
        #expect(DMARCRecord.parse("v=DMARC2; p=reject") == .notDMARC)
        #expect(DMARCRecord.parse("v=dmarc1; p=reject") == .notDMARC)
        #expect(DMARCRecord.parse("v=DMARC1p=reject") == .notDMARC)
        #expect(DMARCRecord.parse("v=spf1 -all") == .notDMARC)
        #expect(DMARCRecord.parse("") == .notDMARC)
        #expect(record("v=DMARC1") != nil)
    }

    @Test func syntaxErrorsKeepDefaultsAndAreListed() throws {
        let parsed = try #require(
            record("v=DMARC1; p=reject; adkim=x; t=maybe; fo=0:1; psd=q; ;novalue; rua=notauri, mailto:ok@example.com"))
        #expect(parsed.policy == .reject)
        #expect(parsed.dkimAlignment == .relaxed)
        #expect(!parsed.testing)
        #expect(parsed.failureOptions == "0")
        #expect(parsed.publicSuffix == .unknown)
        #expect(parsed.aggregateReportURIs.map(\.uri) == ["mailto:ok@example.com"])
        #expect(parsed.problems.count == 7)
        #expect(!parsed.hasInvalidPolicy)
    }

    @Test func invalidPolicyActsAsNoneOnlyWithAReportingURI() throws {
        let withURI = try #require(record("v=DMARC1; p=bogus; sp=reject; rua=mailto:d@example.com"))
        #expect(withURI.hasInvalidPolicy)
        let repaired = try #require(withURI.effective)
        #expect(repaired.policy == DMARCPolicy.none)
        #expect(repaired.subdomainPolicy == nil)
        let without = try #require(record("v=DMARC1; p=reject; np=maybe"))
        #expect(without.hasInvalidPolicy)
        #expect(without.effective == nil)
        // A missing p with a reporting URI is p=none (§4.7 p); without one the record does not apply.
        #expect(record("v=DMARC1; rua=mailto:d@example.com")?.effective?.policy == DMARCPolicy.none)
        #expect(record("v=DMARC1; adkim=s")?.effective == nil)
    }

    @Test func repeatedTagKeepsTheFirst() throws {
        let parsed = try #require(record("v=DMARC1; p=none; p=reject"))
        #expect(parsed.policy == DMARCPolicy.none)
        #expect(parsed.problems == ["tag 'p' repeated; the first is used"])
    }

    @Test func reportingURIs() throws {
        let uri = try #require(DMARCReportURI("mailto:dmarc%2Breports@Example.COM?subject=x"))
        #expect(uri.scheme == "mailto")
        #expect(uri.mailbox == "dmarc+reports@example.com")
        #expect(uri.host?.name == "example.com")
        #expect(DMARCReportURI("mailto:a@example.com!25k")?.uri == "mailto:a@example.com")
        #expect(DMARCReportURI("https://reports.example.net:8443/dmarc")?.host?.name == "reports.example.net")
        #expect(DMARCReportURI("mailto:") == nil)
        #expect(DMARCReportURI("mailto:no-at-sign") == nil)
        #expect(DMARCReportURI("no scheme") == nil)
        #expect(DMARCReportURI("mailto:a@exa mple.com") == nil)
    }

    @Test func hugeRecordsAreBounded() {
        let long = "v=DMARC1; p=reject; rua=" + Array(repeating: "mailto:a@example.com", count: 400).joined(separator: ",")
        guard case .unusable = DMARCRecord.parse(long) else {
            Issue.record("a record over the length limit must be unusable")
            return
        }
        let manyTags = "v=DMARC1; p=reject" + (0..<40).map { "; x\($0)=1" }.joined()
        guard case .unusable = DMARCRecord.parse(manyTags) else {
            Issue.record("a record over the tag limit must be unusable")
            return
        }
        let manyURIs = "v=DMARC1; p=reject; rua=" + (0..<20).map { "mailto:r\($0)@example.com" }.joined(separator: ",")
        #expect(record(manyURIs)?.aggregateReportURIs.count == 8)
    }

    @Test func domainNames() throws {
        #expect(DMARCDomain("Mail.Example.COM.")?.name == "mail.example.com")
        #expect(DMARCDomain("bücher.example")?.name == "xn--bcher-kva.example")
        #expect(DMARCDomain("münchen.example")?.name == "xn--mnchen-3ya.example")
        #expect(DMARCDomain("例え.テスト")?.name == "xn--r8jz45g.xn--zckzah")
        #expect(DMARCDomain("a..b") == nil)
        #expect(DMARCDomain("") == nil)
        #expect(DMARCDomain(String(repeating: "a", count: 64) + ".example") == nil)
        #expect(DMARCDomain("exa mple.com") == nil)
        #expect(DMARCDomain(Array(repeating: "abcdefghi", count: 30).joined(separator: ".")) == nil)
    }
}
