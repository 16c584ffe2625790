import Testing

@testable import SMTP

@Suite("Authentication-Results claiming this host are removed (RFC 8601 section 5)")
struct AuthenticationResultsFilterTests {
    static let message = Array(
        ("Received: from a by b\r\n"
            + "Authentication-Results: mx.example.org; dkim=pass header.d=example.com\r\n"
            + "Authentication-Results: other.example;\r\n spf=pass smtp.mailfrom=x@other.example\r\n"
            + "authentication-results : (forged)\r\n\tMX.EXAMPLE.ORG;\r\n arc=pass\r\n"
            + "Authentication-Results: mx.example.org.evil; dmarc=pass\r\n"
            + "X-Authentication-Results: mx.example.org; none\r\n"
            + "Subject: hi\r\n\r\n"
            + "Authentication-Results: mx.example.org; in the body, kept\r\n").utf8)

    static let expected =
        "Received: from a by b\r\n"
        + "Authentication-Results: other.example;\r\n spf=pass smtp.mailfrom=x@other.example\r\n"
        + "Authentication-Results: mx.example.org.evil; dmarc=pass\r\n"
        + "X-Authentication-Results: mx.example.org; none\r\n"
        + "Subject: hi\r\n\r\n"
        + "Authentication-Results: mx.example.org; in the body, kept\r\n"

    func filtered(_ message: [UInt8], chunk: Int) -> String {
        var filter = AuthenticationResultsFilter(authservID: "mx.example.org")
        var out: [UInt8] = []
        var offset = 0
        while offset < message.count {
            out += filter.filter(message[offset..<min(offset + chunk, message.count)])
            offset += chunk
        }
        out += filter.finish()
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [1, 2, 7, 64, 100_000])
    func ourFieldsGoOthersStayWhateverTheChunks(_ chunk: Int) {
        #expect(filtered(Self.message, chunk: chunk) == Self.expected)
    }

    @Test func aHeaderWithoutBodyKeepsItsLastField() {
        let header = Array("Subject: x\r\nAuthentication-Results: other.example; spf=none".utf8)
        #expect(filtered(header, chunk: 5) == "Subject: x\r\nAuthentication-Results: other.example; spf=none")
        let ours = Array("Subject: x\r\nAuthentication-Results: mx.example.org; spf=none\r\n".utf8)
        #expect(filtered(ours, chunk: 3) == "Subject: x\r\n")
    }

    @Test func aHugeFieldEndsTheFilteringWithoutLoss() {
        let long = "Authentication-Results: mx.example.org;" + String(repeating: " x", count: 40_000) + "\r\n"
        let message = Array((long + "Subject: x\r\n\r\nbody\r\n").utf8)
        #expect(filtered(message, chunk: 4096) == long + "Subject: x\r\n\r\nbody\r\n")
    }
}

@Suite("One Authentication-Results field of this host per message")
struct PolicyResultsFieldTests {
    @Test func thePolicySPFFieldGivesWayToSenderAuthentication() {
        let policy = SMTPMessagePolicy(headers: [
            "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@example.com", "X-Policy: checked",
            "Authentication-Results: other.example; spf=none",
        ])
        #expect(
            policy.headerBlock(droppingResultsOf: "mx.example.org")
                == "X-Policy: checked\r\nAuthentication-Results: other.example; spf=none\r\n")
        #expect(policy.headerBlock(droppingResultsOf: nil) == policy.headerBlock)
        #expect(policy.headerBlock?.hasPrefix("Authentication-Results: mx.example.org;") == true)
        let onlyOurs = SMTPMessagePolicy(headers: ["Authentication-Results: mx.example.org; spf=fail"])
        #expect(onlyOurs.headerBlock(droppingResultsOf: "mx.example.org") == nil)
    }
}
