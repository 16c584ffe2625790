import DNS
import Testing

@testable import MailAuth

@Suite("Inbound message authentication: SPF and DKIM into DMARC, one Authentication-Results field")
struct MessageAuthenticationTests {
    let spf = SPFVerdict(
        identity: .mailfrom, clientIP: IPAddress("192.0.2.1")!, sender: "bounce@mail.example.com",
        envelopeFrom: "bounce@mail.example.com", domain: "mail.example.com", helo: "mx.example.com",
        outcome: SPFOutcome(result: .pass))
    let signatures = [
        DKIMSignatureResult(result: .pass, domain: "example.com", selector: "s1", algorithm: "rsa-sha256", headerB: "AbCdEf12"),
        DKIMSignatureResult(result: .fail, reason: "body hash did not verify", domain: "other.example", selector: "x"),
        DKIMSignatureResult(result: .permerror, reason: "no d= tag"),
    ]

    @Test func dmarcTakesSPFOfTheMailFromAndEveryCheckedSignature() {
        let (spfInput, dkimInputs) = MessageAuthentication.dmarcInputs(spf: spf, dkim: signatures)
        #expect(spfInput == DMARCSPFInput(domain: "mail.example.com", result: .pass))
        // A signature without d= or s= cannot align with anything: it is not an input.
        #expect(
            dkimInputs == [
                DMARCDKIMInput(domain: "example.com", selector: "s1", result: .pass),
                DMARCDKIMInput(domain: "other.example", selector: "x", result: .fail, detail: "body hash did not verify"),
            ])
        var helo = spf
        helo.identity = .helo
        #expect(MessageAuthentication.dmarcInputs(spf: helo, dkim: []).0 == nil)  // RFC 9989: MAIL FROM only
    }

    @Test func oneFieldWithEveryMethodFoldedOnePerLine() {
        let dmarc = DMARCEvaluation(
            result: .pass, authorDomain: "example.com", policyDomain: "example.com", publishedPolicy: .reject,
            requestedPolicy: .reject, dkimAlignedDomain: "example.com")
        let field = MessageAuthentication(spf: spf, dkim: signatures, dmarc: dmarc, dmarcMessage: DMARCMessage(fromDomains: []))
            .authenticationResultsField(authservID: "mx.example.org")
        let lines = field.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Authentication-Results: mx.example.org;")
        #expect(lines[1] == "\tspf=pass smtp.mailfrom=bounce@mail.example.com;")
        #expect(lines[2].hasPrefix("\tdkim=pass header.d=example.com header.s=s1"))
        #expect(lines[3].hasPrefix("\tdkim=fail reason=\"body hash did not verify\" header.d=other.example"))
        #expect(lines[4].hasPrefix("\tdkim=permerror"))
        #expect(lines[5] == "\tarc=none;")
        #expect(lines[6].hasPrefix("\tdmarc=pass") && lines[6].contains("header.from=example.com") && !lines[6].hasSuffix(";"))
        #expect(lines.last == "" && lines.count == 8)
        // No signature at all: dkim=none (RFC 8601 §2.7.1).
        let unsigned = MessageAuthentication(spf: spf, dkim: [], dmarc: dmarc, dmarcMessage: DMARCMessage(fromDomains: []))
            .authenticationResultsField(authservID: "h")
        #expect(unsigned.contains("\r\n\tdkim=none;\r\n"))
    }

    @Test func fromDomainsAreTheAuthorsOnly() {
        let message = Array("Sender: s@sender.example\r\nFrom: a@one.example, b@two.example\r\n\r\nbody\r\n".utf8)
        #expect(MessageAuthenticator.fromDomains(message) == ["one.example", "two.example"])
        #expect(MessageAuthenticator.fromDomains(Array("Subject: none\r\n\r\n".utf8)) == [])
    }
}
