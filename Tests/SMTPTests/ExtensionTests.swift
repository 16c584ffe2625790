import Core
import Testing

@testable import SMTP

@Suite("Session: DSN (RFC 3461) and SMTPUTF8 (RFC 6531)")
struct ExtensionTests {
    @Test func dsnParametersAreParsedAndDecoded() throws {
        var d = SessionDriver()
        let actions = d.send(
            "EHLO c.example\r\nMAIL FROM:<a@b.example> RET=HDRS ENVID=QQ314159+2B1\r\n"
                + "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+2Bx@example.org\r\n"
                + "RCPT TO:<carol@example.org> notify=never\r\nRCPT TO:<dave@example.org> NOTIFY=delay\r\n"
                + "RCPT TO:<erin@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(!actions.codes.contains { $0 >= 400 })
        let env = try #require(d.messages.first?.envelope)
        #expect(env.dsnRet == .headers)
        #expect(env.dsnEnvID == "QQ314159+1")
        #expect(env.recipients.map(\.notify) == [[.success, .failure], .never, [.delay], nil])
        #expect(env.recipients[0].orcpt == DSNOriginalRecipient(addressType: "rfc822", address: "Bob+x@example.org"))
        #expect(env.recipients[1].orcpt == nil)
    }

    @Test(arguments: [
        "RCPT TO:<bob@example.org> NOTIFY=NEVER,SUCCESS",
        "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,SUCCESS",
        "RCPT TO:<bob@example.org> NOTIFY=SOMETIMES",
        "RCPT TO:<bob@example.org> NOTIFY=",
        "RCPT TO:<bob@example.org> NOTIFY",
        "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,",
        "RCPT TO:<bob@example.org> ORCPT=bob@example.org",
        "RCPT TO:<bob@example.org> ORCPT=;bob@example.org",
        "RCPT TO:<bob@example.org> ORCPT=rfc822;",
        "RCPT TO:<bob@example.org> ORCPT=rfc822;bad+zz",
        "RCPT TO:<bob@example.org> ORCPT=rfc(822);bob@example.org",
        "RCPT TO:<bob@example.org> NOTIFY=NEVER NOTIFY=NEVER",
        "RCPT TO:<bob@example.org> ORCPT=rfc822;bob+0D+0A@example.org",
    ])
    func badRecipientParameters(line: String) {
        var d = SessionDriver()
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n")
        let effects = d.effects.count
        #expect(d.send(line + "\r\n").statuses == ["501 5.5.4"])
        #expect(d.effects.count == effects)
    }

    @Test(arguments: [
        "MAIL FROM:<a@b.example> RET=ALL", "MAIL FROM:<a@b.example> RET", "MAIL FROM:<a@b.example> ENVID=a+2",
        "MAIL FROM:<a@b.example> ENVID=" + String(repeating: "x", count: 101), "MAIL FROM:<a@b.example> ENVID=+00x",
        "MAIL FROM:<a@b.example> ENVID=a+C3+A9",
    ])
    func badMailParameters(line: String) {
        var d = SessionDriver()
        d.send("EHLO c.example\r\n")
        #expect(d.send(line + "\r\n").statuses == ["501 5.5.4"])
        #expect(d.effects.isEmpty)
    }

    @Test func smtputf8AddressesNeedTheParameter() throws {
        var d = SessionDriver()
        d.send("EHLO c.example\r\n")
        // RFC 6531 §3.4: non-ASCII paths without SMTPUTF8 → 553 5.6.7.
        #expect(d.send("MAIL FROM:<j\u{f6}rg@b\u{fc}cher.example>\r\n").statuses == ["553 5.6.7"])
        #expect(
            d.send(
                "MAIL FROM:<a@b.example>\r\nRCPT TO:<j\u{f6}rg@b\u{fc}cher.example>\r\nRCPT TO:<jorg@b\u{fc}cher.example>\r\nRSET\r\n"
            ).statuses
                == ["250 2.1.0", "553 5.6.7", "553 5.6.7", "250 2.0.0"])
        #expect(d.effects.count == 1)
        let actions = d.send(
            "MAIL FROM:<j\u{f6}rg@b\u{fc}cher.example> SMTPUTF8 BODY=8BITMIME\r\nRCPT TO:<\u{7528}\u{6237}@b\u{fc}cher.example>\r\n"
                + "RCPT TO:<bob@example.org>\r\nDATA\r\nSubject: gr\u{fc}\u{df}e\r\n\r\n\r\n.\r\n")
        #expect(actions.codes == [250, 250, 250, 354, 250])
        let env = try #require(d.messages.first?.envelope)
        #expect(env.smtpUTF8)
        #expect(env.protocolName == "UTF8SMTP")
        #expect(env.reversePath?.description == "j\u{f6}rg@b\u{fc}cher.example")
        #expect(env.recipients.first?.address.localPart == "\u{7528}\u{6237}")
    }

    @Test func smtputf8CanBeTurnedOff() {
        var d = SessionDriver(.test { $0.advertiseSMTPUTF8 = false })
        d.send("EHLO c.example\r\n")
        #expect(d.send("MAIL FROM:<a@b.example> SMTPUTF8\r\n").statuses == ["555 5.5.4"])
        #expect(d.send("MAIL FROM:<j\u{f6}rg@b.example>\r\n").statuses == ["553 5.6.7"])
    }

    @Test func invalidUTF8InACommandIsRefused() {
        var d = SessionDriver()
        d.send("EHLO c.example\r\n")
        #expect(d.send(bytes("MAIL FROM:<j") + [0xF6] + bytes("rg@b.example> SMTPUTF8\r\n")).statuses == ["500 5.5.2"])
    }
}

@Suite("Session: limits and timeouts")
struct LimitTests {
    @Test func longLineIsReportedOnceAndSkipped() {
        let config = SMTPServerConfiguration.test { $0.maxCommandLineLength = 64 }
        let text = bytes(
            "NOOP " + String(repeating: "x", count: 200) + "\r\nNOOP " + String(repeating: "y", count: 57) + "\r\nNOOP "
                + String(repeating: "z", count: 58) + "\r\n")
        var whole = SessionDriver(config)
        #expect(whole.send(text).statuses == ["500 5.5.2", "250 2.0.0", "500 5.5.2"])
        var single = SessionDriver(config)
        for b in text {
            single.send([b])
            #expect(single.session.bufferedByteCount <= 64)
        }
        #expect(single.log == whole.log)
    }

    @Test func endlessLineNeverBuffersMoreThanTheLimit() {
        var d = SessionDriver(.test { $0.maxCommandLineLength = 512 })
        let junk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        #expect(d.send(junk).statuses == ["500 5.5.2"])
        for _ in 0..<100 {
            #expect(d.send(junk).isEmpty)
            #expect(d.session.bufferedByteCount < 512)
        }
        #expect(d.send("\r\nNOOP\r\n").codes == [250])
    }

    @Test func bareLFEndsACommandLine() {
        var d = SessionDriver()
        #expect(d.send("NOOP\nRSET\r\nNOOP\n").codes == [250, 250, 250])
    }

    @Test func tooManyErrorsCloses() {
        var d = SessionDriver(.test { $0.maxErrors = 3 })
        let actions = d.send("FOO\r\nBAR\r\nMAIL FROM:<a@b.example>\r\nBAZ\r\nNOOP\r\n")
        #expect(actions.statuses == ["500 5.5.1", "500 5.5.1", "503 5.5.1", "421 4.7.0"])
        #expect(actions.last == .close)
        #expect(d.send("NOOP\r\n").isEmpty)
    }

    @Test func tooManyErrorsMidBodyAbortsTheMessage() {
        var d = SessionDriver(.test { $0.maxErrors = 1 })
        let actions = d.send(openTransaction + "BDAT 1\r\nxFOO\r\nDATA\r\n")
        #expect(
            Array(actions.suffix(4)) == [
                .reply(SMTPSyntaxError.unknownCommand.reply), .messageAborted, .reply(SMTPServerReplies.tooManyErrors), .close,
            ])
    }

    @Test func tooManyCommandsCloses() {
        var d = SessionDriver(.test { $0.maxCommands = 5 })
        let actions = d.send(String(repeating: "NOOP\r\n", count: 7))
        #expect(actions.statuses == Array(repeating: "250 2.0.0", count: 5) + ["421 4.7.0"])
        #expect(actions.last == .close)
    }

    @Test func timeouts() {
        var idle = SessionDriver()
        #expect(idle.timeout() == [.reply(SMTPReply(421, .init(4, 4, 2), "mx.example.org Error: timeout exceeded")), .close])
        #expect(idle.timeout().isEmpty)
        #expect(idle.send("NOOP\r\n").isEmpty)

        var inData = SessionDriver()
        inData.send(openTransaction + "DATA\r\npartial")
        #expect(
            inData.timeout() == [
                .messageAborted, .reply(SMTPReply(421, .init(4, 4, 2), "mx.example.org Error: timeout exceeded")), .close,
            ])

        var betweenChunks = SessionDriver()
        betweenChunks.send(openTransaction + "BDAT 2\r\nab")
        #expect(betweenChunks.timeout().first == .messageAborted)

        var beforeStart = SMTPServerSession(configuration: .test, client: .test)
        #expect(beforeStart.timeout().codes == [421])
        #expect(beforeStart.start().isEmpty)

        var waiting = SMTPServerSession(configuration: .test, client: .test)
        _ = waiting.start()
        _ = waiting.receive(bytes("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n"))
        #expect(waiting.isAwaitingEffect)
        #expect(waiting.timeout().codes == [421])
        #expect(waiting.resume(.reply(SMTPReply(250, nil, "late"))).isEmpty)
    }
}
