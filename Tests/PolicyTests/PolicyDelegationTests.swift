import Testing

@testable import Policy

@Suite("Policy: Postfix delegation protocol codec and session")
struct PolicyDelegationTests {
    static let rcpt = """
        request=smtpd_access_policy
        protocol_state=RCPT
        protocol_name=ESMTP
        client_address=192.0.2.10
        client_name=mail.remote.example
        helo_name=mail.remote.example
        sender=a@remote.example
        recipient=b@example.org
        sasl_username=alice
        instance=123.456.7
        size=12345


        """

    @Test("a request split anywhere gives the same attributes")
    func splitAnywhere() throws {
        let bytes = Array(Self.rcpt.utf8)
        for cut in stride(from: 1, to: bytes.count, by: 7) {
            var decoder = PolicyDelegationDecoder()
            let first = try decoder.feed(bytes[..<cut])
            let second = try decoder.feed(bytes[cut...])
            let all = first + second
            #expect(all.count == 1)
            #expect(all.first?["recipient"] == "b@example.org")
            #expect(all.first?["size"] == "12345")
        }
    }

    @Test("limits: long lines, too many attributes, lines without '='")
    func limits() {
        var decoder = PolicyDelegationDecoder(maxLineLength: 16, maxAttributes: 2)
        #expect(throws: PolicyDelegationDecoder.Failure.lineTooLong) {
            try decoder.feed(Array("sender=\(String(repeating: "x", count: 20))\n".utf8))
        }
        decoder = PolicyDelegationDecoder(maxLineLength: 16, maxAttributes: 2)
        #expect(throws: PolicyDelegationDecoder.Failure.tooManyAttributes) {
            try decoder.feed(Array("a=1\nb=2\nc=3\n".utf8))
        }
        decoder = PolicyDelegationDecoder()
        #expect(throws: PolicyDelegationDecoder.Failure.malformedLine) { try decoder.feed(Array("garbage\n".utf8)) }
    }

    @Test("attributes map to a request; other request kinds get DUNNO")
    func mapping() throws {
        var session = PolicyDelegationSession()
        let items = try session.receive(Array((Self.rcpt + "request=other\n\n").utf8))
        #expect(items.count == 2)
        guard case .evaluate(let request) = items[0] else {
            Issue.record("not a request")
            return
        }
        #expect(request.stage == .rcpt)
        #expect(request.clientAddress == "192.0.2.10")
        #expect(request.helo == "mail.remote.example")
        #expect(request.saslUsername == "alice")
        #expect(request.size == 12345)
        #expect(items[1] == .answer(Array("action=DUNNO\n\n".utf8)))
    }

    @Test("END-OF-MESSAGE gets the recipients the transaction was not refused for")
    func endOfMessageRecipients() throws {
        var session = PolicyDelegationSession()
        func ask(_ text: String) throws -> PolicyRequest {
            guard case .evaluate(let request) = try session.receive(Array(text.utf8)).first else { throw PolicyStoreError("no") }
            return request
        }
        let one = try ask("request=smtpd_access_policy\nprotocol_state=RCPT\ninstance=i1\nrecipient=x@a.example\n\n")
        _ = session.reply(.dunno, to: one)
        let two = try ask("request=smtpd_access_policy\nprotocol_state=RCPT\ninstance=i1\nrecipient=y@a.example\n\n")
        _ = session.reply(PolicyVerdict(action: .deferred, text: "no"), to: two)
        let end = try ask("request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\ninstance=i1\nrecipient_count=1\n\n")
        #expect(end.stage == .endOfMessage)
        #expect(end.recipients == ["x@a.example"])
        let other = try ask("request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\ninstance=i2\n\n")
        #expect(other.recipients == [])
    }

    @Test("replies: action with text on one line, PREPEND for headers when nothing was decided")
    func replies() {
        func text(_ verdict: PolicyVerdict) -> String { String(decoding: PolicyDelegationReply.encode(verdict), as: UTF8.self) }
        #expect(text(.dunno) == "action=DUNNO\n\n")
        #expect(text(PolicyVerdict(action: .deferred, text: "Quota\nexceeded")) == "action=DEFER Quota exceeded\n\n")
        #expect(text(PolicyVerdict(action: .reject, text: "No")) == "action=REJECT No\n\n")
        #expect(text(PolicyVerdict(action: .ok, text: "ignored")) == "action=OK\n\n")
        #expect(
            text(PolicyVerdict(action: .dunno, headers: ["Received-SPF: pass (x)\r\n\tclient-ip=1.2.3.4;"]))
                == "action=PREPEND Received-SPF: pass (x)\tclient-ip=1.2.3.4;\n\n")
    }
}
