import Core
import Testing

@testable import SMTP

@Suite("Session: transactions, greeting, EHLO")
struct TransactionTests {
    @Test func greetingHasNoEnhancedCode() {
        var session = SMTPServerSession(configuration: .test, client: .test)
        #expect(session.start() == [.reply(SMTPReply(220, nil, "mx.example.org ESMTP Posta"))])
        #expect(session.start() == [])
        var lmtp = SMTPServerSession(
            configuration: .test {
                $0.mode = .lmtp
                $0.greetingBanner = "ready"
            }, client: .test)
        #expect(lmtp.start() == [.reply(SMTPReply(220, nil, "mx.example.org LMTP ready"))])
    }

    @Test func inputBeforeStartWaitsForTheGreeting() {
        var session = SMTPServerSession(configuration: .test, client: .test)
        #expect(session.receive(bytes("NOOP\r\n")) == [])
        #expect(session.bufferedByteCount == 6)
        #expect(session.start().codes == [220, 250])
    }

    @Test func fullSMTPTransaction() throws {
        var d = SessionDriver()
        let actions = d.send(
            "EHLO client.example\r\nMAIL FROM:<alice@sender.example> SIZE=30 BODY=8BITMIME\r\n"
                + "RCPT TO:<bob@example.org>\r\nRCPT TO:<carol@Example.ORG>\r\nDATA\r\n"
                + "Subject: hi\r\n\r\nHello \u{e9}\r\n.\r\nQUIT\r\n")
        #expect(actions.statuses == ["250", "250 2.1.0", "250 2.1.5", "250 2.1.5", "354", "250 2.0.0", "221 2.0.0"])
        #expect(actions.last == .close)
        #expect(d.session.isClosed)
        let message = try #require(d.messages.first)
        #expect(d.messages.count == 1)
        #expect(message.data == bytes("Subject: hi\r\n\r\nHello \u{e9}\r\n"))
        let env = message.envelope
        #expect(env.reversePath == (try MailAddress(parsing: "alice@sender.example")))
        #expect(env.recipients.map(\.address.description) == ["bob@example.org", "carol@example.org"])
        #expect(env.body == .eightBitMIME)
        #expect(env.declaredSize == 30)
        #expect(env.heloName == "client.example")
        #expect(env.protocolName == "ESMTP")
        #expect(env.clientIP == "192.0.2.7")
        #expect(env.tls == nil)
        #expect(env.smtpUTF8 == false)
        #expect(env.messageSize == Int64(message.data.count))
        #expect(env.receivedHeaderCount == 0)
        // The sender check saw the envelope so far; the recipient check saw the earlier recipients.
        guard case .checkSender(let senderEnv) = d.effects[0], case .checkRecipient(let second) = d.effects[2] else {
            Issue.record("unexpected effects \(d.effects)")
            return
        }
        #expect(senderEnv.recipients.isEmpty && senderEnv.declaredSize == 30)
        #expect(second.envelope.recipients.map(\.address.localPart) == ["bob"])
        #expect(second.recipient.address.localPart == "carol")
    }

    @Test func heloTransactionAndNullSender() throws {
        var d = SessionDriver()
        let actions = d.send("HELO old.example\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nbounce\r\n.\r\n")
        #expect(actions.replies.first == SMTPReply(250, nil, "mx.example.org"))
        #expect(actions.codes == [250, 250, 250, 354, 250])
        let env = try #require(d.messages.first?.envelope)
        #expect(env.reversePath == nil)
        #expect(env.protocolName == "SMTP")
        #expect(env.body == .sevenBit)
    }

    @Test func twoTransactionsOnOneConnectionAndRSET() {
        var d = SessionDriver()
        d.send(openTransaction + "DATA\r\none\r\n.\r\n")
        let actions = d.send(
            "MAIL FROM:<a@x.example>\r\nRCPT TO:<bob@example.org>\r\nRSET\r\nRCPT TO:<bob@example.org>\r\nMAIL FROM:<b@x.example>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\ntwo\r\n.\r\n"
        )
        #expect(
            actions.statuses == [
                "250 2.1.0", "250 2.1.5", "250 2.0.0", "503 5.5.1", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0",
            ])
        #expect(d.messages.map(\.data) == [bytes("one\r\n"), bytes("two\r\n")])
        #expect(d.messages[1].envelope.recipients.map(\.address.localPart) == ["carol"])
        #expect(d.messages[1].envelope.reversePath?.localPart == "b")
    }

    @Test func ehloAdvertisesTheExtensions() throws {
        var d = SessionDriver()
        let reply = try #require(d.send("EHLO client.example\r\n").replies.first)
        #expect(reply.code == 250 && reply.enhancedStatus == nil)
        #expect(
            reply.lines == [
                "mx.example.org Hello [192.0.2.7]", "PIPELINING", "SIZE 100000", "8BITMIME", "ENHANCEDSTATUSCODES",
                "STARTTLS", "SMTPUTF8", "CHUNKING", "BINARYMIME", "DSN",
            ])
        #expect(String(decoding: reply.encode(), as: UTF8.self).hasSuffix("250-BINARYMIME\r\n250 DSN\r\n"))

        var plain = SessionDriver(
            .test {
                $0.startTLSAvailable = false
                $0.advertiseSMTPUTF8 = false
            })
        let lines = try #require(plain.send("EHLO c.example\r\n").replies.first).lines
        #expect(!lines.contains("STARTTLS") && !lines.contains("SMTPUTF8") && lines.contains("CHUNKING"))

        var implicitTLS = SessionDriver(client: SMTPClientInfo(remoteIP: "192.0.2.7", tls: .test))
        #expect(!(try #require(implicitTLS.send("EHLO c.example\r\n").replies.first).lines.contains("STARTTLS")))
    }

    @Test func ehloResetsTheTransaction() {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "EHLO again.example\r\nDATA\r\nRCPT TO:<bob@example.org>\r\n")
        #expect(actions.codes == [250, 250, 250, 250, 503, 503])
    }

    @Test func fullLMTPTransaction() throws {
        var d = SessionDriver(.test { $0.mode = .lmtp })
        let actions = d.send(
            "LHLO client.example\r\nMAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@example.org>\r\n"
                + "RCPT TO:<nobody@example.org>\r\nRCPT TO:<full@example.org>\r\nRCPT TO:<carol@example.org>\r\n"
                + "DATA\r\nhi\r\n.\r\nQUIT\r\n")
        // RFC 2033 §4.2: after the data, one reply per accepted recipient, in RCPT order.
        #expect(
            actions.statuses == [
                "250", "250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "250 2.1.5", "354",
                "250 2.0.0", "452 4.2.2", "250 2.0.0", "221 2.0.0",
            ])
        #expect(actions.replies[7].lines == ["<bob@example.org> delivered"])
        #expect(actions.replies[9].lines == ["<carol@example.org> delivered"])
        #expect(d.messages.first?.envelope.protocolName == "LMTP")
        #expect(d.messages.first?.data == bytes("hi\r\n"))
    }

    @Test func lmtpRefusesHELOAndEHLOAndNeedsAcceptedRecipients() {
        var d = SessionDriver(.test { $0.mode = .lmtp })
        #expect(
            d.send("HELO a.example\r\nEHLO a.example\r\nMAIL FROM:<a@b.example>\r\n").statuses == [
                "500 5.5.1", "500 5.5.1", "503 5.5.1",
            ])
        // RFC 2033 §4.2: DATA with no accepted recipient is 503 in LMTP.
        #expect(
            d.send("LHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@nowhere.example>\r\nDATA\r\n").statuses.suffix(2) == [
                "550 5.1.1", "503 5.5.1",
            ])
    }

    @Test func lmtpReplyListIsNormalised() {
        let shortList: SessionDriver.Responder = { effect in
            if case .messageComplete = effect { return .replies([SMTPReply(250, .init(2, 0, 0), "one")]) }
            return SessionDriver.standard(effect)
        }
        var d = SessionDriver(.test { $0.mode = .lmtp }, responder: shortList)
        let actions = d.send(
            "LHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nx\r\n.\r\n"
        )
        #expect(actions.statuses.suffix(2) == ["250 2.0.0", "451 4.3.0"])

        let single: SessionDriver.Responder = { effect in
            if case .messageComplete = effect { return .reply(SMTPReply(451, .init(4, 3, 0), "spool full")) }
            return SessionDriver.standard(effect)
        }
        var e = SessionDriver(.test { $0.mode = .lmtp }, responder: single)
        let second = e.send(
            "LHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nx\r\n.\r\n"
        )
        #expect(second.replies.suffix(2).map(\.lines) == [["spool full"], ["spool full"]])
    }

    @Test func badEffectAnswersBecomeTemporaryFailures() {
        let weird: SessionDriver.Responder = { effect in
            if case .checkSender = effect { return .reply(SMTPReply(999, nil, "??")) }
            if case .checkRecipient = effect { return .replies([]) }
            return SessionDriver.standard(effect)
        }
        var d = SessionDriver(responder: weird)
        #expect(d.send("EHLO a.example\r\nMAIL FROM:<a@b.example>\r\n").statuses.last == "451 4.3.0")
    }

    @Test func a421FromAnEffectClosesTheConnection() {
        let busy: SessionDriver.Responder = { effect in
            if case .checkSender = effect { return .reply(SMTPReply(421, .init(4, 3, 2), "shutting down")) }
            return SessionDriver.standard(effect)
        }
        var d = SessionDriver(responder: busy)
        let actions = d.send("EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.org>\r\n")
        #expect(actions.codes == [250, 421])
        #expect(actions.last == .close)
        #expect(d.session.isClosed)
        #expect(d.send("NOOP\r\n") == [])
    }

    @Test func rejectedSenderLeavesNoTransaction() {
        var d = SessionDriver()
        let actions = d.send(
            "EHLO a.example\r\nMAIL FROM:<spammer@b.example>\r\nRCPT TO:<bob@example.org>\r\nMAIL FROM:<ok@b.example>\r\n")
        #expect(actions.statuses == ["250", "550 5.7.1", "503 5.5.1", "250 2.1.0"])
    }
}
