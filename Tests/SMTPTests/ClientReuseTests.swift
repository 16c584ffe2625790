import Testing

@testable import SMTP

/// Several transactions over one connection (`keepsConnection`): RSET between them.
@Suite("SMTP client session: connection reuse")
struct ClientReuseTests {
    static func keptSession() -> SMTPClientSession {
        SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: "client.example", keepsConnection: true),
            envelope: .twoRecipients)
    }

    @Test("after a transaction the session waits idle; the next one starts with RSET; end sends QUIT")
    func twoTransactionsThenQuit() throws {
        var s = ClientScript()
        s.session = Self.keptSession()
        _ = s.server("220 remote.test ESMTP\r\n")
        _ = s.server(pipeliningEHLO)
        _ = s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n")
        let first = s.server("250 2.0.0 queued\r\n")
        #expect(sentText(first) == "", "no QUIT on a kept connection")
        #expect(try #require(finishedResult(first)).recipients.count == 2)
        #expect(s.session.waitState == .idle)

        let next = OutboundEnvelope(
            reversePath: "bob@posta.test", recipients: [OutboundRecipient(address: "dave@remote.test")], size: 10)
        #expect(sentText(s.session.nextTransaction(next)) == "RSET\r\n")
        #expect(s.session.waitState == .rset)
        let batch = sentText(s.server("250 2.0.0 Ok\r\n"))
        #expect(batch == "MAIL FROM:<bob@posta.test> SIZE=10\r\nRCPT TO:<dave@remote.test>\r\nDATA\r\n")
        let refused = s.server("250 2.1.0 Ok\r\n550 5.1.1 unknown\r\n554 5.5.1 no valid recipients\r\n")
        let result = try #require(finishedResult(refused))
        #expect(result.recipients.map(\.outcome) == [.permanentFailure(SMTPReply(550, .init(5, 1, 1), "unknown"))])
        #expect(s.session.waitState == .idle)

        #expect(sentText(s.session.end()) == "QUIT\r\n")
        #expect(s.server("221 2.0.0 Bye\r\n") == [.close])
        #expect(s.session.waitState == nil)
    }

    @Test("a failed RSET (stale connection) fails the transaction without a server reply, so it is retried elsewhere")
    func failedRSET() throws {
        var s = ClientScript()
        s.session = Self.keptSession()
        _ = s.server("220 remote.test ESMTP\r\n")
        _ = s.server(pipeliningEHLO)
        _ = s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n250 2.0.0 queued\r\n")
        _ = s.session.nextTransaction(.twoRecipients)
        let actions = s.session.connectionClosed()
        let result = try #require(finishedResult(actions))
        #expect(result.recipients.allSatisfy { !$0.fromServer })
        #expect(actions.contains(.close))
    }
}
