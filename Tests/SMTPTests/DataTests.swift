import Core
import Testing

@testable import SMTP

@Suite("Session: DATA content, smuggling, size and hop limits")
struct DataTests {
    @Test func dotUnstuffing() {
        var d = SessionDriver()
        d.send(openTransaction + "DATA\r\n..hidden\r\n.x\r\nmid.dle\r\n...\r\n.\r\n")
        #expect(d.messages.map(\.data) == [bytes(".hidden\r\nx\r\nmid.dle\r\n..\r\n")])
    }

    @Test func emptyMessage() {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "DATA\r\n.\r\nNOOP\r\n")
        #expect(actions.codes.suffix(3) == [354, 250, 250])
        #expect(d.messages.map(\.data) == [[]])
        #expect(!actions.contains { if case .messageData = $0 { true } else { false } })
    }

    @Test(
        "smuggled end-of-data markers never end DATA",
        arguments: ["\n.\n", "\r.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r", "\r\n.\r"])
    func smuggling(variant: String) {
        var d = SessionDriver()
        let smuggled = "MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nforged\r\n"
        let body = "Subject: x\r\n\r\nhello" + variant + smuggled
        let actions = d.send(openTransaction + "DATA\r\n" + body + ".\r\nQUIT\r\n")
        #expect(actions.codes == [250, 250, 250, 354, 250, 221])
        #expect(d.messages.count == 1)
        #expect(d.messages.first?.data == bytes(body))
        #expect(!d.effects.contains { if case .checkSender(let e) = $0 { e.reversePath?.localPart == "evil" } else { false } })
    }

    @Test func dataStartsAfterBareLFCommandToo() {
        // Commands may end in a bare LF (lenient); the content then starts right after it.
        var d = SessionDriver()
        let actions = d.send(
            "EHLO c.example\nMAIL FROM:<a@b.example>\nRCPT TO:<bob@example.org>\nDATA\n.\nstill content\r\n.\r\n")
        #expect(actions.codes == [250, 250, 250, 354, 250])
        #expect(d.messages.first?.data == bytes(".\nstill content\r\n"))
    }

    @Test func eightBitContentIsByteExact() {
        var d = SessionDriver()
        let content: [UInt8] = Array(0...255).filter { $0 != 13 && $0 != 10 && $0 != 46 } + [13, 10]
        d.send(openTransaction + "DATA\r\n")
        d.send(content + bytes(".\r\n"))
        #expect(d.messages.first?.data == content)
    }

    @Test func contentComesInPiecesOfTheConfiguredSize() {
        var d = SessionDriver(.test { $0.bodyChunkSize = 10 })
        let actions = d.send(openTransaction + "DATA\r\n" + String(repeating: "a", count: 23) + "\r\n.\r\n")
        let pieces = actions.compactMap { if case .messageData(let b) = $0 { b.count } else { nil } }
        #expect(pieces == [10, 10, 5])
    }

    @Test func sizeLimitAbortsButReadsToTheEnd() {
        var d = SessionDriver(
            .test {
                $0.maxMessageSize = 100
                $0.bodyChunkSize = 30
            })
        let actions = d.send(
            openTransaction + "DATA\r\n" + String(repeating: "x", count: 98) + "\r\nMAIL FROM:<a@b.example>\r\n.\r\nNOOP\r\n")
        #expect(actions.statuses.suffix(3) == ["354", "552 5.3.4", "250 2.0.0"])
        // A spool file was asked for at the first octet; three full pieces went out before the
        // limit was hit; then the abort, and nothing more.
        let afterStart = Array(actions.drop(while: { $0 != .reply(SMTPServerReplies.startData) }).dropFirst())
        guard case .effect(.openSpool)? = afterStart.first else {
            Issue.record("\(afterStart)")
            return
        }
        let tail = Array(afterStart.dropFirst())
        #expect(tail.prefix(4).map { if case .messageData(let b) = $0 { b.count } else { -1 } } == [30, 30, 30, -1])
        #expect(tail[3] == .messageAborted)
        #expect(tail[4] == .reply(SMTPServerReplies.messageTooBig))
        #expect(d.messages.isEmpty)
        // The transaction is over.
        #expect(d.send("RCPT TO:<bob@example.org>\r\n").statuses == ["503 5.5.1"])
    }

    @Test func exactlyTheMaximumIsAccepted() {
        var d = SessionDriver(.test { $0.maxMessageSize = 100 })
        d.send(openTransaction + "DATA\r\n" + String(repeating: "x", count: 98) + "\r\n.\r\n")
        #expect(d.messages.first?.envelope.messageSize == 100)
        #expect(d.abortedCount == 0)
    }

    @Test func hopLimit() {
        var d = SessionDriver(.test { $0.maxReceivedHeaders = 3 })
        let three = "Received: a\r\nreceived: b\r\nRECEIVED : c\r\nSubject: ok\r\n\r\nReceived: body\r\n"
        d.send(openTransaction + "DATA\r\n" + three + ".\r\n")
        #expect(d.messages.first?.envelope.receivedHeaderCount == 3)

        let four = "Received: a\r\nReceived: b\r\nX-Other: 1\r\n Received: folded\r\nReceived: c\r\nReceived: d\r\n\r\nbody\r\n"
        let actions = d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n" + four + ".\r\nNOOP\r\n")
        #expect(actions.statuses.suffix(3) == ["354", "554 5.4.6", "250 2.0.0"])
        #expect(actions.contains(.messageAborted))
        #expect(d.messages.count == 1)
    }

    @Test func binaryMIMENeedsBDAT() {
        var d = SessionDriver()
        let actions = d.send("EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        #expect(actions.statuses.last == "503 5.5.1")
    }
}
