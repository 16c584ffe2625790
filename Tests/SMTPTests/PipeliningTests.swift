import Core
import PostaTestSupport
import Testing

@testable import SMTP

@Suite("Session: pipelining (RFC 2920) and stream splitting")
struct PipeliningTests {
    @Test func repliesComeInCommandOrder() {
        var d = SessionDriver()
        let actions = d.send("EHLO c.example\r\nNOOP\r\nVRFY x\r\nFOO\r\nRSET\r\nHELP\r\n")
        #expect(actions.codes == [250, 250, 252, 500, 250, 214])
    }

    @Test func anEffectHoldsBackTheRestOfTheBatch() {
        var session = SMTPServerSession(configuration: .test, client: .test)
        _ = session.start()
        _ = session.receive(bytes("EHLO c.example\r\n"))
        let batch =
            "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<x@nowhere.example>\r\nNOOP\r\nDATA\r\nbody\r\n.\r\n"
        var actions = session.receive(bytes(batch))
        #expect(actions.count == 1)
        guard case .effect(.checkSender)? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(session.isAwaitingEffect)
        #expect(session.bufferedByteCount == batch.utf8.count - "MAIL FROM:<a@b.example>\r\n".utf8.count)
        // More input while waiting is only buffered.
        #expect(session.receive(bytes("NOOP\r\n")) == [])
        // A timer firing for nothing, or tlsEstablished out of turn, does not disturb the wait.
        #expect(session.tlsEstablished(.test) == [])

        actions = session.resume(.reply(SMTPReply(250, .init(2, 1, 0), "OK")))
        #expect(actions.count == 2)
        #expect(actions.codes == [250])
        guard case .effect(.checkRecipient(let first))? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(first.recipient.address.localPart == "bob")

        actions = session.resume(.reply(SMTPReply(250, .init(2, 1, 5), "OK")))
        guard case .effect(.checkRecipient(let second))? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(second.recipient.address.localPart == "x")

        actions = session.resume(.reply(SMTPReply(550, .init(5, 1, 1), "No")))
        #expect(actions.codes == [550, 250, 354])
        // The first octet of content: the session asks for a spool file before it goes on.
        guard case .effect(.openSpool)? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        actions = session.resume(.spoolOpened(nil))
        #expect(actions.first == .messageData(bytes("body\r\n")))
        guard case .effect(.messageComplete(let message))? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(message.envelope.recipients.map(\.address.localPart) == ["bob"])

        actions = session.resume(.reply(SMTPReply(250, .init(2, 0, 0), "Queued")))
        #expect(actions.codes == [250, 250])  // the reply to the data, then the NOOP sent while waiting
        #expect(session.resume(.reply(SMTPReply(250, nil, "stray"))) == [])
    }

    @Test func refusedSenderMakesPipelinedRecipientsAndDataFail() {
        var d = SessionDriver()
        let actions = d.send("EHLO c.example\r\nMAIL FROM:<spammer@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nQUIT\r\n")
        // The DATA is refused, so the next line is a command again (RFC 2920 §3.1).
        #expect(actions.statuses == ["250", "550 5.7.1", "503 5.5.1", "503 5.5.1", "221 2.0.0"])
    }

    /// A transcript touching every input path: commands, refusals, DATA with stuffing and smuggling
    /// shapes, BDAT with binary content, size and hop limits, long lines, STARTTLS with injection.
    static let transcript: [UInt8] = {
        var t = bytes(
            "EHLO client.example\r\nNOOP\r\nFOO\r\nMAIL FROM:<a@b.example> BODY=8BITMIME SIZE=500 RET=HDRS ENVID=x+2By\r\n")
        t += bytes(
            "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,DELAY\r\nRCPT TO:<x@nowhere.example>\r\nRCPT TO:<@a.example:c@d.example>\r\n"
        )
        t += bytes("DATA\r\nReceived: one\r\nSubject: split\r\n\r\n..stuffed\r\na\n.\nb\r.\nc\r\n.\nd\n.\r\n")
        t += [0xC3, 0xA9, 0xFF, 0x00, 13, 10]
        t += bytes(String(repeating: "0123456789", count: 30) + "\r\n.\r\n")
        t += bytes("NOOP " + String(repeating: "y", count: 300) + "\r\nRSET\r\n")
        t += bytes("MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<carol@example.org>\r\nBDAT 9\r\n")
        t += [13, 10, 46, 13, 10, 0, 255, 10, 13]
        t += bytes("BDAT 0\r\nBDAT 4 LAST\r\nQUIT")
        t += bytes("BDAT 6\r\nQUIT\r\nNOOP\r\n")  // refused: no transaction; the six octets are skipped
        t += bytes("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        t += bytes(String(repeating: "z", count: 700) + "\r\n.\r\n")  // over the size limit
        t += bytes("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        t += bytes("Received: 1\r\nReceived: 2\r\nReceived: 3\r\nReceived: 4\r\n\r\nx\r\n.\r\n")  // too many hops
        t += bytes("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nBDAT 5\r\nhelloRSET\r\n")
        t += bytes("STARTTLS\r\nMAIL FROM:<injected@b.example>\r\n")
        return t
    }()

    static let splitConfiguration = SMTPServerConfiguration.test {
        $0.maxMessageSize = 600
        $0.maxReceivedHeaders = 3
        $0.maxCommandLineLength = 256
        $0.bodyChunkSize = 16
    }

    static func run(_ chunks: [ArraySlice<UInt8>]) -> [SMTPServerAction] {
        var d = SessionDriver(splitConfiguration)
        for chunk in chunks { d.send(Array(chunk)) }
        return d.log
    }

    @Test func theTranscriptExercisesWhatItShould() {
        let log = Self.run([Self.transcript[...]])
        #expect(
            log.codes == [
                220, 250, 250, 500, 250, 250, 550, 550, 354, 250, 500, 250, 250, 250, 250, 250, 250, 503,
                250, 250, 250, 354, 552, 250, 250, 354, 554, 250, 250, 250, 250, 220,
            ])
        #expect(log.contains(.startTLS))
        #expect(log.filter { $0 == .messageAborted }.count == 3)
        #expect(
            !log.effects.contains { if case .checkSender(let e) = $0 { e.reversePath?.localPart == "injected" } else { false } })
    }

    @Test func byteAtATimeEqualsWholeBuffer() {
        let whole = Self.run([Self.transcript[...]])
        let single = Self.run(Self.transcript.indices.map { Self.transcript[$0...$0] })
        #expect(single == whole)
    }

    @Test func randomSplitsGiveIdenticalActions() {
        let whole = Self.run([Self.transcript[...]])
        var rng = SeededGenerator(seed: 0x5EED_2024)
        let t = Self.transcript
        for round in 0..<200 {
            var chunks: [ArraySlice<UInt8>] = []
            var i = 0
            let maxChunk = [1, 2, 3, 7, 40, 300][round % 6]
            while i < t.count {
                let n = Int.random(in: 1...maxChunk, using: &rng)
                chunks.append(t[i..<min(t.count, i + n)])
                i += n
            }
            let actions = Self.run(chunks)
            #expect(actions == whole, "split round \(round) differs")
            if actions != whole { break }
        }
    }
}
